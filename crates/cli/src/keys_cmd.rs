//! `shaqyru keys …` and `shaqyru invitations …`: the administrator's commands for officials'
//! signing keys and for revoking an issued invitation.

use anyhow::Context;
use clap::Subcommand;
use engine::Clock;
use shaqyru::app::Database;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum KeysCmd {
    /// Make a signing key for an official (a head of unit who signs at P7): the private key goes
    /// to a new file in the keys directory, readable only by its owner; the public key to the
    /// database. Start the server with the same --keys-dir.
    Create {
        /// The SQLite database file, or a postgres:// URL.
        #[arg(long, env = "SHAQYRU_DATABASE", default_value = "shaqyru.sqlite")]
        database: String,
        /// The official's account, e.g. management@mvd-astana.
        #[arg(long)]
        user: String,
        /// Where the private key file is written.
        #[arg(long, env = "SHAQYRU_KEYS_DIR", default_value = "keys")]
        keys_dir: PathBuf,
    },
    /// List an official's registered public keys, newest (the one used) first.
    List {
        #[arg(long, env = "SHAQYRU_DATABASE", default_value = "shaqyru.sqlite")]
        database: String,
        #[arg(long)]
        user: String,
    },
}

#[derive(Subcommand)]
pub enum InvitationsCmd {
    /// Revoke an issued invitation: its public verification answers "revoked" from now on.
    Revoke {
        #[arg(long, env = "SHAQYRU_DATABASE", default_value = "shaqyru.sqlite")]
        database: String,
        /// The invitation's registration number.
        #[arg(long)]
        number: String,
    },
}

pub async fn keys(command: KeysCmd) -> anyhow::Result<()> {
    match command {
        KeysCmd::Create { database, user, keys_dir } => {
            let db = Database::open(&database, store::Migrations::RequireCurrent, 2).await?;
            let made = shaqyru::keys::create(db.store().as_ref(), &user, &keys_dir, &engine::SystemClock).await;
            db.close().await;
            let (key_id, path) = made?;
            println!("{user}\t{key_id}\t{}", path.display());
        }
        KeysCmd::List { database, user } => {
            let db = Database::open(&database, store::Migrations::RequireCurrent, 2).await?;
            let keys = db.store().official_keys(&user).await;
            db.close().await;
            for k in keys.context("failed to read the keys")? {
                println!("{}\t{}\t{}\t{}", k.user_id, k.key_id, k.algorithm, k.created_at);
            }
        }
    }
    Ok(())
}

pub async fn invitations(command: InvitationsCmd) -> anyhow::Result<()> {
    match command {
        InvitationsCmd::Revoke { database, number } => {
            let db = Database::open(&database, store::Migrations::RequireCurrent, 2).await?;
            let revoked = db.store().revoke_invitation(number.trim(), engine::SystemClock.now()).await;
            db.close().await;
            anyhow::ensure!(revoked.context("failed to revoke")?, "no invitation has the registration number {number}");
            println!("revoked\t{number}");
        }
    }
    Ok(())
}
