//! The Store trait: durable storage shaped around the engine's units of work. One call commits
//! a case's new events, its projections (summary and tasks), the idempotency record of the
//! command and the outbox messages it causes, in one transaction, if the case is still at the
//! version the command was decided on.
//!
//! Invariant: knows domain types and serde, never SQL or a database driver. Every backend passes
//! the suite in [`conformance`].

pub mod chain;
pub mod conformance;
pub mod schema;

pub use schema::{Migrations, SchemaStatus};

use async_trait::async_trait;
use domain::{CaseId, EditionRef, Event};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another command changed the case first: the caller's view is stale.
    #[error("case {case} is at version {actual}, not {expected}")]
    Conflict { case: CaseId, expected: u64, actual: u64 },
    /// A command with the same idempotency key (of the same user) was committed concurrently.
    #[error("idempotency key already used")]
    DuplicateKey,
    /// A second case with the same reference number.
    #[error("reference {0} already exists")]
    DuplicateReference(String),
    /// The database's schema does not fit this build (newer, or not yet migrated).
    #[error("{0}")]
    Schema(String),
    /// The database failed or holds something this version cannot read.
    #[error("storage failure: {0}")]
    Backend(String),
    /// The row an update names does not exist (e.g. a password set for an unknown user).
    #[error("{0} not found")]
    NotFound(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The case list projection: one row per case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub case_id: CaseId,
    pub reference: String,
    pub edition: EditionRef,
    /// `open` or `closed`.
    pub status: String,
    /// A `CaseResult` code once decided.
    pub result: Option<String>,
    pub sc_branch: String,
    pub provider: String,
    /// The steps with an open task, in task order.
    pub open_steps: Vec<String>,
    pub version: u64,
    pub opened_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The worklist projection: one row per task, kept after it is done for reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRow {
    pub case_id: CaseId,
    pub task_id: u32,
    pub reference: String,
    pub step: String,
    pub role: String,
    pub unit: String,
    pub assignee: Option<String>,
    pub cites: Vec<String>,
    /// The regulated limit as written, e.g. "10 working minutes".
    pub limit: String,
    pub opened_at: Timestamp,
    /// The task's deadline on the working calendar, once computed.
    pub due_at: Option<Timestamp>,
    /// From this moment the task counts as at risk.
    pub warn_at: Option<Timestamp>,
    /// The role an overdue task was escalated to (it shows on that role's worklist too).
    pub escalated_to: Option<String>,
    pub done_at: Option<Timestamp>,
    pub outcome: Option<String>,
    pub done_by: Option<String>,
    /// The minutes the task's deadline was computed in, as the engine's time-basis code
    /// (`office_minutes`, or `elapsed_minutes` for a limit in calendar days, such as the KNB's
    /// extension). Reports read it instead of replaying the case. `None` on rows written before
    /// the column existed (migration 0010).
    pub time_basis: Option<String>,
}

/// The stored answer to a command, so that a retry with the same key gets it again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// The user who sent the command: keys are per user.
    pub user: String,
    pub key: String,
    /// A hash of the request, to tell a retry from a different request reusing a key.
    pub request_hash: String,
    pub case_id: CaseId,
    /// The response body sent the first time.
    pub response: serde_json::Value,
    pub created_at: Timestamp,
}

/// A call to an external system that a committed event requires, dispatched after commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOutboxMessage {
    pub id: String,
    pub case_id: CaseId,
    /// A `Call` code, e.g. `knb.request_coordination`.
    pub kind: String,
    pub payload: serde_json::Value,
    /// Sent with the call so the remote side can drop a duplicate.
    pub idempotency_key: String,
    pub due_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: String,
    pub case_id: CaseId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub idempotency_key: String,
    /// `pending`, `delivered` or `dead` (see [`OutboxState`]).
    pub state: String,
    pub attempts: u32,
    pub due_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    /// When the message was given up on (its state is `dead`); cleared by a retry.
    pub dead_at: Option<Timestamp>,
}

/// Where an outbox message is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its due time, being tried, or waiting for a retry after a failure.
    Pending,
    Delivered,
    /// Given up on (refused by the other system, or too many failures): it is not tried again
    /// until an operator says so.
    Dead,
}

