//! Reads a Caddyfile the way Caddy 2.11 adapts it and lowers its sites to the shared model.

mod action;
mod address;
mod args;
pub mod ast;
mod client_auth;
mod env;
mod glob;
pub mod json;
mod lexer;
mod lower;
mod modules;
mod read;

use std::path::Path;

use aop_model::{Config, LoadOptions, ServerKind};
use aop_source::{FileId, ReadError, SourceMap};

/// Reads the Caddyfile `entry` and every file it imports.
pub fn load(entry: &Path, map: &mut SourceMap, opts: &LoadOptions) -> Result<Config, ReadError> {
    let entry = &opts.confine(entry)?;
    let file = map.read(entry)?;
    Ok(load_file(file, map, opts))
}

/// Reads Caddy's JSON config `entry` (what `caddy adapt` writes, what `caddy run --config
/// caddy.json` takes).
pub fn load_json(
    entry: &Path,
    map: &mut SourceMap,
    opts: &LoadOptions,
) -> Result<Config, ReadError> {
    let entry = &opts.confine(entry)?;
    let file = map.read(entry)?;
    Ok(json::load_file(file, map, opts))
}

/// Reads a Caddyfile whose bytes are already in the map; imports start at its directory.
pub fn load_file(file: FileId, map: &mut SourceMap, opts: &LoadOptions) -> Config {
    let mut reader = read::CaddyfileReader::new(map, opts);
    let caddyfile = reader.read(file);
    let mut findings = std::mem::take(&mut reader.findings);
    modules::check(&caddyfile, opts.build, &mut findings);
    let lowered = lower::lower(&caddyfile, file, map, opts, &mut findings);
    Config {
        kind: ServerKind::Caddy,
        syntax: aop_model::ConfigSyntax::Directives,
        entry: file,
        servers: lowered.servers,
        address_ports: lowered.address_ports,
        findings,
    }
}
