//! The Shaqyru application as a library: settings, `build` (wire the store, the simulators,
//! the engine and the router, and bind) and `run` (serve until told to stop, with the outbox
//! dispatcher and the KNB simulator's deliveries running beside). The binary and the
//! integration tests both start the service through here.

pub mod anchor;
pub mod app;
pub mod keys;
pub mod settings;

pub use app::{App, DemoAccount, build};
pub use settings::Settings;
