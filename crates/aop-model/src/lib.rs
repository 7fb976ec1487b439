//! What both server kinds lower into, and what the rules read. No parsing and no I/O here:
//! each server's semantics (inheritance, vhost selection) are applied by its own crate before
//! a [`Config`] exists.

mod caddy_scenario;
mod crossing;
mod directives;
mod finding;
mod inclusions;
mod inheritance;
mod listen;
mod scenario;
mod server;
mod version;

pub use crossing::{handshake_admits, Handshakes};
pub use directives::{DirectiveName, Directives, Written};
pub use finding::{Finding, Label, RuleId, ServerRef, Severity, Suppressed, Text};
pub use inclusions::admit_inclusion;
pub use listen::{AddressPort, DefaultWhy, ListenAddr, Listener};
pub use scenario::{
    scenarios, simulation, visit_scenarios, Answer, CertSent, Exposure, Name, Request, Router,
    Scenario, Simulation, UNKNOWN_NAME,
};
pub use server::{
    Action, CaRef, CaRefKind, ClientVerify, Config, ConfigSyntax, Location, Origin,
    PerDirectoryVerify, RealIp, Regrant, Server, ServerKind, Setting,
};

pub use version::{ServerVersions, Version, VersionRange};

pub mod codes;
mod options;
pub mod pcre;
pub use options::{Build, LoadOptions};