impl OutboxState {
    pub const ALL: [OutboxState; 3] = [OutboxState::Pending, OutboxState::Delivered, OutboxState::Dead];

    /// The code stored in the `state` column.
    pub fn code(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Delivered => "delivered",
            OutboxState::Dead => "dead",
        }
    }

    pub fn parse(code: &str) -> Option<OutboxState> {
        OutboxState::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A timer written with the event that causes it: at `due_at` the engine asks the domain what
/// the case's state makes of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTimer {
    pub id: String,
    pub case_id: CaseId,
    /// A `TimerKind` code: `warn`, `due`, `term_end`.
    pub kind: String,
    /// The `TimerKind` itself.
    pub payload: serde_json::Value,
    pub due_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    pub id: String,
    pub case_id: CaseId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub due_at: Timestamp,
    /// `pending` or `fired`.
    pub state: String,
    pub attempts: u32,
    pub fired_at: Option<Timestamp>,
}

/// Everything one command changes, committed atomically.
#[derive(Clone, Debug)]
pub struct UnitOfWork {
    pub case_id: CaseId,
    /// The number of events the case had when the command was decided (0: a new case).
    pub expected_version: u64,
    /// Appended as versions `expected_version + 1 ..`.
    pub events: Vec<Event>,
    pub summary: CaseSummary,
    /// Tasks opened or changed by this command (inserted or replaced by case and task id).
    pub tasks: Vec<TaskRow>,
    pub idempotency: Option<IdempotencyRecord>,
    pub outbox: Vec<NewOutboxMessage>,
    /// Timers the command's events set.
    pub timers: Vec<NewTimer>,
    /// Timers whose effect this unit records: marked fired in the same transaction.
    pub fired_timers: Vec<String>,
    /// Documents issued by the command's events (`DocumentIssued`), stored with them.
    pub documents: Vec<StoredDocument>,
}

/// A person who signs in: staff of a unit in one role, or a system account.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub role: String,
    pub unit: String,
    /// SHA-256 (hex) of the user's API token; the token itself is never stored.
    pub token_hash: String,
    pub active: bool,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User").field("id", &self.id).field("role", &self.role).field("unit", &self.unit).finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, Default)]
pub struct TaskQuery {
    pub role: Option<String>,
    pub unit: Option<String>,
    /// Only tasks assigned to this user, or unassigned ones when `include_unassigned`.
    pub assignee: Option<String>,
    pub include_unassigned: bool,
    pub open_only: bool,
    pub case_id: Option<CaseId>,
    /// Only tasks escalated to this role (with `unit`, of that unit).
    pub escalated_to: Option<String>,
    /// Only tasks done at or after this instant (so never an open task).
    pub done_from: Option<Timestamp>,
    /// Only tasks done before this instant: with `done_from`, the half-open period
    /// `[done_from, done_to)`, so consecutive periods never count a task twice.
    pub done_to: Option<Timestamp>,
    /// The most rows to return; 0 means the backend's default page (500 in SQLite). A report that
    /// needs every row of its period passes [`TaskQuery::ALL`].
    pub limit: u32,
}

impl TaskQuery {
    /// A `limit` that no backend reaches: every matching row.
    pub const ALL: u32 = u32::MAX;
}

#[derive(Clone, Debug, Default)]
pub struct CaseQuery {
    /// Cases where this unit is the branch or the provider; `None`: all.
    pub unit: Option<String>,
    pub status: Option<String>,
    pub limit: u32,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Keeps a definition's exact text under its edition and hash; a second call with the same
    /// hash changes nothing.
    async fn save_definition(&self, edition: &EditionRef, source: &str) -> Result<()>;
    /// The text of a definition by its hash.
    async fn load_definition(&self, hash: &str) -> Result<Option<String>>;
    /// Every stored definition (edition and hash).
    async fn definitions(&self) -> Result<Vec<EditionRef>>;

    /// The next number of a per-year counter (1, 2, …), for case reference numbers. Never gives
    /// the same number twice, even across replicas.
    async fn next_number(&self, counter: &str) -> Result<u64>;

    /// Commits a unit of work, or fails with `Conflict` (wrong version: nothing written),
    /// `DuplicateKey` (the idempotency key was used meanwhile: nothing written) or
    /// `DuplicateReference`.
    async fn commit(&self, unit: UnitOfWork) -> Result<()>;

