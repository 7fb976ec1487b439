//! Reads an Apache httpd configuration tree as httpd does and lowers it into the shared
//! model: every `<VirtualHost>` becomes a [`aop_model::Server`].

mod ast;
mod fnmatch;
mod includes;
mod lines;
mod mapped;
mod modules;
mod paths;
mod read;
mod vars;
mod words;

pub use ast::{Arg, Directive, Section};
mod action;
mod address;
mod lower;
mod scope;

use std::path::Path;

use aop_model::{codes, Config, Finding, Label, LoadOptions, ServerKind};
use aop_source::{SourceMap, Span};

/// Reads the tree whose main config is `entry` and lowers it into the model. Never panics:
/// whatever cannot be read or decided becomes a finding.
pub fn load(entry: &Path, map: &mut SourceMap, opts: &LoadOptions) -> Config {
    let paths = paths::TreePaths::new(entry, opts);
    let id = match map.read(entry) {
        Ok(id) => id,
        Err(e) => {
            let id = map.add(entry, Vec::new());
            let finding = Finding::new(
                codes::INCLUDE_UNRESOLVED,
                format!("cannot read `{}`: {e}", entry.display()),
                Label::new(Span::new(id, 0, 0), "main configuration"),
            );
            return Config {
                kind: ServerKind::Apache,
                entry: id,
                servers: Vec::new(),
                address_ports: Vec::new(),
                findings: vec![finding],
            };
        }
    };
    let mut reader = read::Reader::new(map, opts, paths);
    if let Some(dir) = entry.parent() {
        let envvars = dir.join("envvars");
        if envvars.is_file() {
            if let Ok(bytes) = aop_source::read_regular_file(&envvars, opts.limits.max_file_bytes) {
                reader.vars.env = vars::parse_envvars(&bytes);
            }
        }
    }
    let tree = reader.read_file_id(id, entry);
    let read::Reader {
        findings, paths, ..
    } = reader;
    let lowering = lower::Lowering {
        opts,
        paths: &paths,
        findings,
    };
    lowering.lower(id, &tree)
}
