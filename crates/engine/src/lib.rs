//! The runtime around the pure core: it loads a case, asks the external system a step works
//! through, decides the command, and commits events, projections, the idempotency record and
//! outbox messages in one unit of work. It also dispatches the outbox and takes inbound
//! messages (the KNB's answers).
//!
//! Invariant: talks to storage only through `store::Store`, to other agencies only through
//! `integrations` traits, and to time only through `Clock`; knows nothing of HTTP or SQL.

pub mod audit;
mod cache;
pub mod clock;
pub mod compliance;
pub mod deadlines;
mod engine;
pub mod ids;
mod outbox;
pub mod regulations;
pub mod retention;

pub use cache::DEFAULT_CAPACITY as DEFAULT_CASE_CACHE;
pub use clock::{Clock, ManualClock, ScaledClock, SystemClock};
pub use engine::{
    ADMIN, CaseView, CommandResult, Engine, EngineConfig, EngineError, HoursConfig, KNB_GATEWAY, KNB_LIAISON, Origin, PerformRequest,
    SUPERVISOR, UnitConfig, WireInput,
};
pub use outbox::OutboxPolicy;
pub use regulations::Regulations;
// Documents (issue 5).
pub use engine::documents::{DocumentsConfig, KeyRing, MemoryKeyRing, RenderedDocument, Verified, VerifiedInvitee};
// Accounts for the web UI (issue 8).
pub use engine::accounts::{AccountPolicy, LoginRefused, MAX_PASSWORD_LEN, NewSession, SessionInfo, hash_password, set_password_with};
