//! Passwords, the login lockout and the web UI's sessions in SQLite (issue 8). Writes take the
//! caller's write transaction (see the crate docs), reads the reader pool; the session, read on
//! every request of a signed-in browser, is a point read.

use crate::error::{backend, is_unique_violation};
use crate::point_reads::PointReads;
use jiff::{SignedDuration, Timestamp};
use sqlx::{SqliteConnection, SqlitePool};
use store::{Credentials, Result, Session, StoreError};
use store_sql::{CredentialsRow, SessionRow, lock_end, lock_threshold, login_failure, micros, no_user, user_updated};

/// The columns of `store_sql::SessionRow`, for `concat!`.
macro_rules! session_columns {
    () => {
        "id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at"
    };
}

fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|db| db.is_foreign_key_violation())
}

pub(crate) async fn set_password(tx: &mut SqliteConnection, user_id: &str, password_hash: Option<&str>) -> Result<()> {
    let done = sqlx::query("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(backend("set password"))?;
    user_updated(done.rows_affected(), user_id)
}

pub(crate) async fn credentials(pool: &SqlitePool, user_id: &str) -> Result<Option<Credentials>> {
    let row: Option<CredentialsRow> = sqlx::query_as("SELECT password_hash, failed_logins, locked_until FROM users WHERE id = ?")
        .bind(user_id)
        .fetch_optional(pool)
        .await
        .map_err(backend("read credentials"))?;
    row.map(Credentials::try_from).transpose()
}

pub(crate) async fn record_login_failure(
    tx: &mut SqliteConnection,
    user_id: &str,
    now: Timestamp,
    lock_after: u32,
    lock_for: SignedDuration,
) -> Result<Credentials> {
    // One statement: every right-hand side sees the row as it was, so the count and the lock
    // agree; the write lock makes concurrent failures count one after the other.
    let row: Option<CredentialsRow> = sqlx::query_as(
        "UPDATE users SET
            failed_logins = CASE WHEN failed_logins + 1 >= ?1 THEN 0 ELSE failed_logins + 1 END,
            locked_until = CASE WHEN failed_logins + 1 >= ?1 THEN ?2 ELSE locked_until END
         WHERE id = ?3
         RETURNING password_hash, failed_logins, locked_until",
    )
    .bind(lock_threshold(lock_after))
    .bind(lock_end(now, lock_for)?)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend("record login failure"))?;
    login_failure(row, user_id)
}

pub(crate) async fn record_login_success(tx: &mut SqliteConnection, user_id: &str) -> Result<()> {
    let done = sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?")
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(backend("record login success"))?;
    user_updated(done.rows_affected(), user_id)
}

pub(crate) async fn create_session(tx: &mut SqliteConnection, s: &Session) -> Result<()> {
    let row = SessionRow::from(s);
    sqlx::query(concat!("INSERT INTO sessions (", session_columns!(), ") VALUES (?, ?, ?, ?, ?, ?)"))
        .bind(row.id_hash)
        .bind(row.user_id)
        .bind(row.csrf_token)
        .bind(row.created_at)
        .bind(row.last_seen_at)
        .bind(row.expires_at)
        .execute(&mut *tx)
        .await
        .map(|_| ())
        .map_err(|e| {
            if is_foreign_key_violation(&e) {
                no_user(&s.user_id)
            } else if is_unique_violation(&e) {
                StoreError::Backend("create session: the session id is already used".to_owned())
            } else {
                backend("create session")(e)
            }
        })
}

/// Read on the caller's thread: every request of a signed-in browser makes it (decision 42).
pub(crate) fn session(point: &PointReads, id_hash: &str) -> Result<Option<Session>> {
    let row = point.row("read session", concat!("SELECT ", session_columns!(), " FROM sessions WHERE id_hash = ?"), [id_hash], |r| {
        Ok(SessionRow {
            id_hash: r.get(0)?,
            user_id: r.get(1)?,
            csrf_token: r.get(2)?,
            created_at: r.get(3)?,
            last_seen_at: r.get(4)?,
            expires_at: r.get(5)?,
        })
    })?;
    row.map(Session::try_from).transpose()
}

pub(crate) async fn touch_session(tx: &mut SqliteConnection, id_hash: &str, last_seen_at: Timestamp) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id_hash = ?")
        .bind(micros(last_seen_at))
        .bind(id_hash)
        .execute(&mut *tx)
        .await
        .map(|_| ())
        .map_err(backend("touch session"))
}

pub(crate) async fn delete_session(tx: &mut SqliteConnection, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
        .bind(id_hash)
        .execute(&mut *tx)
        .await
        .map(|_| ())
        .map_err(backend("delete session"))
}

pub(crate) async fn delete_sessions_of(tx: &mut SqliteConnection, user_id: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = ?")
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(backend("delete sessions of user"))?;
    Ok(done.rows_affected())
}

pub(crate) async fn purge_sessions(tx: &mut SqliteConnection, expired_before: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at < ?")
        .bind(micros(expired_before))
        .execute(&mut *tx)
        .await
        .map_err(backend("purge sessions"))?;
    Ok(done.rows_affected())
}

/// The refusal of a provider subject that another user holds (the unique index): it names
/// neither the subject nor the user.
fn subject_taken() -> StoreError {
    StoreError::Backend("link OIDC subject: the subject is already linked to another user".to_owned())
}

pub(crate) async fn set_oidc_subject(tx: &mut SqliteConnection, user_id: &str, subject: Option<&str>) -> Result<()> {
    let done = sqlx::query("UPDATE users SET oidc_subject = ? WHERE id = ?")
        .bind(subject)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| if is_unique_violation(&e) { subject_taken() } else { backend("link OIDC subject")(e) })?;
    user_updated(done.rows_affected(), user_id)
}

pub(crate) async fn user_by_oidc_subject(pool: &SqlitePool, subject: &str) -> Result<Option<store::User>> {
    let row: Option<store_sql::UserRow> = sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE oidc_subject = ?"))
        .bind(subject)
        .fetch_optional(pool)
        .await
        .map_err(backend("find user by OIDC subject"))?;
    Ok(row.map(store::User::from))
}

pub(crate) async fn oidc_subject(pool: &SqlitePool, user_id: &str) -> Result<Option<String>> {
    let subject: Option<Option<String>> = sqlx::query_scalar("SELECT oidc_subject FROM users WHERE id = ?")
        .bind(user_id)
        .fetch_optional(pool)
        .await
        .map_err(backend("read OIDC subject"))?;
    Ok(subject.flatten())
}
