//! PostgreSQL chores the suite does through the `psql` client (sizes, dropping a benchmark's
//! schema), so that this crate never needs a database driver of its own.

use std::process::Command;

/// Runs one statement with `psql` on `url`; its unaligned output, or `None` (with the error
/// printed) when `psql` is missing or fails.
pub fn psql(url: &str, sql: &str) -> Option<String> {
    let out = Command::new("psql").args([url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql]).output();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).trim().to_owned()),
        Ok(o) => {
            eprintln!("psql: {}", String::from_utf8_lossy(&o.stderr).trim());
            None
        }
        Err(e) => {
            eprintln!("psql cannot run: {e}");
            None
        }
    }
}

/// Every byte the tables of `schema` take, with their indexes and TOAST.
pub fn schema_bytes(url: &str, schema: &str) -> Option<u64> {
    let sql = format!(
        "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = '{schema}' AND c.relkind = 'r'"
    );
    psql(url, &sql)?.parse().ok()
}

pub fn drop_schema(url: &str, schema: &str) {
    let _ = psql(url, &format!("SET client_min_messages = warning; DROP SCHEMA IF EXISTS {schema} CASCADE"));
}

/// The server settings that decide how a commit reaches the disk.
pub fn durability_settings(url: &str) -> Option<String> {
    psql(
        url,
        "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings \
         WHERE name IN ('synchronous_commit', 'fsync', 'commit_delay', 'commit_siblings', 'wal_sync_method', 'shared_buffers')",
    )
}
