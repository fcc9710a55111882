//! Turns driver and JSON errors into `StoreError`s. Messages name the operation and the kind
//! of failure but never a bound value or a stored value, so that no personal data reaches logs
//! or API responses through an error.

use store::StoreError;

/// Maps a driver error of the operation `op` to `StoreError::Backend`.
pub(crate) fn backend(op: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| StoreError::Backend(format!("{op}: {}", describe(&e)))
}

/// The error's text, except for the kinds whose text may quote a value read from the database.
fn describe(e: &sqlx::Error) -> String {
    match e {
        // SQLite's own messages name tables, columns and constraints, not values.
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => format!("database error {code}: {}", db.message()),
            None => format!("database error: {}", db.message()),
        },
        sqlx::Error::ColumnDecode { index, .. } => format!("cannot decode column {index}"),
        sqlx::Error::Decode(_) => "cannot decode a stored value".to_owned(),
        other => other.to_string(),
    }
}

/// Whether the error is a UNIQUE or PRIMARY KEY violation. Each statement that can violate a
/// constraint has exactly one that the caller maps, so the statement tells which it was.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|db| db.is_unique_violation())
}

/// Maps an error of the write thread's driver (`rusqlite`) in the operation `op`.
pub(crate) fn sync_backend(op: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |e| StoreError::Backend(format!("{op}: {}", describe_sync(&e)))
}

/// As [`describe`], for the write thread's driver.
pub(crate) fn describe_sync(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => match message {
            Some(message) => format!("database error {}: {message}", code.extended_code),
            None => format!("database error {}: {code}", code.extended_code),
        },
        rusqlite::Error::FromSqlConversionFailure(index, ..) | rusqlite::Error::IntegralValueOutOfRange(index, _) => {
            format!("cannot decode column {index}")
        }
        other => other.to_string(),
    }
}

/// As [`is_unique_violation`], for the write thread's driver.
pub(crate) fn is_unique_violation_sync(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error().map(|f| f.extended_code),
        Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    )
}
