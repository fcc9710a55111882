//! The editions of the regulation a server knows: the definition files loaded at start-up, and
//! any older content a case was started under, read back from the store by its hash. A case
//! always runs on the exact definition (edition + hash) it recorded.

use domain::definition::{self, Definition, EditionRef};
use jiff::civil::Date;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use store::Store;

#[derive(Debug, thiserror::Error)]
pub enum RegulationError {
    #[error("no edition of the regulation is in force on {0}; load one or pin an edition")]
    NoneInForce(Date),
    #[error("edition {0} is not loaded")]
    UnknownEdition(String),
    #[error("the definition {0} is neither loaded nor stored")]
    Missing(String),
    #[error("the stored definition {edition} no longer loads: {problems}")]
    Broken { edition: String, problems: String },
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// Loaded definitions by hash, and which one is current for each edition.
pub struct Regulations {
    by_hash: RwLock<BTreeMap<String, Arc<Definition>>>,
    current: BTreeMap<String, String>,
    pinned: Option<String>,
}

impl Regulations {
    /// `files`: (name, text) of each definition to offer for new cases; a later file of the
    /// same edition replaces an earlier one. `pinned`: the edition every new case uses,
    /// whatever the date (for training and demonstration when no edition is in force).
    pub fn load(files: &[(String, String)], pinned: Option<String>) -> Result<Regulations, definition::Problems> {
        let mut by_hash = BTreeMap::new();
        let mut current = BTreeMap::new();
        for (name, text) in files {
            let def = definition::load(name, text)?;
            current.insert(def.edition().to_owned(), def.edition_ref.hash.clone());
            by_hash.insert(def.edition_ref.hash.clone(), Arc::new(def));
        }
        Ok(Regulations { by_hash: RwLock::new(by_hash), current, pinned })
    }

    /// Stores the text of every loaded definition, so cases started under it can always be
    /// replayed, even after the file changes.
    pub async fn persist(&self, store: &dyn Store, files: &[(String, String)]) -> Result<(), RegulationError> {
        for (name, text) in files {
            let def =
                definition::load(name, text).map_err(|p| RegulationError::Broken { edition: name.clone(), problems: p.to_string() })?;
            store.save_definition(&def.edition_ref, text).await?;
        }
        Ok(())
    }

    /// The definition a case accepted on `day` starts under.
    pub fn for_new_case(&self, day: Date) -> Result<Arc<Definition>, RegulationError> {
        if let Some(edition) = &self.pinned {
            return self.current(edition).ok_or_else(|| RegulationError::UnknownEdition(edition.clone()));
        }
        self.current
            .keys()
            .filter_map(|e| self.current(e))
            .filter(|d| d.in_force_on(day))
            .max_by_key(|d| d.act.effective_from)
            .ok_or(RegulationError::NoneInForce(day))
    }

    pub fn current(&self, edition: &str) -> Option<Arc<Definition>> {
        let hash = self.current.get(edition)?;
        self.by_hash.read().expect("not poisoned").get(hash).cloned()
    }

    pub fn editions(&self) -> Vec<Arc<Definition>> {
        self.current.keys().filter_map(|e| self.current(e)).collect()
    }

    pub fn pinned(&self) -> Option<&str> {
        self.pinned.as_deref()
    }

    /// The exact definition a case recorded, from memory or else from the store.
    pub async fn get(&self, edition: &EditionRef, store: &dyn Store) -> Result<Arc<Definition>, RegulationError> {
        if let Some(d) = self.by_hash.read().expect("not poisoned").get(&edition.hash) {
            return Ok(d.clone());
        }
        let text = store.load_definition(&edition.hash).await?.ok_or_else(|| RegulationError::Missing(edition.short()))?;
        let def = definition::load(&format!("stored definition {}", edition.short()), &text)
            .map_err(|p| RegulationError::Broken { edition: edition.short(), problems: p.to_string() })?;
        let def = Arc::new(def);
        self.by_hash.write().expect("not poisoned").insert(edition.hash.clone(), def.clone());
        Ok(def)
    }
}