    /// A case's events in order; empty if there is no such case.
    async fn load_events(&self, case: &CaseId) -> Result<Vec<Event>>;
    async fn find_idempotent(&self, user: &str, key: &str) -> Result<Option<IdempotencyRecord>>;
    async fn case_summary(&self, case: &CaseId) -> Result<Option<CaseSummary>>;
    async fn case_by_reference(&self, reference: &str) -> Result<Option<CaseSummary>>;
    /// Newest first.
    async fn list_cases(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>>;
    /// The soonest due first (tasks without a deadline last), then the oldest opened.
    async fn list_tasks(&self, query: &TaskQuery) -> Result<Vec<TaskRow>>;

    /// Claims up to `limit` pending messages due at `now`: each claimed message gets
    /// `attempts + 1` and is not claimed again before `now + lease` (so a crashed dispatcher's
    /// claim runs out).
    async fn claim_outbox(&self, now: Timestamp, limit: u32, lease: jiff::SignedDuration) -> Result<Vec<OutboxMessage>>;
    async fn outbox_delivered(&self, id: &str, at: Timestamp) -> Result<()>;
    /// Leaves the message pending, due again at `retry_at`, with the error.
    async fn outbox_failed(&self, id: &str, error: &str, retry_at: Timestamp) -> Result<()>;
    /// All messages of a case (or all, newest first, when `None`).
    async fn outbox(&self, case: Option<&CaseId>) -> Result<Vec<OutboxMessage>>;
    /// Gives up on a pending message: it becomes `dead` with the error and is never claimed
    /// again unless [`Store::outbox_retry`] brings it back. A message in another state is left
    /// as it is (a late report must not bury a delivered message).
    async fn outbox_dead(&self, id: &str, error: &str, at: Timestamp) -> Result<()>;
    /// Brings a dead message back: pending, due at `now`, with a fresh count of attempts (its
    /// last error stays for the record). False, changing nothing, when there is no dead message
    /// with this id.
    async fn outbox_retry(&self, id: &str, now: Timestamp) -> Result<bool>;
    /// One message by id.
    async fn outbox_message(&self, id: &str) -> Result<Option<OutboxMessage>>;
    /// Up to `limit` messages in `state` (any state when `None`), newest first.
    async fn outbox_by_state(&self, state: Option<OutboxState>, limit: u32) -> Result<Vec<OutboxMessage>>;

    /// Claims up to `limit` pending timers due at `now`, soonest first: each gets `attempts + 1`
    /// and is not claimed again before `now + lease`. Its `due_at` stays as written.
    async fn claim_timers(&self, now: Timestamp, limit: u32, lease: jiff::SignedDuration) -> Result<Vec<Timer>>;
    /// Marks a timer fired that changed nothing (the case had moved on).
    async fn timer_fired(&self, id: &str, at: Timestamp) -> Result<()>;
    /// A case's timers, soonest first.
    async fn timers(&self, case: &CaseId) -> Result<Vec<Timer>>;

    /// Inserts or replaces a user by id.
    async fn upsert_user(&self, user: &User) -> Result<()>;
    async fn user(&self, id: &str) -> Result<Option<User>>;
    async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>>;
    async fn users(&self) -> Result<Vec<User>>;

    /// Open, at-risk and overdue tasks per step, due timers and the outbox backlog, as of `now`
    /// (see [`Monitoring`]).
    async fn monitoring(&self, now: Timestamp) -> Result<Monitoring>;

    /// Waits until a commit, possibly of another process on the same database, may have queued
    /// work for the dispatchers (an outbox message), or `timeout` passes. Waking early is
    /// allowed, so callers always poll after it returns; a backend that cannot hear other
    /// processes simply sleeps.
    async fn wait_for_work(&self, timeout: std::time::Duration) {
        tokio::time::sleep(timeout).await;
    }

    // -----------------------------------------------------------------------------------------
    // Documents and signing keys (issue 5). Documents are written by `commit` with the events
    // that issue them; these read them, revoke invitations, and keep officials' public keys.

    /// A case's issued documents, in the order they were committed.
    async fn documents(&self, case: &CaseId) -> Result<Vec<StoredDocument>>;
    /// The document a public verification code names, if any.
    async fn document_by_code(&self, code: &str) -> Result<Option<StoredDocument>>;
    /// Marks the invitation with this registration number revoked at `at` (an earlier
    /// revocation keeps its time). False when no invitation has the number.
    async fn revoke_invitation(&self, registration_number: &str, at: Timestamp) -> Result<bool>;
    /// Stores an official's public key; a key id already stored is refused (`Backend`).
    async fn save_official_key(&self, key: &OfficialKey) -> Result<()>;
    /// A public key by its id.
    async fn official_key(&self, key_id: &str) -> Result<Option<OfficialKey>>;
    /// An official's keys, newest first: the first is the one they sign with.
    async fn official_keys(&self, user: &str) -> Result<Vec<OfficialKey>>;

    // -----------------------------------------------------------------------------------------
    // Accounts (issue 8): passwords, the login lockout and the web UI's server-side sessions.
    // The store keeps what it is given; hashing, policy and time are the engine's.

    /// Sets (`Some`, a PHC string) or removes (`None`) a user's password hash, and clears the
    /// count of failed logins and any lock. `NotFound` when there is no such user.
    async fn set_password(&self, user_id: &str, password_hash: Option<&str>) -> Result<()>;
    /// A user's password hash, failed-login count and lock; `None` when there is no such user.
    async fn credentials(&self, user_id: &str) -> Result<Option<Credentials>>;
    /// Counts one failed login, atomically (concurrent failures on several replicas all count):
    /// the count goes up by one, and when it reaches `lock_after` (at least 1) the user is
    /// locked until `now + lock_for` and the count starts again from 0. Returns the
    /// credentials as they are after the update. `NotFound` when there is no such user.
    async fn record_login_failure(&self, user_id: &str, now: Timestamp, lock_after: u32, lock_for: SignedDuration) -> Result<Credentials>;
    /// A successful login: clears the failed-login count and any lock. `NotFound` when there is
    /// no such user.
    async fn record_login_success(&self, user_id: &str) -> Result<()>;

    /// Stores a new session. `NotFound` when its user does not exist; an `id_hash` already
    /// stored is refused (`Backend`).
    async fn create_session(&self, session: &Session) -> Result<()>;
    /// A session by the hash of its token, whether or not it has expired (the caller decides).
    async fn session(&self, id_hash: &str) -> Result<Option<Session>>;
    /// Records activity on a session; `last_seen_at` never moves back (an older touch from a
    /// slower replica changes nothing). An unknown session is not an error: it may just have
    /// been ended.
    async fn touch_session(&self, id_hash: &str, last_seen_at: Timestamp) -> Result<()>;
    /// Ends one session; an unknown one is not an error.
    async fn delete_session(&self, id_hash: &str) -> Result<()>;
    /// Ends every session of a user and returns how many there were.
    async fn delete_sessions_of(&self, user_id: &str) -> Result<u64>;
    /// Deletes the sessions whose absolute expiry (`expires_at`) is before `expired_before` and
    /// returns how many. Sessions that only ran out of idle time stay until then (or until
    /// they are next presented).
    async fn purge_sessions(&self, expired_before: Timestamp) -> Result<u64>;

    /// Links a user to the subject (`sub`) an OpenID Connect provider knows them by (`Some`),
    /// or removes the link (`None`). A subject belongs to at most one user: linking one that
    /// another user holds is refused (`Backend`, naming neither) and changes nothing. Replacing
    /// the user (`upsert_user`) keeps the link. `NotFound` when there is no such user.
    async fn set_oidc_subject(&self, user_id: &str, subject: Option<&str>) -> Result<()>;
    /// The user linked to this provider subject, active or not (the caller decides).
    async fn user_by_oidc_subject(&self, subject: &str) -> Result<Option<User>>;
    /// The provider subject a user is linked to; `None` when unlinked or unknown.
    async fn oidc_subject(&self, user_id: &str) -> Result<Option<String>>;

    // -----------------------------------------------------------------------------------------
    // The audit chain (issue 8): `commit` stores each event's hash (see [`chain`]) and its
    // commit sequence; these read the chains back and keep the checkpoints that anchor them.

    /// The commit sequence every event committed so far is at or below, such that no commit
    /// in flight can still add an event at or below it (PostgreSQL waits for the commits in
    /// flight). A checkpoint covers the events up to its mark.
    async fn audit_mark(&self) -> Result<u64>;
    /// Up to `limit` case ids after `after` (from the first when `None`), ascending in byte
    /// order: the verifier's pages. Only cases with at least one event.
    async fn audit_cases(&self, after: Option<&CaseId>, limit: u32) -> Result<Vec<CaseId>>;
    /// A case's events as stored, with their hash and commit sequence, by version.
    async fn event_chain(&self, case: &CaseId) -> Result<Vec<ChainLink>>;
    /// Appends a checkpoint: numbers it one after the last, chains it to the last one's hash
    /// and computes its hash ([`chain::checkpoint_hash`]), atomically.
    async fn append_checkpoint(&self, checkpoint: &NewCheckpoint) -> Result<Checkpoint>;
    /// Every checkpoint, oldest first.
    async fn checkpoints(&self) -> Result<Vec<Checkpoint>>;

    // -----------------------------------------------------------------------------------------
    // The access log (issue 8): every view of a case's personal data, one global hash chain.

    /// Appends a view: numbers it one after the newest row, chains it to that row's hash
    /// ([`chain::access_hash`]) and stores it, atomically (two concurrent appends, even from
    /// two replicas, get consecutive numbers). Returns the row as stored.
    async fn record_access(&self, access: &NewAccess) -> Result<AccessRecord>;
    /// Rows of the log, newest first, filtered by case and user (see [`AccessQuery`]).
    async fn access_log(&self, query: &AccessQuery) -> Result<Vec<AccessRecord>>;
    /// Up to `limit` rows numbered above `after`, oldest first: the verifier's pages.
    async fn access_chain(&self, after: u64, limit: u32) -> Result<Vec<AccessRecord>>;
    // Retention (issue 8): purging a closed case's personal data while its audit chain stays
    // verifiable against a tombstone.

    /// Up to `limit` closed cases without a tombstone, by case id after `after` (from the first
    /// when `None`), ascending in byte order: the candidates a purge checks against its rule.
    async fn purge_candidates(&self, after: Option<&CaseId>, limit: u32) -> Result<Vec<CaseSummary>>;
    /// Purges one case in one transaction: writes its tombstone, replaces each event's body
    /// with its redacted body (the events' versions, times, hashes and commit sequence stay),
    /// and deletes its documents, outbox messages and idempotency records. `Conflict`, writing
    /// nothing, when the case is no longer at the tombstone's head version or has a tombstone
    /// already; `Backend` when the stored head hash is not the tombstone's.
    async fn purge_case(&self, purge: &Purge) -> Result<PurgeCounts>;
    /// A purged case's tombstone.
    async fn tombstone(&self, case: &CaseId) -> Result<Option<Tombstone>>;
}

// ---------------------------------------------------------------------------------------------
// Monitoring: what the service's metrics show of the database (added for issue 9).

/// The open tasks of one step as of a moment (see [`Store::monitoring`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepLoad {
    pub step: String,
    pub open: u64,
    /// Open, past their warning moment and not yet overdue (`warn_at <= now <= due_at`).
    pub at_risk: u64,
    /// Open and past their deadline (`due_at < now`).
    pub overdue: u64,
}

