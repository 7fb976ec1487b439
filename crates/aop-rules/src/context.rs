use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use aop_model::{Config, Scenario, ServerVersions, Simulation};
use aop_pki::Sha256Fingerprint;
use aop_source::{Limits, SourceMap};

use crate::ca_files::CaUse;

/// What the CA checks depend on besides the tree.
#[derive(Clone, Debug)]
pub struct CaSettings {
    /// The user's own CAs (`trusted_ca_sha256` in `aop-lint.toml`).
    pub trusted_sha256: Vec<Sha256Fingerprint>,
    /// Unix seconds expiry is judged at (`--now`; the clock otherwise).
    pub now: i64,
    /// A CA ending within this many days is a warning (`--expiry-warn-days`).
    pub expiry_warn_days: u32,
    /// Largest CA file read, in bytes.
    pub max_file_bytes: u64,
    /// `--root`: links inside CA directories are followed below it.
    pub root: Option<PathBuf>,
}

impl Default for CaSettings {
    fn default() -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        CaSettings {
            trusted_sha256: Vec::new(),
            now,
            expiry_warn_days: 30,
            max_file_bytes: Limits::default().max_file_bytes,
            root: None,
        }
    }
}

/// What a rule may look at: the model, the source map for quoting names in messages, and
/// the CA files the model names (read once, on first use).
pub struct Context<'a> {
    pub config: &'a Config,
    pub map: &'a SourceMap,
    pub ca: CaSettings,
    /// The server versions the user named; verdicts that depend on one not named say which
    /// answer they took.
    pub versions: ServerVersions,
    pub(crate) ca_uses: OnceLock<Vec<CaUse<'a>>>,
    simulation: OnceLock<Simulation>,
}

impl<'a> Context<'a> {
    pub fn new(config: &'a Config, map: &'a SourceMap) -> Self {
        Context {
            config,
            map,
            ca: CaSettings::default(),
            versions: ServerVersions::default(),
            ca_uses: OnceLock::new(),
            simulation: OnceLock::new(),
        }
    }

    /// Simulated once per tree, on first use.
    pub fn simulation(&self) -> &Simulation {
        self.simulation
            .get_or_init(|| aop_model::simulation(self.config))
    }

    /// The first request from outside that gets server `i`'s content without a trusted
    /// client certificate.
    pub fn open_request(&self, i: usize) -> Option<&Scenario> {
        let sim = self.simulation();
        sim.exposures
            .get(i)
            .and_then(|e| e.open)
            .map(|k| &sim.scenarios[k])
    }

    /// The first request with a trusted certificate and a name no site configures that gets
    /// server `i`'s content.
    pub fn foreign_request(&self, i: usize) -> Option<&Scenario> {
        let sim = self.simulation();
        sim.exposures
            .get(i)
            .and_then(|e| e.foreign)
            .map(|k| &sim.scenarios[k])
    }

    pub fn with_ca_settings(mut self, ca: CaSettings) -> Self {
        self.ca = ca;
        self
    }

    pub fn with_versions(mut self, versions: ServerVersions) -> Self {
        self.versions = versions;
        self
    }
}
