//! Reads an nginx configuration tree the way nginx does and lowers it to the shared model.

mod action;
mod ahead;
pub mod ast;
mod certificate;
pub mod dump;
mod enforce;
pub mod errors;
pub mod glob;
mod include;
mod lexer;
mod listen;
mod lower;
mod names;
pub mod parse;
mod variables;

use std::path::{Path, PathBuf};

use aop_model::{codes, Config, Finding, Label, LoadOptions, ServerKind};
use aop_source::{FileId, ReadError, SourceMap, Span};

pub use include::IncludeSplicer;

/// Reads the tree whose main file is `entry` (nginx's `-c`): its directory is the conf
/// prefix every relative path starts from. Fails only when the entry itself cannot be read.
pub fn load(entry: &Path, map: &mut SourceMap, opts: &LoadOptions) -> Result<Config, ReadError> {
    let entry = &opts.confine(entry)?;
    let file = map.read(entry)?;
    let key = aop_source::file_key(entry);
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
    let mut reader = IncludeSplicer::new(map, opts, prefix.clone());
    let directives = reader.expand_file(file, key);
    finish(file, directives, reader, &prefix, opts)
}

/// Reads an `nginx -T` dump: each file it holds is reported under its own path and lines.
/// `None` when the bytes hold no `# configuration file` marker.
///
/// nginx prints each file verbatim after its marker, so a line of a file can look exactly
/// like a marker. A marker is taken as nginx's only when an include reaches the file it
/// names (the main file aside); any other is a line of the file before it, which is read
/// again with that line in it. Dropping such a part instead would hide every server after
/// the line.
pub fn load_dump(dump: &[u8], map: &mut SourceMap, opts: &LoadOptions) -> Option<Config> {
    let mut parts = dump::split(dump);
    parts.first()?;
    // A dump's parts obey the limits of files read from disk.
    let max_files = opts.limits.max_files.saturating_sub(map.len()).max(1);
    let dropped = parts.len().saturating_sub(max_files);
    parts.truncate(max_files);
    let first_file = map.len();
    let mut taken_back = Vec::new();
    for round in 0.. {
        let max_bytes = opts.limits.max_file_bytes;
        let files: Vec<(PathBuf, FileId)> = parts
            .iter()
            .map(|p| {
                let bytes = match (p.end - p.start) as u64 > max_bytes {
                    true => Vec::new(),
                    false => dump[p.start..p.end].to_vec(),
                };
                (p.path.clone(), map.add(&p.path, bytes))
            })
            .collect();
        let (main_path, main) = files[0].clone();
        let prefix = main_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        let mut reader = IncludeSplicer::for_dump(map, opts, prefix.clone(), files.clone());
        let directives = reader.expand_file(main, main_path);
        let mut seen = std::collections::HashSet::from([&parts[0].path]);
        let unreached: Vec<usize> = (1..parts.len())
            .filter(|&i| !seen.insert(&parts[i].path) || !reader.was_read(&parts[i].path))
            .collect();
        if unreached.is_empty() || round == MAX_DUMP_ROUNDS {
            let mut findings = std::mem::take(&mut reader.findings);
            findings.extend(
                taken_back
                    .drain(..)
                    .map(|t| marker_taken_back(dump, t, &files, &parts)),
            );
            findings.extend(
                unreached
                    .iter()
                    .map(|&i| unreached_part(&parts[i], files[i].1)),
            );
            findings.extend(over_limits(&parts, &files, dropped, opts));
            reader.findings = findings;
            return Some(finish(main, directives, reader, &prefix, opts));
        }
        drop(reader);
        map.truncate(first_file);
        for &i in unreached.iter().rev() {
            taken_back.push((parts[i].path.clone(), parts[i].marker));
            dump::merge_into_previous(&mut parts, i);
        }
    }
    None
}

/// Readings of a dump before every marker is settled: each takes back at least one.
const MAX_DUMP_ROUNDS: usize = 8;