/// Figures for the metrics endpoint, read from the database so that every replica on it
/// reports the same.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitoring {
    /// The steps that have open tasks, by step id.
    pub steps: Vec<StepLoad>,
    /// Pending timers due at `now` or before: work the timer worker has not done yet.
    pub timers_due: u64,
    /// The due time of the oldest of them.
    pub oldest_due_timer: Option<Timestamp>,
    /// Outbox messages not delivered yet (whether due or waiting for a retry).
    pub outbox_pending: u64,
    /// When the oldest of them was created.
    pub oldest_pending_message: Option<Timestamp>,
}

// ---------------------------------------------------------------------------------------------
// Documents and signing keys (issue 5).

/// A document as issued and kept: the view it was rendered from (JSON text, as the engine wrote
/// it, so it renders again to the same bytes), its content hash and, if signed, the signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDocument {
    pub id: String,
    pub case_id: CaseId,
    pub task: u32,
    /// The document kind's id in the definition (`invitation`, `acceptance_receipt`, …).
    pub kind: String,
    /// SHA-256 (hex) of the view's canonical content.
    pub hash: String,
    /// The document view as JSON text.
    pub view: String,
    /// The signature as JSON text, for a signed document.
    pub signature: Option<String>,
    /// The public verification code (invitations).
    pub verification_code: Option<String>,
    /// The registration number (invitations), for revocation by number.
    pub registration_number: Option<String>,
    pub issued_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// An official's public signing key. The private half never reaches the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficialKey {
    /// Derived from the public key (e.g. `ed25519:0123456789abcdef`).
    pub key_id: String,
    pub user_id: String,
    pub algorithm: String,
    /// The public key as PEM text.
    pub public_key: String,
    pub created_at: Timestamp,
}

