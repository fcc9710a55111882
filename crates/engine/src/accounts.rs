//! Accounts for people who sign in to the web UI (issue 8): passwords hashed with argon2id,
//! the login lockout, server-side sessions with idle and absolute timeouts, and the session of a
//! person an OpenID Connect provider signed in, through the local account linked to them.
//!
//! A child module of `engine`, so that it works on the engine's own store, clock and policy.
//! The store keeps rows (a PHC string per user, a session row per sign-in, found by the
//! SHA-256 of its token); this module decides: what a password must be, when a login is
//! refused, how long a session lives (see decision 26 in docs/decisions.md).
//!
//! Nothing here logs a password, a token, a CSRF token or a hash; the user id of a failed
//! login is logged at debug level only.

use super::{Engine, EngineError, Result};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::OnceLock;
use store::{Session, StoreError, User};

/// How long sessions live, when logins are locked, and what a password must be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountPolicy {
    /// A session unused this long ends (60 minutes).
    pub idle: SignedDuration,
    /// A session ends this long after the login, however active (12 hours).
    pub absolute: SignedDuration,
    /// This many wrong passwords in a row lock the account (5)…
    pub lock_after: u32,
    /// …for this long (15 minutes).
    pub lock_for: SignedDuration,
    /// The fewest characters (not bytes) a password may have (12).
    pub min_password_len: usize,
}

impl Default for AccountPolicy {
    fn default() -> Self {
        AccountPolicy {
            idle: SignedDuration::from_mins(60),
            absolute: SignedDuration::from_hours(12),
            lock_after: 5,
            lock_for: SignedDuration::from_mins(15),
            min_password_len: 12,
        }
    }
}

/// The most characters a password may have: argon2 takes any length, but hashing a
/// megabyte on every login attempt is work an attacker should not be able to order.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// A session's `last_seen_at` is written at most this often, to save a write per request; so
/// the idle timeout counts from up to a minute before the last request.
const TOUCH_EVERY: SignedDuration = SignedDuration::from_mins(1);

/// A new session after a successful login. The token goes into the browser's cookie and is
/// never stored; `Debug` shows neither it nor the CSRF token.
#[derive(Clone)]
pub struct NewSession {
    /// 32 random bytes, base64url without padding (43 characters).
    pub token: String,
    /// 32 random bytes, base64url without padding: forms send it back.
    pub csrf_token: String,
    pub user: User,
    /// The absolute end of the session (the login time plus [`AccountPolicy::absolute`]).
    pub expires_at: Timestamp,
}

impl fmt::Debug for NewSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSession").field("user", &self.user).field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

/// Why a login was refused. Unknown users, disabled accounts, accounts without a password and
/// wrong passwords all get `BadCredentials`, so the answer never tells which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginRefused {
    BadCredentials,
    /// Too many wrong passwords: no login, not even with the right one, until then.
    Locked {
        until: Timestamp,
    },
    /// Signing in through the identity provider: no active local account is linked to the
    /// subject it proved.
    NotLinked,
}

/// A valid session as a request presents it.
#[derive(Clone)]
pub struct SessionInfo {
    pub user: User,
    pub csrf_token: String,
    /// The session's absolute end; it ends earlier if left idle.
    pub expires_at: Timestamp,
}

