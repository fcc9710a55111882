//! Issued documents and officials' public keys in SQLite (issue 5): written with the unit of
//! work that issues them, read by case and by verification code.

use crate::error::{backend, is_unique_violation};
use sqlx::{SqliteConnection, SqlitePool};
use store::{OfficialKey, Result, StoreError, StoredDocument};
use store_sql::{DocumentRow, OfficialKeyRow, micros};

/// The columns of `store_sql::OfficialKeyRow`, for `concat!`.
macro_rules! key_columns {
    () => {
        "key_id, user_id, algorithm, public_key, created_at"
    };
}

pub(crate) async fn by_case(pool: &SqlitePool, case: &domain::CaseId) -> Result<Vec<StoredDocument>> {
    let rows: Vec<DocumentRow> =
        sqlx::query_as(concat!("SELECT ", document_columns!(), " FROM documents WHERE case_id = ? ORDER BY rowid"))
            .bind(&case.0)
            .fetch_all(pool)
            .await
            .map_err(backend("read documents"))?;
    rows.into_iter().map(StoredDocument::try_from).collect()
}

pub(crate) async fn by_code(pool: &SqlitePool, code: &str) -> Result<Option<StoredDocument>> {
    let row: Option<DocumentRow> = sqlx::query_as(concat!("SELECT ", document_columns!(), " FROM documents WHERE verification_code = ?"))
        .bind(code)
        .fetch_optional(pool)
        .await
        .map_err(backend("find document by code"))?;
    row.map(StoredDocument::try_from).transpose()
}

pub(crate) async fn revoke(tx: &mut SqliteConnection, registration_number: &str, at: jiff::Timestamp) -> Result<bool> {
    let done =
        sqlx::query("UPDATE documents SET revoked_at = COALESCE(revoked_at, ?) WHERE registration_number = ? AND kind = 'invitation'")
            .bind(micros(at))
            .bind(registration_number)
            .execute(&mut *tx)
            .await
            .map_err(backend("revoke invitation"))?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn save_key(tx: &mut SqliteConnection, key: &OfficialKey) -> Result<()> {
    sqlx::query(concat!("INSERT INTO official_keys (", key_columns!(), ") VALUES (?, ?, ?, ?, ?)"))
        .bind(&key.key_id)
        .bind(&key.user_id)
        .bind(&key.algorithm)
        .bind(&key.public_key)
        .bind(micros(key.created_at))
        .execute(&mut *tx)
        .await
        .map(|_| ())
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Backend("save signing key: the key id is already stored".to_owned())
            } else {
                backend("save signing key")(e)
            }
        })
}

pub(crate) async fn key(pool: &SqlitePool, key_id: &str) -> Result<Option<OfficialKey>> {
    let row: Option<OfficialKeyRow> = sqlx::query_as(concat!("SELECT ", key_columns!(), " FROM official_keys WHERE key_id = ?"))
        .bind(key_id)
        .fetch_optional(pool)
        .await
        .map_err(backend("read signing key"))?;
    row.map(OfficialKey::try_from).transpose()
}

pub(crate) async fn keys_of(pool: &SqlitePool, user: &str) -> Result<Vec<OfficialKey>> {
    let rows: Vec<OfficialKeyRow> =
        sqlx::query_as(concat!("SELECT ", key_columns!(), " FROM official_keys WHERE user_id = ? ORDER BY created_at DESC, rowid DESC"))
            .bind(user)
            .fetch_all(pool)
            .await
            .map_err(backend("read signing keys"))?;
    rows.into_iter().map(OfficialKey::try_from).collect()
}