/// A marker line read as a line of the file it sits in: said, so that a reader who expected
/// a separate file knows why its servers are reported under another path.
fn marker_taken_back(
    dump: &[u8],
    (path, marker): (PathBuf, usize),
    files: &[(PathBuf, FileId)],
    parts: &[dump::DumpedFile],
) -> Finding {
    let i = parts.iter().rposition(|p| p.start <= marker).unwrap_or(0);
    let line = dump[marker..]
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(dump.len() - marker);
    let at = marker.saturating_sub(parts[i].start);
    Finding::new(
        codes::NOT_CHECKED,
        format!(
            "this line looks like `nginx -T`'s marker for `{}`, but no include reads that file: read as a line of `{}`",
            path.display(),
            parts[i].path.display()
        ),
        Label::new(Span::new(files[i].1, at, at + line), "a line of the file, not a file of the dump"),
    )
    .with_help("if the file was meant to be included, include it; if this is a comment, reword it so it does not look like nginx's marker")
}

/// Parts over the size limit (read as empty) and parts past the file limit (not read).
fn over_limits(
    parts: &[dump::DumpedFile],
    files: &[(PathBuf, FileId)],
    dropped: usize,
    opts: &LoadOptions,
) -> Vec<Finding> {
    let limit = opts.limits.max_file_bytes;
    let mut out: Vec<Finding> = parts
        .iter()
        .zip(files)
        .filter(|(p, _)| (p.end - p.start) as u64 > limit)
        .map(|(p, &(_, id))| {
            Finding::new(
                codes::NOT_READ,
                format!(
                    "`{}` is {} bytes in the dump, over the limit of {limit} bytes: not read",
                    p.path.display(),
                    p.end - p.start
                ),
                Label::new(Span::new(id, 0, 0), "not read"),
            )
        })
        .collect();
    if dropped > 0 {
        let (_, last) = files[files.len() - 1];
        out.push(Finding::new(
            codes::NOT_READ,
            format!(
                "the dump holds {dropped} more files than the limit of {} files: they were not read",
                opts.limits.max_files
            ),
            Label::new(Span::new(last, 0, 0), "the last file read"),
        ));
    }
    out
}

/// A dumped part still unreached after the last reading: its servers were not checked.
fn unreached_part(part: &dump::DumpedFile, file: FileId) -> Finding {
    Finding::new(
        codes::NOT_READ,
        format!(
            "the dump holds `{}` (or holds it twice) but no include reads it: what it holds was not checked",
            part.path.display()
        ),
        Label::new(Span::new(file, 0, 0), "dumped here"),
    )
}

fn finish(
    file: FileId,
    directives: Vec<ast::Directive>,
    mut reader: IncludeSplicer,
    prefix: &Path,
    opts: &LoadOptions,
) -> Config {
    let mut findings = std::mem::take(&mut reader.findings);
    let drafts = std::mem::take(&mut reader.drafts);
    let mut variables = std::mem::take(&mut reader.variables);
    variables.read_top(&directives, reader.map);
    let lowered = lower::lower(
        directives,
        drafts,
        prefix,
        opts,
        reader.map,
        reader.incomplete,
        &mut findings,
    );
    variables.check(reader.incomplete, &mut findings);
    Config {
        kind: ServerKind::Nginx,
        syntax: aop_model::ConfigSyntax::Directives,
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

/// The findings of a one-file tree (`nginx.conf` holding `main`), read in a fresh directory.
#[cfg(test)]
pub(crate) fn test_findings(tag: &str, main: &str) -> Vec<Finding> {
    let dir = test_tree(tag, main, &[]);
    let mut map = SourceMap::default();
    let config =
        load(&dir.join("nginx.conf"), &mut map, &LoadOptions::default()).expect("entry readable");
    std::fs::remove_dir_all(&dir).unwrap();
    config.findings
}
