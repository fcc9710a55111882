//! Officials' signing keys on this machine: creating a key pair (private half to a file only its
//! owner may read, public half to the database), loading the keys directory at start-up, and
//! the in-memory demo keys that let a demo sign without any set-up.

use anyhow::Context;
use documents::{Ed25519Signer, Signer};
use engine::{Clock, DocumentsConfig, MemoryKeyRing};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use store::{OfficialKey, Store};

/// The private keys' file extension in the keys directory.
const EXTENSION: &str = "pem";

/// The documents' configuration of a server: its public address and the keys it signs with.
pub async fn documents_config(
    store: &dyn Store,
    settings: &crate::Settings,
    addr: SocketAddr,
    clock: &dyn Clock,
) -> anyhow::Result<DocumentsConfig> {
    let public_url = settings.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let keys = match &settings.keys_dir {
        Some(dir) => load_dir(dir)?,
        None if settings.demo_accounts => demo_keys(store, settings, clock).await?,
        None => MemoryKeyRing::default(),
    };
    tracing::info!(keys = keys.len(), public_url = %public_url, "document signing keys loaded");
    Ok(DocumentsConfig { public_url, keys: Arc::new(keys) })
}

/// Reads every `*.pem` file of `dir` as an Ed25519 PKCS#8 private key.
pub fn load_dir(dir: &Path) -> anyhow::Result<MemoryKeyRing> {
    let mut keys = MemoryKeyRing::default();
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read the keys directory {}", dir.display()))?;
    for entry in entries {
        let path = entry.with_context(|| format!("cannot read the keys directory {}", dir.display()))?.path();
        if path.extension().and_then(|e| e.to_str()) != Some(EXTENSION) {
            continue;
        }
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read the key file {}", path.display()))?;
        // The error names the file, never its content.
        let key = Ed25519Signer::from_pkcs8_pem(&text)
            .map_err(|_| anyhow::anyhow!("{} is not an Ed25519 private key (PKCS#8 PEM)", path.display()))?;
        keys.add(Arc::new(key));
    }
    Ok(keys)
}

/// A fresh key for every demo head of unit (the `management` account of each provider), kept
/// in memory only; their public keys go to the database so that what they sign verifies later.
async fn demo_keys(store: &dyn Store, settings: &crate::Settings, clock: &dyn Clock) -> anyhow::Result<MemoryKeyRing> {
    let mut keys = MemoryKeyRing::default();
    for unit in settings.units.iter().filter(|u| u.kind == domain::definition::UnitKind::Provider) {
        let user = format!("management@{}", unit.id);
        let key = Ed25519Signer::generate().context("failed to make a demo signing key")?;
        register(store, &user, &key, clock).await?;
        keys.add(Arc::new(key));
    }
    Ok(keys)
}

/// Stores the public half of `key` as `user`'s newest key.
async fn register(store: &dyn Store, user: &str, key: &Ed25519Signer, clock: &dyn Clock) -> anyhow::Result<OfficialKey> {
    let public = key.public_key().to_public_key_pem().context("failed to write the public key")?;
    let record = OfficialKey {
        key_id: key.key_id().to_owned(),
        user_id: user.to_owned(),
        algorithm: key.algorithm().to_owned(),
        public_key: public,
        created_at: clock.now(),
    };
    store.save_official_key(&record).await.with_context(|| format!("failed to store the public key of {user}"))?;
    Ok(record)
}

/// Creates a key pair for `user`: the private key to a new file in `dir` readable by its owner
/// only (mode 0600), the public key to the database. Returns the key id and the file.
pub async fn create(store: &dyn Store, user: &str, dir: &Path, clock: &dyn Clock) -> anyhow::Result<(String, PathBuf)> {
    let found = store.user(user).await.context("failed to read the accounts")?;
    let found = found.ok_or_else(|| anyhow::anyhow!("there is no account {user}; create it first with `shaqyru users add`"))?;
    if found.role != "management" {
        tracing::warn!(user = %user, role = %found.role, "a signing key for an account that does not sign at P7");
    }
    let key = Ed25519Signer::generate().context("failed to make a signing key")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the keys directory {}", dir.display()))?;
    let safe_user: String = user.chars().map(|c| if c.is_ascii_alphanumeric() || "@.-_".contains(c) { c } else { '_' }).collect();
    let id_part = key.key_id().rsplit(':').next().unwrap_or("key").to_owned();
    let path = dir.join(format!("{safe_user}.{id_part}.{EXTENSION}"));
    write_private(&path, key.to_pkcs8_pem().context("failed to write the private key")?.as_bytes())?;
    if let Err(e) = register(store, user, &key, clock).await {
        // Without its public half the file is useless: do not leave it behind.
        let _ = std::fs::remove_file(&path);
        return Err(e);
    }
    Ok((key.key_id().to_owned(), path))
}

/// Writes a new file that only its owner can read or write.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("cannot create the key file {}", path.display()))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).with_context(|| format!("cannot write the key file {}", path.display()))
}