// ---------------------------------------------------------------------------------------------
// Accounts (issue 8).

/// What the login check needs of a user (see [`Store::credentials`]). `Debug` shows whether a
/// password is set, never its hash.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Credentials {
    /// The password's hash as a PHC string (`$argon2id$v=19$…`); `None`: no password, so no
    /// login with one.
    pub password_hash: Option<String>,
    /// Failed logins since the last success, lock or password change.
    pub failed_logins: u32,
    /// Logins are refused until then (a past instant means unlocked).
    pub locked_until: Option<Timestamp>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("password_set", &self.password_hash.is_some())
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .finish()
    }
}

/// A signed-in session of the web UI, kept on the server so that every replica sees it and
/// ending it takes effect at once. Only a hash of its token is stored. `Debug` shows neither
/// the hash nor the CSRF token.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 (hex) of the session token the browser holds.
    pub id_hash: String,
    pub user_id: String,
    /// The token forms must send back (it is not a credential by itself, but still a secret).
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// The absolute end of the session, however active it is.
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// The audit chain (issue 8).

/// One stored event as the verifier sees it (see [`Store::event_chain`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ChainLink {
    pub version: u64,
    /// The event's body as stored (parsed JSON: the hash is over its canonical form).
    pub body: serde_json::Value,
    /// The hash stored with the event; `None` for an event written before the chain existed
    /// (migration 0006).
    pub hash: Option<String>,
    /// The event's commit sequence; `None` before migration 0006 (covered by any checkpoint).
    pub seq: Option<u64>,
}

