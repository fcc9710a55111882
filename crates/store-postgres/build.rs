//! Rebuilds the crate when a migration file is added or changed: `sqlx::migrate!` embeds the
//! folder at compile time and cannot tell cargo by itself.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
