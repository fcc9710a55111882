//! What a backend does with the schema it finds: the versions its migrations know against the
//! versions the database has applied, and the clear refusal when the database is newer than
//! this build.

use crate::StoreError;

/// What opening a store does about migrations that have not been applied yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Migrations {
    /// Apply them (the embedded default: one process owns the file).
    #[default]
    Apply,
    /// Refuse to open until `shaqyru migrate` has applied them (replicas in production, where
    /// one deliberate step changes the schema).
    RequireCurrent,
    /// Open as it is and change nothing: for `shaqyru migrate` to report the schema before it
    /// acts. A store opened so must not serve.
    Inspect,
}

/// The schema versions of a database against those this build knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Versions the database has applied, ascending.
    pub applied: Vec<i64>,
    /// Versions this build's migrations define, ascending.
    pub known: Vec<i64>,
}

impl SchemaStatus {
    /// Known versions the database has not applied yet.
    pub fn pending(&self) -> Vec<i64> {
        self.known.iter().copied().filter(|v| !self.applied.contains(v)).collect()
    }

    /// The newest version the database has applied, if any.
    pub fn current(&self) -> Option<i64> {
        self.applied.last().copied()
    }

    /// Applied versions this build does not know: a newer build wrote them.
    pub fn unknown(&self) -> Vec<i64> {
        self.applied.iter().copied().filter(|v| !self.known.contains(v)).collect()
    }

    /// Whether a store may open on this schema under `policy`: never on a schema with versions
    /// this build does not know; under `RequireCurrent`, not on one with pending versions.
    pub fn check(&self, policy: Migrations) -> Result<(), StoreError> {
        if policy == Migrations::Inspect {
            return Ok(());
        }
        let unknown = self.unknown();
        if !unknown.is_empty() {
            return Err(StoreError::Schema(format!(
                "the database has schema version {} which this build does not know (it knows up to {}): a newer Shaqyru \
                 migrated it; run that version or a later one",
                list(&unknown),
                self.known.last().map_or_else(|| "none".to_owned(), i64::to_string),
            )));
        }
        let pending = self.pending();
        if policy == Migrations::RequireCurrent && !pending.is_empty() {
            return Err(StoreError::Schema(format!(
                "the database lacks schema version {}: run `shaqyru migrate` against it first",
                list(&pending)
            )));
        }
        Ok(())
    }
}

fn list(versions: &[i64]) -> String {
    versions.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(applied: &[i64], known: &[i64]) -> SchemaStatus {
        SchemaStatus { applied: applied.to_vec(), known: known.to_vec() }
    }

    #[test]
    fn a_current_schema_opens_under_either_policy() {
        assert!(status(&[1, 2], &[1, 2]).check(Migrations::Apply).is_ok());
        assert!(status(&[1, 2], &[1, 2]).check(Migrations::RequireCurrent).is_ok());
    }

    #[test]
    fn pending_versions_are_applied_or_refused_by_policy() {
        let s = status(&[1], &[1, 2]);
        assert_eq!(s.pending(), vec![2]);
        assert!(s.check(Migrations::Apply).is_ok());
        let e = s.check(Migrations::RequireCurrent).unwrap_err().to_string();
        assert!(e.contains("lacks schema version 2") && e.contains("shaqyru migrate"), "{e}");
    }

    #[test]
    fn a_schema_newer_than_the_build_is_refused_naming_the_versions() {
        let e = status(&[1, 2, 7], &[1, 2]).check(Migrations::Apply).unwrap_err().to_string();
        assert!(e.contains("schema version 7") && e.contains("knows up to 2"), "{e}");
    }
}