/// The access log's newest row at a moment (0 and [`chain::GENESIS`] for an empty log): what
/// a checkpoint anchors of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessHead {
    pub seq: u64,
    pub hash: String,
}

/// A checkpoint to append: what the caller measured (see [`Store::append_checkpoint`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCheckpoint {
    pub at: Timestamp,
    /// Cases with at least one event at or below `through`.
    pub cases: u64,
    /// Their events at or below `through`.
    pub events: u64,
    /// The [`Store::audit_mark`] the checkpoint covers.
    pub through: u64,
    /// The [`chain::RootHasher`] root over those cases' heads.
    pub root: String,
    /// The access log's newest row (`None` only in checkpoints written before 0007).
    pub access: Option<AccessHead>,
}

/// A stored checkpoint: the anchor of every case's chain at a moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// 1, 2, … without gaps.
    pub seq: u64,
    pub at: Timestamp,
    pub cases: u64,
    pub events: u64,
    pub through: u64,
    pub root: String,
    /// The previous checkpoint's hash, or [`chain::GENESIS`].
    pub prev: String,
    /// The hash to publish.
    pub hash: String,
    /// The access log's newest row when it was written; `None` for checkpoints written before
    /// the access log existed (migration 0007).
    pub access: Option<AccessHead>,
}

