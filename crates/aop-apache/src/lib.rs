//! Reads an Apache httpd configuration tree as httpd does and lowers it into the shared
//! model: every `<VirtualHost>` becomes a [`aop_model::Server`].

mod ahead;
mod ast;
mod command_line;
mod directives;
pub mod errors;
mod includes;
mod inet_pton;
mod lines;
mod macro_body;
mod mapped;
mod modules;
mod paths;
mod read;
mod remoteip;
mod vars;
mod words;

pub use ast::{Arg, Directive, Section};
mod access;
mod action;
mod address;
mod arity;
mod certificates;
mod enforce;
mod global_only;
mod lower;
mod md;
mod reach;
mod rewrite;
mod scope;

use std::path::Path;

use aop_model::{Config, Finding, LoadOptions};
use aop_source::{FileId, ReadError, SourceMap};

/// The tree as httpd builds it, conditionals decided and includes and macros expanded,
/// with what reading it found.
pub struct Tree {
    pub entry: FileId,
    pub directives: Vec<Directive>,
    pub findings: Vec<Finding>,
    paths: paths::TreePaths,
    proxy_lists: remoteip::ProxyLists,
}

/// Reads the tree whose main config is `entry`. Never panics: whatever cannot be read or
/// decided becomes a finding; only an unreadable main file is an error.
pub fn read_tree(entry: &Path, map: &mut SourceMap, opts: &LoadOptions) -> Result<Tree, ReadError> {
    let entry = &opts.confine(entry)?;
    let id = map.read(entry)?;
    Ok(read_tree_from(id, entry, map, opts))
}

/// Reads the tree whose main file is already in the map as `id`, read from `entry`.
fn read_tree_from(id: FileId, entry: &Path, map: &mut SourceMap, opts: &LoadOptions) -> Tree {
    let paths = paths::TreePaths::new(entry, opts);
    let mut reader = read::TreeReader::new(map, opts, paths);
    if let Some(dir) = entry.parent() {
        let envvars = dir.join("envvars");
        if envvars.is_file() {
            if let Ok(bytes) = aop_source::read_regular_file(&envvars, opts.limits.max_file_bytes) {
                reader.vars.env = vars::parse_envvars(&bytes);
                // apache2ctl passes `$APACHE_ARGUMENTS` to httpd, and nothing else.
                let arguments = reader.vars.env.get("APACHE_ARGUMENTS").cloned();
                reader.command_line = Some(command_line::defines(arguments.as_deref()));
            }
        }
    }
    if reader.command_line.is_none() {
        reader.command_line = command_line::from_service_files(entry, opts);
    }
    let directives = reader.read_file_id(id, entry);
    reader.check_mpm_loaded();
    let read::TreeReader {
        findings,
        paths,
        proxy_lists,
        ..
    } = reader;
    Tree {
        entry: id,
        directives,
        findings,
        paths,
        proxy_lists,
    }
}

/// Reads the tree and lowers it into the model: every `<VirtualHost>` a server.
pub fn load(entry: &Path, map: &mut SourceMap, opts: &LoadOptions) -> Result<Config, ReadError> {
    let tree = read_tree(entry, map, opts)?;
    Ok(lower_tree(tree, opts))
}

/// Reads a tree whose main file's bytes are already in the map as `file` (a rule's test
/// vector); includes are followed from the directory of its path.
pub fn load_file(file: FileId, map: &mut SourceMap, opts: &LoadOptions) -> Config {
    let entry = map.file(file).path.clone();
    let tree = read_tree_from(file, &entry, map, opts);
    lower_tree(tree, opts)
}

fn lower_tree(tree: Tree, opts: &LoadOptions) -> Config {
    let lowering = lower::Lowering {
        opts,
        paths: &tree.paths,
        proxy_lists: &tree.proxy_lists,
        findings: tree.findings,
    };
    lowering.lower(tree.entry, &tree.directives)
}

#[cfg(test)]
mod tests;
