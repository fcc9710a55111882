//! Issued documents and officials' public keys in PostgreSQL (issue 5): written with the unit of
//! work that issues them, read by case and by verification code.

use crate::error::{backend, unique_violation};
use sqlx::{PgConnection, PgPool};
use store::{OfficialKey, Result, StoreError, StoredDocument, UnitOfWork};
use store_sql::{DocumentRow, OfficialKeyRow, micros};

/// The columns of `store_sql::DocumentRow`, for `concat!`.
macro_rules! document_columns {
    () => {
        "id, case_id, task_id, kind, hash, view, signature, verification_code, registration_number, issued_at, revoked_at"
    };
}

/// The columns of `store_sql::OfficialKeyRow`, for `concat!`.
macro_rules! key_columns {
    () => {
        "key_id, user_id, algorithm, public_key, created_at"
    };
}

/// Writes the unit's documents inside its transaction.
pub(crate) async fn write(tx: &mut PgConnection, unit: &UnitOfWork) -> Result<()> {
    // `store_sql::check_unit` has made sure every document is the unit's case's.
    for d in &unit.documents {
        sqlx::query(concat!("INSERT INTO documents (", document_columns!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"))
            .bind(&d.id)
            .bind(&d.case_id.0)
            .bind(i64::from(d.task))
            .bind(&d.kind)
            .bind(&d.hash)
            .bind(&d.view)
            .bind(&d.signature)
            .bind(&d.verification_code)
            .bind(&d.registration_number)
            .bind(micros(d.issued_at))
            .bind(d.revoked_at.map(micros))
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if unique_violation(&e).is_some() {
                    StoreError::Backend("write document: its id or verification code is already used".to_owned())
                } else {
                    backend("write document")(e)
                }
            })?;
    }
    Ok(())
}

pub(crate) async fn by_case(pool: &PgPool, case: &domain::CaseId) -> Result<Vec<StoredDocument>> {
    let rows: Vec<DocumentRow> = sqlx::query_as(concat!("SELECT ", document_columns!(), " FROM documents WHERE case_id = $1 ORDER BY seq"))
        .bind(&case.0)
        .fetch_all(pool)
        .await
        .map_err(backend("read documents"))?;
    rows.into_iter().map(StoredDocument::try_from).collect()
}

pub(crate) async fn by_code(pool: &PgPool, code: &str) -> Result<Option<StoredDocument>> {
    let row: Option<DocumentRow> = sqlx::query_as(concat!("SELECT ", document_columns!(), " FROM documents WHERE verification_code = $1"))
        .bind(code)
        .fetch_optional(pool)
        .await
        .map_err(backend("find document by code"))?;
    row.map(StoredDocument::try_from).transpose()
}

pub(crate) async fn revoke(tx: &mut PgConnection, registration_number: &str, at: jiff::Timestamp) -> Result<bool> {
    let done =
        sqlx::query("UPDATE documents SET revoked_at = COALESCE(revoked_at, $1) WHERE registration_number = $2 AND kind = 'invitation'")
            .bind(micros(at))
            .bind(registration_number)
            .execute(&mut *tx)
            .await
            .map_err(backend("revoke invitation"))?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn save_key(tx: &mut PgConnection, key: &OfficialKey) -> Result<()> {
    sqlx::query(concat!("INSERT INTO official_keys (", key_columns!(), ") VALUES ($1, $2, $3, $4, $5)"))
        .bind(&key.key_id)
        .bind(&key.user_id)
        .bind(&key.algorithm)
        .bind(&key.public_key)
        .bind(micros(key.created_at))
        .execute(&mut *tx)
        .await
        .map(|_| ())
        .map_err(|e| {
            if unique_violation(&e).is_some() {
                StoreError::Backend("save signing key: the key id is already stored".to_owned())
            } else {
                backend("save signing key")(e)
            }
        })
}

pub(crate) async fn key(pool: &PgPool, key_id: &str) -> Result<Option<OfficialKey>> {
    let row: Option<OfficialKeyRow> = sqlx::query_as(concat!("SELECT ", key_columns!(), " FROM official_keys WHERE key_id = $1"))
        .bind(key_id)
        .fetch_optional(pool)
        .await
        .map_err(backend("read signing key"))?;
    row.map(OfficialKey::try_from).transpose()
}

pub(crate) async fn keys_of(pool: &PgPool, user: &str) -> Result<Vec<OfficialKey>> {
    let rows: Vec<OfficialKeyRow> =
        sqlx::query_as(concat!("SELECT ", key_columns!(), " FROM official_keys WHERE user_id = $1 ORDER BY created_at DESC, key_id DESC"))
            .bind(user)
            .fetch_all(pool)
            .await
            .map_err(backend("read signing keys"))?;
    rows.into_iter().map(OfficialKey::try_from).collect()
}
