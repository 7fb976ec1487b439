//! Reads an nginx configuration tree the way nginx does and lowers it to the shared model.

mod action;
mod ahead;
pub mod ast;
mod certificate;
pub mod dump;
mod enforce;
pub mod glob;
mod include;
mod lexer;
mod listen;
mod lower;
mod names;
pub mod parse;

use std::path::{Path, PathBuf};

use aop_model::{Config, LoadOptions, ServerKind};
use aop_source::{FileId, ReadError, SourceMap};

pub use include::Reader;

/// Reads the tree whose main file is `entry` (nginx's `-c`): its directory is the conf
/// prefix every relative path starts from. Fails only when the entry itself cannot be read.
pub fn load(entry: &Path, map: &mut SourceMap, opts: &LoadOptions) -> Result<Config, ReadError> {
    let file = map.read(entry)?;
    let key = std::fs::canonicalize(entry).unwrap_or_else(|_| entry.to_path_buf());
    Ok(load_file(file, key, map, opts))
}

/// Reads a tree whose main file's bytes are already in the map as `file` (a fuzzer's input);
/// includes are followed from the directory of its path.
pub fn load_file(file: FileId, key: PathBuf, map: &mut SourceMap, opts: &LoadOptions) -> Config {
    let prefix = map
        .file(file)
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut reader = Reader::new(map, opts, prefix.clone());
    let directives = reader.expand_file(file, key);
    finish(file, directives, reader, &prefix, opts)
}

/// Reads an `nginx -T` dump: each file it holds is reported under its own path and lines.
/// `None` when the bytes hold no `# configuration file` marker.
pub fn load_dump(dump: &[u8], map: &mut SourceMap, opts: &LoadOptions) -> Option<Config> {
    let parts = dump::split(dump);
    let files: Vec<(PathBuf, FileId)> = parts
        .iter()
        .map(|p| {
            (
                p.path.clone(),
                map.add(&p.path, dump[p.start..p.end].to_vec()),
            )
        })
        .collect();
    let (main_path, main) = files.first().cloned()?;
    let prefix = main_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("/"));
    let mut reader = Reader::for_dump(map, opts, prefix.clone(), files);
    let directives = reader.expand_file(main, main_path);
    Some(finish(main, directives, reader, &prefix, opts))
}

fn finish(
    file: FileId,
    directives: Vec<ast::Directive>,
    mut reader: Reader,
    prefix: &Path,
    opts: &LoadOptions,
) -> Config {
    let mut findings = std::mem::take(&mut reader.findings);
    let drafts = std::mem::take(&mut reader.drafts);
    let lowered = lower::lower(
        directives,
        drafts,
        prefix,
        opts,
        reader.map,
        reader.incomplete,
        &mut findings,
    );
    Config {
        kind: ServerKind::Nginx,
        entry: file,
        servers: lowered.servers,
        address_ports: lowered.address_ports,
        findings,
    }
}

/// A tree for a test in a fresh temporary directory: `nginx.conf` and `sites/N.conf`.
#[cfg(test)]
pub(crate) fn test_tree(tag: &str, main: &str, sites: &[String]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aop-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sites")).unwrap();
    std::fs::write(dir.join("nginx.conf"), main).unwrap();
    for (n, text) in sites.iter().enumerate() {
        std::fs::write(dir.join("sites").join(format!("{n}.conf")), text).unwrap();
    }
    dir
}
