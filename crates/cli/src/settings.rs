//! One typed settings struct, with defaults that run with nothing configured: an SQLite file in
//! the working directory, the shipped 2018 edition, simulated external systems.

use engine::UnitConfig;
use std::net::SocketAddr;
use std::time::Duration;

/// The definition of the 2018 edition, shipped inside the binary.
pub const EDITION_2018: &str = include_str!("../../../regulation/2018.toml");
/// The demo organisational units, shipped inside the binary.
pub const DEMO_UNITS: &str = include_str!("../../../config/units.toml");

#[derive(Clone, Debug)]
pub struct Settings {
    /// Where the data lives: an SQLite file (created if missing), or a `postgres://` URL.
    pub database: String,
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Definition files offered for new cases: (name, text). Default: the shipped 2018 edition.
    pub regulations: Vec<(String, String)>,
    /// The edition every new case uses whatever the date. The only text we have (2018) has been
    /// repealed, so the default pins it: the service then runs for training and demonstration.
    pub pinned_edition: Option<String>,
    pub units: Vec<UnitConfig>,
    /// The simulators' data (who has АДБ records, how the KNB answers).
    pub simulator_data: String,
    /// How long the simulated KNB takes to answer.
    pub knb_delay: Duration,
    /// Run the outbox dispatcher and the simulated KNB's deliveries in the background. Tests
    /// that drive them step by step turn this off.
    pub background: bool,
    /// Create one demo account per role and unit, with fresh tokens, at start-up.
    pub demo_accounts: bool,
    /// Apply pending schema migrations at start-up, or refuse to start until `shaqyru migrate`
    /// has. A schema newer than this build is refused either way.
    pub migrations: store::Migrations,
    /// PostgreSQL connections this process keeps at most (ignored for SQLite).
    pub pool_size: u32,
    /// SQLite only: whether commits in flight at once share one transaction and one fsync
    /// (on by default; off makes each commit its own transaction, as before, for comparison).
    pub sqlite_group_commit: store_sqlite::GroupCommit,
    /// How many open cases the engine keeps in memory between commands (0: none).
    pub case_cache: usize,
    /// Which external systems are simulated in process and which are reached over HTTP.
    pub systems: SystemsConfig,
    /// The shared secret of the gateway's signed inbound messages; none: not accepted.
    pub gateway_secret: Option<integrations::signature::Secret>,
    /// Documents (issue 5): the directory of the officials' private signing keys (PKCS#8 PEM
    /// files, see `shaqyru keys create`). None: with demo accounts, a key per demo head is made
    /// in memory at start-up; without, nobody can sign.
    pub keys_dir: Option<std::path::PathBuf>,
    /// The address the public reaches this service at, for the invitation's QR code; default
    /// `http://{listen}` (with the bound port).
    pub public_url: Option<String>,
    /// Audit (issue 8): write a checkpoint over every case's chain when the latest is this old
    /// (by the service's clock), from the background work; `None`: only `shaqyru audit
    /// checkpoint` writes them.
    pub audit_checkpoint_every: Option<Duration>,
    /// Also append each checkpoint the background work writes to this file (see
    /// [`crate::anchor`]).
    pub audit_anchor_file: Option<std::path::PathBuf>,
    /// Signing in to the web UI through an OpenID Connect provider, beside passwords.
    pub oidc: Option<OidcSettings>,
}

/// The identity provider the web UI offers beside passwords (issue 8). The redirect URI is
/// `{public_url}/login/oidc/callback`, registered at the provider.
#[derive(Clone)]
pub struct OidcSettings {
    /// The provider's issuer identifier (its discovery document is below it).
    pub issuer: String,
    pub client_id: String,
    /// Read from a file, never from the command line (where `ps` would show it).
    pub client_secret: String,
    /// What the sign-in button names: "Sign in with {name}".
    pub name: String,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Per external system: the in-process simulator, or an HTTP endpoint.
#[derive(Clone, Debug, Default)]
pub struct SystemsConfig {
    pub burkit: SystemChoice,
    pub adb: SystemChoice,
    pub knb: SystemChoice,
    pub sc: SystemChoice,
}

#[derive(Clone, Debug, Default)]
pub enum SystemChoice {
    #[default]
    Simulated,
    Http(integrations_http::Endpoint),
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsFile {
    units: Vec<UnitConfig>,
}

/// Reads a units file: `[[units]]` tables with id, kind, name and (for branches) provider.
pub fn parse_units(text: &str) -> Result<Vec<UnitConfig>, String> {
    let file: UnitsFile = toml::from_str(text).map_err(|e| e.to_string())?;
    Ok(file.units)
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database: "shaqyru.sqlite".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            regulations: vec![("regulation/2018.toml".into(), EDITION_2018.into())],
            pinned_edition: Some("2018".into()),
            units: parse_units(DEMO_UNITS).expect("the shipped units file is valid"),
            simulator_data: integrations::sim::DEMO_DATA.into(),
            knb_delay: Duration::from_secs(5),
            background: true,
            demo_accounts: true,
            migrations: store::Migrations::Apply,
            pool_size: store_postgres::DEFAULT_POOL_SIZE,
            sqlite_group_commit: store_sqlite::GroupCommit::default(),
            case_cache: engine::DEFAULT_CASE_CACHE,
            systems: SystemsConfig::default(),
            gateway_secret: None,
            keys_dir: None,
            public_url: None,
            audit_checkpoint_every: Some(Duration::from_secs(24 * 3600)),
            audit_anchor_file: None,
            oidc: None,
        }
    }
}
