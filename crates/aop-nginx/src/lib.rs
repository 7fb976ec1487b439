//! Reads an nginx configuration tree the way nginx does and lowers it to the shared model.

mod action;
mod ahead;
pub mod ast;
mod enforce;
pub mod glob;
mod include;
mod lexer;
mod listen;
mod lower;
pub mod parse;

use std::path::{Path, PathBuf};

use aop_model::{Config, LoadOptions, ServerKind};
use aop_source::{ReadError, SourceMap};

pub use include::Reader;

/// Reads the tree whose main file is `entry` (nginx's `-c`): its directory is the conf
/// prefix every relative path starts from. Fails only when the entry itself cannot be read.
pub fn load(entry: &Path, map: &mut SourceMap, opts: &LoadOptions) -> Result<Config, ReadError> {
    let file = map.read(entry)?;
    let key = std::fs::canonicalize(entry).unwrap_or_else(|_| entry.to_path_buf());
    Ok(load_file(file, key, map, opts))
}

/// Reads a tree whose main file's bytes are already in the map as `file` (stdin, a fuzzer's
/// input); includes are followed from the directory of its path.
pub fn load_file(
    file: aop_source::FileId,
    key: PathBuf,
    map: &mut SourceMap,
    opts: &LoadOptions,
) -> Config {
    let prefix = map
        .file(file)
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut reader = Reader::new(map, opts, prefix.clone());
    let directives = reader.expand_file(file, key);
    let mut findings = std::mem::take(&mut reader.findings);
    let lowered = lower::lower(&directives, &prefix, opts, &mut findings);
    Config {
        kind: ServerKind::Nginx,
        entry: file,
        servers: lowered.servers,
        address_ports: lowered.address_ports,
        findings,
    }
}
