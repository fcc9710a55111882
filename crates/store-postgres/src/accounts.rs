//! Passwords, the login lockout and the web UI's sessions in PostgreSQL (issue 8). Each write
//! is one statement, atomic by itself, so no explicit transaction is needed; replicas share
//! the rows, which is why sessions live here and not in a process's memory.

use crate::error::{backend, unique_violation};
use jiff::{SignedDuration, Timestamp};
use sqlx::PgPool;
use store::{Credentials, Result, Session, StoreError};
use store_sql::{CredentialsRow, SessionRow, lock_end, lock_threshold, login_failure, micros, no_user, user_updated};

/// The columns of `store_sql::SessionRow`, for `concat!`.
macro_rules! session_columns {
    () => {
        "id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at"
    };
}

/// The session's foreign key to its user, named in the migration.
const SESSIONS_USER_FKEY: &str = "sessions_user_id_fkey";

fn foreign_key_violation(e: &sqlx::Error) -> Option<&str> {
    let db = e.as_database_error()?;
    if db.is_foreign_key_violation() { Some(db.constraint().unwrap_or("")) } else { None }
}

pub(crate) async fn set_password(pool: &PgPool, user_id: &str, password_hash: Option<&str>) -> Result<()> {
    let done = sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(pool)
        .await
        .map_err(backend("set password"))?;
    user_updated(done.rows_affected(), user_id)
}

pub(crate) async fn credentials(pool: &PgPool, user_id: &str) -> Result<Option<Credentials>> {
    let row: Option<CredentialsRow> = sqlx::query_as("SELECT password_hash, failed_logins, locked_until FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await
        .map_err(backend("read credentials"))?;
    row.map(Credentials::try_from).transpose()
}

pub(crate) async fn record_login_failure(
    pool: &PgPool,
    user_id: &str,
    now: Timestamp,
    lock_after: u32,
    lock_for: SignedDuration,
) -> Result<Credentials> {
    // One statement: its row lock makes concurrent failures (of several replicas) count one
    // after the other, and every right-hand side sees the row as it was.
    let row: Option<CredentialsRow> = sqlx::query_as(
        "UPDATE users SET
            failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END,
            locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END
         WHERE id = $3
         RETURNING password_hash, failed_logins, locked_until",
    )
    .bind(lock_threshold(lock_after))
    .bind(lock_end(now, lock_for)?)
    .bind(user_id)
    .fetch_optional(pool)
    .await
    .map_err(backend("record login failure"))?;
    login_failure(row, user_id)
}

pub(crate) async fn record_login_success(pool: &PgPool, user_id: &str) -> Result<()> {
    let done = sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(user_id)
        .execute(pool)
        .await
        .map_err(backend("record login success"))?;
    user_updated(done.rows_affected(), user_id)
}

pub(crate) async fn create_session(pool: &PgPool, s: &Session) -> Result<()> {
    let row = SessionRow::from(s);
    sqlx::query(concat!("INSERT INTO sessions (", session_columns!(), ") VALUES ($1, $2, $3, $4, $5, $6)"))
        .bind(row.id_hash)
        .bind(row.user_id)
        .bind(row.csrf_token)
        .bind(row.created_at)
        .bind(row.last_seen_at)
        .bind(row.expires_at)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(|e| {
            if foreign_key_violation(&e) == Some(SESSIONS_USER_FKEY) {
                no_user(&s.user_id)
            } else if unique_violation(&e).is_some() {
                StoreError::Backend("create session: the session id is already used".to_owned())
            } else {
                backend("create session")(e)
            }
        })
}

pub(crate) async fn session(pool: &PgPool, id_hash: &str) -> Result<Option<Session>> {
    let row: Option<SessionRow> = sqlx::query_as(concat!("SELECT ", session_columns!(), " FROM sessions WHERE id_hash = $1"))
        .bind(id_hash)
        .fetch_optional(pool)
        .await
        .map_err(backend("read session"))?;
    row.map(Session::try_from).transpose()
}

pub(crate) async fn touch_session(pool: &PgPool, id_hash: &str, last_seen_at: Timestamp) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE id_hash = $2")
        .bind(micros(last_seen_at))
        .bind(id_hash)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(backend("touch session"))
}

pub(crate) async fn delete_session(pool: &PgPool, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(pool).await.map(|_| ()).map_err(backend("delete session"))
}

pub(crate) async fn delete_sessions_of(pool: &PgPool, user_id: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(pool)
        .await
        .map_err(backend("delete sessions of user"))?;
    Ok(done.rows_affected())
}

pub(crate) async fn purge_sessions(pool: &PgPool, expired_before: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(micros(expired_before))
        .execute(pool)
        .await
        .map_err(backend("purge sessions"))?;
    Ok(done.rows_affected())
}

/// The unique constraint on `users.oidc_subject`, named in the migration.
const USERS_OIDC_SUBJECT_KEY: &str = "users_oidc_subject_key";

pub(crate) async fn set_oidc_subject(pool: &PgPool, user_id: &str, subject: Option<&str>) -> Result<()> {
    let done =
        sqlx::query("UPDATE users SET oidc_subject = $1 WHERE id = $2").bind(subject).bind(user_id).execute(pool).await.map_err(|e| {
            if unique_violation(&e) == Some(USERS_OIDC_SUBJECT_KEY) {
                // Names neither the subject nor the user that holds it.
                StoreError::Backend("link OIDC subject: the subject is already linked to another user".to_owned())
            } else {
                backend("link OIDC subject")(e)
            }
        })?;
    user_updated(done.rows_affected(), user_id)
}

pub(crate) async fn user_by_oidc_subject(pool: &PgPool, subject: &str) -> Result<Option<store::User>> {
    let row: Option<store_sql::UserRow> = sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE oidc_subject = $1"))
        .bind(subject)
        .fetch_optional(pool)
        .await
        .map_err(backend("find user by OIDC subject"))?;
    Ok(row.map(store::User::from))
}

pub(crate) async fn oidc_subject(pool: &PgPool, user_id: &str) -> Result<Option<String>> {
    let subject: Option<Option<String>> = sqlx::query_scalar("SELECT oidc_subject FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await
        .map_err(backend("read OIDC subject"))?;
    Ok(subject.flatten())
}