impl Checkpoint {
    /// The hash its fields give; a stored hash that differs was tampered with.
    pub fn recompute(&self) -> String {
        chain::checkpoint_hash(&chain::CheckpointFields {
            prev: &self.prev,
            seq: self.seq,
            at_micros: self.at.as_microsecond(),
            cases: self.cases,
            events: self.events,
            through: self.through,
            root: &self.root,
            access: self.access.as_ref().map(|a| (a.seq, a.hash.as_str())),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The access log (issue 8).

/// What a view showed: a closed set of codes, each a part of the engine's answers that holds
/// personal data. The row names the kind of view, never the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Viewed {
    /// The case with its persons and history (the API's case, the UI's case page).
    Case,
    /// The acceptance receipt page shown after intake.
    Receipt,
    /// A document's PDF (its kind and language are in the row).
    Document,
    /// What a coordination request holds, as the KNB liaison sees it.
    Coordination,
}

impl Viewed {
    pub const ALL: [Viewed; 4] = [Viewed::Case, Viewed::Receipt, Viewed::Document, Viewed::Coordination];

    /// The code stored in the `what` column.
    pub fn code(self) -> &'static str {
        match self {
            Viewed::Case => "case",
            Viewed::Receipt => "receipt",
            Viewed::Document => "document",
            Viewed::Coordination => "coordination",
        }
    }

    pub fn parse(code: &str) -> Option<Viewed> {
        Viewed::ALL.into_iter().find(|v| v.code() == code)
    }
}

/// A view to record (see [`Store::record_access`]). No personal data: ids, codes and an
/// address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccess {
    pub at: Timestamp,
    pub user: String,
    pub role: String,
    pub unit: String,
    pub case_id: CaseId,
    pub what: Viewed,
    /// The document's kind, for [`Viewed::Document`].
    pub document: Option<String>,
    /// The document's language, for [`Viewed::Document`].
    pub language: Option<String>,
    /// The client's address as the web layer saw it; `None` when the read did not come over
    /// the network.
    pub origin: Option<String>,
}

/// A stored row of the access log. `what` is kept as the stored text, so that the verifier can
/// hash a row whatever was written into it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRecord {
    /// 1, 2, … without gaps, in the order the views were recorded.
    pub seq: u64,
    pub at: Timestamp,
    pub user: String,
    pub role: String,
    pub unit: String,
    pub case_id: CaseId,
    pub what: String,
    pub document: Option<String>,
    pub language: Option<String>,
    pub origin: Option<String>,
    /// [`chain::access_hash`] over the previous row's hash and this row.
    pub hash: String,
}

impl AccessRecord {
    /// The hash this row's fields give after `prev`; a stored hash that differs was tampered
    /// with (or a row before it was).
    pub fn recompute(&self, prev: &str) -> String {
        chain::access_hash(prev, &self.fields())
    }

    pub fn fields(&self) -> chain::AccessFields<'_> {
        chain::AccessFields {
            seq: self.seq,
            at_micros: self.at.as_microsecond(),
            user: &self.user,
            role: &self.role,
            unit: &self.unit,
            case: &self.case_id.0,
            what: &self.what,
            document: self.document.as_deref(),
            language: self.language.as_deref(),
            origin: self.origin.as_deref(),
        }
    }
}

/// A filter on the access log (see [`Store::access_log`]).
#[derive(Clone, Debug, Default)]
pub struct AccessQuery {
    pub case_id: Option<CaseId>,
    pub user: Option<String>,
    /// The most rows to return; 0 means 100.
    pub limit: u32,
}

// Retention (issue 8).

/// What is left of a purged case beside its redacted events: the chain's head before
/// redaction (so the checkpoints that anchored it stay valid), the head of the redaction chain
/// over the redacted bodies ([`chain::redaction_hash`]), and who purged it, when, under which
/// rule. Never updated or deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    pub case_id: CaseId,
    /// The case's version (its number of events) when it was purged.
    pub head_version: u64,
    /// The hash of that event in the case's chain, before redaction.
    pub head_hash: String,
    /// The last hash of the redaction chain over the redacted bodies, versions 1 to head.
    pub redacted_head: String,
    pub purged_at: Timestamp,
    /// Who ran the purge (a user id, or the operator's name for the command line).
    pub purged_by: String,
    /// The retention rule applied, as `domain::retention::Retention::describe` words it.
    pub rule: String,
}

/// One case to purge (see [`Store::purge_case`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Purge {
    pub tombstone: Tombstone,
    /// The redacted bodies of versions 1 ..= `tombstone.head_version`, in order.
    pub bodies: Vec<serde_json::Value>,
}

/// What a purge changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeCounts {
    pub events: u64,
    pub documents: u64,
    pub outbox: u64,
    pub idempotency: u64,
}