impl SessionInfo {
    /// Whether `presented` is this session's CSRF token, compared in constant time.
    pub fn csrf_matches(&self, presented: &str) -> bool {
        let (a, b) = (self.csrf_token.as_bytes(), presented.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl fmt::Debug for SessionInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionInfo").field("user", &self.user).field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

impl Engine {
    /// The engine with another account policy (the default: [`AccountPolicy::default`]).
    pub fn with_account_policy(mut self, policy: AccountPolicy) -> Engine {
        self.accounts = policy;
        self
    }

    /// The policy in force (the web layer sets its cookie's lifetime from it).
    pub fn account_policy(&self) -> &AccountPolicy {
        &self.accounts
    }

    /// Checks a user's password and opens a session. `Ok(Err(_))` is a refusal to show the
    /// person; `Err(_)` a failure of the service. A locked account is refused without checking
    /// the password; a wrong password counts towards the lock (the attempt that reaches the
    /// limit is still answered `BadCredentials`, the next one `Locked`).
    pub async fn login(&self, user_id: &str, password: &str) -> Result<std::result::Result<NewSession, LoginRefused>> {
        let now = self.now();
        let user = self.store.user(user_id).await?.filter(|u| u.active);
        let credentials = match &user {
            Some(_) => self.store.credentials(user_id).await?,
            None => None,
        };
        if let Some(until) = credentials.as_ref().and_then(|c| c.locked_until).filter(|until| *until > now) {
            tracing::debug!(user.id = user_id, "login refused: the account is locked");
            return Ok(Err(LoginRefused::Locked { until }));
        }
        let hash = credentials.and_then(|c| c.password_hash);
        let has_password = hash.is_some();
        // One verification whatever the case, so that the time taken does not tell an unknown
        // user or an account without a password from a wrong password.
        let verified = verify_password(password, hash).await;
        let user = match (user, has_password, verified) {
            (Some(user), true, true) => user,
            (Some(_), true, false) => {
                let p = &self.accounts;
                let after = self.store.record_login_failure(user_id, now, p.lock_after, p.lock_for).await.map_err(not_found)?;
                if after.locked_until.is_some_and(|until| until > now) {
                    tracing::info!(lock_for = %p.lock_for, "an account was locked after repeated wrong passwords");
                    tracing::debug!(user.id = user_id, "account locked");
                }
                tracing::debug!(user.id = user_id, "login refused: wrong password");
                return Ok(Err(LoginRefused::BadCredentials));
            }
            _ => {
                tracing::debug!(user.id = user_id, "login refused: no such active account with a password");
                return Ok(Err(LoginRefused::BadCredentials));
            }
        };
        self.store.record_login_success(user_id).await.map_err(not_found)?;
        let session = self.open_session(user, now).await?;
        tracing::info!(user.role = %session.user.role, user.unit = %session.user.unit, "signed in");
        Ok(Ok(session))
    }

    /// Opens a session for the local account linked to a subject that the identity provider
    /// has just proved (the ID token checked by the caller). The provider says who the person
    /// is; the account says what they may do. `Ok(Err(NotLinked))` when no account is linked to
    /// the subject or it is disabled: nothing is created. The password lockout does not apply
    /// (it guards against guessed passwords, and no password is involved) and is left as it is.
    pub async fn login_linked(&self, subject: &str) -> Result<std::result::Result<NewSession, LoginRefused>> {
        let now = self.now();
        let Some(user) = self.store.user_by_oidc_subject(subject).await?.filter(|u| u.active) else {
            tracing::info!("sign-in through the identity provider refused: no active account is linked to the subject");
            return Ok(Err(LoginRefused::NotLinked));
        };
        let session = self.open_session(user, now).await?;
        tracing::info!(user.role = %session.user.role, user.unit = %session.user.unit, "signed in through the identity provider");
        Ok(Ok(session))
    }

    /// A new session for `user` from `now`, stored by the hash of its token.
    async fn open_session(&self, user: User, now: Timestamp) -> Result<NewSession> {
        let token = random_token()?;
        let csrf_token = random_token()?;
        let expires_at = now.checked_add(self.accounts.absolute).map_err(|_| internal("the session would end out of range"))?;
        let session = Session {
            id_hash: token_hash(&token),
            user_id: user.id.clone(),
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at,
        };
        self.store.create_session(&session).await.map_err(not_found)?;
        Ok(NewSession { token, csrf_token, user, expires_at })
    }

    /// The session a token opens: `None` when the token is unknown, the session has been idle
    /// for [`AccountPolicy::idle`] or reached its absolute end, or its user is missing or
    /// disabled. Such a session is deleted. Records the activity (at most once a minute).
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>> {
        let id_hash = token_hash(token);
        let Some(session) = self.store.session(&id_hash).await? else { return Ok(None) };
        let now = self.now();
        let idle_end = session.last_seen_at.checked_add(self.accounts.idle).unwrap_or(session.last_seen_at);
        let user =
            if now >= session.expires_at || now >= idle_end { None } else { self.store.user(&session.user_id).await?.filter(|u| u.active) };
        let Some(user) = user else {
            self.store.delete_session(&id_hash).await?;
            tracing::debug!(user.id = %session.user_id, "session ended: expired, or the account is disabled");
            return Ok(None);
        };
        if now.duration_since(session.last_seen_at) >= TOUCH_EVERY {
            self.store.touch_session(&id_hash, now).await?;
        }
        Ok(Some(SessionInfo { user, csrf_token: session.csrf_token, expires_at: session.expires_at }))
    }

    /// Ends the session of a token (signing out); an unknown token is no error.
    pub async fn logout(&self, token: &str) -> Result<()> {
        self.store.delete_session(&token_hash(token)).await?;
        Ok(())
    }

    /// Sets a user's password after checking it against the policy (`BadRequest` saying what
    /// is wrong), clears the user's failed logins and lock, and ends all of their sessions.
    /// `NotFound` for an unknown user.
    pub async fn set_password(&self, user_id: &str, password: &str) -> Result<()> {
        set_password_with(self.store.as_ref(), &self.accounts, user_id, password).await.map(|_| ())
    }

    /// Deletes the sessions past their absolute end, for a periodic clean-up (sessions that
    /// only ran out of idle time go when presented, or at their absolute end).
    pub async fn purge_sessions(&self) -> Result<u64> {
        Ok(self.store.purge_sessions(self.now()).await?)
    }
}

impl AccountPolicy {
    /// Whether `password` may be set for `user_id`: long enough (in characters), not absurdly
    /// long, and not the user id itself. The message says what is wrong, never the password.
    pub fn check_password(&self, user_id: &str, password: &str) -> std::result::Result<(), String> {
        let chars = password.chars().count();
        if chars < self.min_password_len {
            return Err(format!("the password must have at least {} characters; this one has {chars}", self.min_password_len));
        }
        if chars > MAX_PASSWORD_LEN {
            return Err(format!("the password must have at most {MAX_PASSWORD_LEN} characters"));
        }
        if password.trim().to_lowercase() == user_id.trim().to_lowercase() {
            return Err("the password must not be the user id".to_owned());
        }
        Ok(())
    }
}

/// [`Engine::set_password`] on a store without an engine (the CLI's `users password`): checks
/// the password against `policy`, stores its hash (clearing failed logins and the lock) and
/// ends the user's sessions, whose number it returns. `NotFound` for an unknown user,
/// `BadRequest` for a password the policy refuses.
pub async fn set_password_with(store: &dyn store::Store, policy: &AccountPolicy, user_id: &str, password: &str) -> Result<u64> {
    policy.check_password(user_id, password).map_err(EngineError::BadRequest)?;
    // Checked before hashing, which is the slow part.
    if store.user(user_id).await?.is_none() {
        return Err(EngineError::NotFound(format!("user {user_id}")));
    }
    let hash = hash_password(password).await?;
    store.set_password(user_id, Some(&hash)).await.map_err(not_found)?;
    let ended = store.delete_sessions_of(user_id).await?;
    tracing::info!(sessions.ended = ended, "password changed");
    Ok(ended)
}

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane) and a
/// random salt into a PHC string, on a blocking thread. It checks no policy: the CLI hashes the
/// demo password once with it and stores the string for every demo account.
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    blocking(move || {
        let hashed: std::result::Result<PasswordHash, _> = Argon2::default().hash_password(password.as_bytes());
        hashed.map(|h| h.to_string()).map_err(|e| internal(&format!("password hashing failed: {e}")))
    })
    .await
}

/// Whether `password` matches the PHC string `hash`. Without a hash (or with one that does not
/// parse) it verifies against a dummy hash and answers false, taking the same time.
async fn verify_password(password: &str, hash: Option<String>) -> bool {
    let password = password.to_owned();
    blocking(move || {
        let genuine = match hash.as_deref().map(PasswordHash::new) {
            Some(Ok(parsed)) => Some(parsed),
            Some(Err(_)) => {
                tracing::warn!("a stored password hash does not parse; that account cannot log in until its password is set again");
                None
            }
            None => None,
        };
        match genuine {
            Some(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
            None => {
                if let Some(dummy) = dummy_hash() {
                    // The answer is thrown away: only the time it takes matters.
                    let _ = Argon2::default().verify_password(password.as_bytes(), dummy);
                }
                false
            }
        }
    })
    .await
}

/// A hash of a random password, made once per process with the same parameters as real ones,
/// for the verification a login without a real hash still runs.
fn dummy_hash() -> Option<&'static PasswordHash> {
    static DUMMY: OnceLock<Option<PasswordHash>> = OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let password = random_token().ok()?;
            let hashed: std::result::Result<PasswordHash, _> = Argon2::default().hash_password(password.as_bytes());
            hashed.ok()
        })
        .as_ref()
}

/// Runs CPU-heavy work (argon2: tens of milliseconds) off the async workers. A panic in it is
/// passed on.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// 32 random bytes from the operating system, base64url without padding.
fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| internal(&format!("no random bytes for a session token: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What a session is stored under: SHA-256 (hex) of its token.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The store's `NotFound` (a user deleted meanwhile) as the engine's.
fn not_found(e: StoreError) -> EngineError {
    match e {
        StoreError::NotFound(what) => EngineError::NotFound(what),
        other => EngineError::Store(other),
    }
}

/// A failure of this server that no caller can mend (no randomness, hashing impossible). The
/// engine's error type has no variant of its own for that, so it travels as a backend failure
/// and is shown as a server error.
fn internal(what: &str) -> EngineError {
    EngineError::Store(StoreError::Backend(what.to_owned()))
}
