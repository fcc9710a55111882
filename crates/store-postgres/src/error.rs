//! Turns driver and JSON errors into `StoreError`s. Messages name the operation and the kind
//! of failure but never a bound value or a stored value, so that no personal data reaches logs
//! or API responses through an error.

use store::StoreError;

/// Maps a driver error of the operation `op` to `StoreError::Backend`.
pub(crate) fn backend(op: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| StoreError::Backend(format!("{op}: {}", describe(&e)))
}

/// The error's text, except for the parts that may quote a value.
fn describe(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            let mut text = format!("database error {code}");
            if let Some(constraint) = db.constraint() {
                text.push_str(&format!(" (constraint {constraint})"));
            }
            // PostgreSQL's DETAIL (never read here) quotes key values; its primary message does
            // too for data exceptions (class 22, e.g. "invalid input syntax … \"value\""), so
            // for those only the code is kept.
            if !code.starts_with("22") {
                text.push_str(&format!(": {}", db.message()));
            }
            text
        }
        sqlx::Error::ColumnDecode { index, .. } => format!("cannot decode column {index}"),
        sqlx::Error::Decode(_) => "cannot decode a stored value".to_owned(),
        other => other.to_string(),
    }
}

/// The constraint a unique violation (SQLSTATE 23505) broke, if the error is one. Callers
/// match on the constraint names fixed in the migrations, since one statement can violate more
/// than one (a case row: its primary key or its reference).
pub(crate) fn unique_violation(e: &sqlx::Error) -> Option<&str> {
    let db = e.as_database_error()?;
    if db.code().as_deref() == Some("23505") { Some(db.constraint().unwrap_or("")) } else { None }
}
