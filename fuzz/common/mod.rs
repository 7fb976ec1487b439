//! What the targets share: options that keep the input away from the host's files, the
//! input as an Apache main file, every rule and the reports over a loaded tree, and the
//! invariant that every span a finding carries lies inside its file (the source map clamps a
//! span that does not, which would hide an inexact one).

use std::path::PathBuf;
use std::sync::OnceLock;

use aop_model::{Config, Finding, LoadOptions};
use aop_report::{
    render_human, render_json, render_servers_human, render_servers_json, sort_findings,
    sort_suppressed, HumanOptions, Report,
};
use aop_rules::Context;
use aop_source::{FileId, SourceMap, Span};

/// A directory that does not exist.
pub const NOWHERE: &str = "/nonexistent-aop-lint-fuzz";

/// Absolute paths (and nginx's includes) resolve under [`NOWHERE`].
pub fn options() -> LoadOptions {
    LoadOptions {
        root: Some(PathBuf::from(NOWHERE)),
        ..LoadOptions::default()
    }
}

const APACHE_DIR_PREFIX: &str = "aop-fuzz-apache-";

/// The Apache reader takes a path: the input is written as `httpd.conf` in a directory of
/// this process's own holding nothing else, and that path returned. libFuzzer ends a process
/// without running destructors, and `-fork` starts many: the directories of processes no
/// longer running are removed first.
pub fn write_httpd_conf(data: &[u8]) -> &'static PathBuf {
    static ENTRY: OnceLock<PathBuf> = OnceLock::new();
    let entry = ENTRY.get_or_init(|| {
        let tmp = std::env::temp_dir();
        for e in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
            let name = e.file_name();
            let Some(pid) = name
                .to_str()
                .and_then(|n| n.strip_prefix(APACHE_DIR_PREFIX))
            else {
                continue;
            };
            if !std::path::Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        let dir = tmp.join(format!("{APACHE_DIR_PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join("httpd.conf")
    });
    std::fs::write(entry, data).expect("input written");
    entry
}

pub fn assert_in_file(span: Span, map: &SourceMap, what: &str) {
    let len = map.file(span.file).bytes.len();
    assert!(
        span.start <= span.end && span.end as usize <= len,
        "{what} span {}..{} outside its file of {len} bytes",
        span.start,
        span.end
    );
}

fn assert_finding_in_files(f: &Finding, map: &SourceMap) {
    assert_in_file(f.primary.span, map, f.code);
    for l in &f.secondary {
        assert_in_file(l.span, map, f.code);
    }
}

/// Runs every rule over `config`, checks every finding's spans, and renders the findings
/// and the server model as `aop-lint` and `aop-lint servers` print them.
pub fn check_and_report(config: &Config, map: &SourceMap) {
    let mut findings = config.findings.clone();
    findings.extend(aop_rules::check(&Context::new(config, map)));
    for f in &findings {
        assert_finding_in_files(f, map);
    }
    // Inline suppressions are read from the same hostile bytes.
    let files: Vec<FileId> = (0..map.len()).map(|i| FileId(i as u32)).collect();
    let sifted = aop_gate::gate(findings, map, &files, &aop_gate::Policy::default());
    let (mut findings, mut suppressed) = (sifted.findings, sifted.suppressed);
    for f in findings.iter().chain(suppressed.iter().map(|s| &s.finding)) {
        assert_finding_in_files(f, map);
    }
    sort_findings(&mut findings, map);
    sort_suppressed(&mut suppressed, map);
    let report = Report {
        settings: Vec::new(),
        map,
        findings,
        suppressed,
        servers: config.servers.len(),
        address_ports: config.address_ports.len(),
    };
    let json = render_json(&report);
    assert!(json.starts_with('{'));
    let _ = render_human(&report, HumanOptions::default());
    assert!(render_servers_json(config, map).starts_with('{'));
    let _ = render_servers_human(config, map);
}
