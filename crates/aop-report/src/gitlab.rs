//! GitLab Code Quality: the JSON array of issues a job names under
//! `artifacts:reports:codequality`, shown in merge requests beside the changed lines.
//! GitLab reads `description`, `check_name`, `fingerprint`, `severity`, `location.path` and
//! `location.lines.begin`, a subset of the Code Climate issue; it ignores the rest.

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use aop_model::Severity;

use crate::{display_path, display_paths, Report};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// GitLab's scale is info, minor, major, critical, blocker. An error is a way past
/// Cloudflare to the origin: critical; a warning is a weakness that needs a second mistake.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

pub fn render_gitlab(report: &Report) -> String {
    let map = report.map;
    let paths = display_paths(map);
    let mut fingerprints = Fingerprints::default();
    let mut issues: Vec<Issue> = report
        .findings
        .iter()
        .map(|f| {
            let loc = map.location(f.primary.span);
            let path = paths[f.primary.span.file.0 as usize].as_str();
            let fingerprint = fingerprints.next(f.code, path, &f.message);
            Issue {
                // The widget shows one line; the fix is in `aop-lint explain CODE`.
                description: format!("{} {}: {}", f.code, f.name, f.message.replace('\n', " ")),
                check_name: f.code,
                fingerprint,
                severity: severity(f.severity),
                location: Location {
                    path,
                    lines: Lines {
                        begin: loc.line,
                        end: loc.end_line,
                    },
                },
            }
        })
        .collect();
    // As the other formats name it: a settings file nobody meant to apply must not silence
    // a tree unseen. An info at its first line, the way GitHub's format gives a notice.
    let settings: Vec<String> = report.settings.iter().map(|p| display_path(p)).collect();
    issues.extend(settings.iter().map(|path| Issue {
        description: format!("settings applied from {path}"),
        check_name: "settings",
        fingerprint: hex(&Sha256::digest(format!("settings\0{path}"))[..16]),
        severity: "info",
        location: Location {
            path,
            lines: Lines { begin: 1, end: 1 },
        },
    }));
    let mut out = serde_json::to_string_pretty(&issues).expect("serialising to memory");
    out.push('\n');
    out
}

/// GitLab merges issues with one fingerprint into one. Findings the same in all but their
/// line are told apart by their order, not by the line, so that an edit above a finding
/// does not make it look fixed and new again.
#[derive(Default)]
struct Fingerprints {
    seen: HashMap<[u8; 32], u32>,
}

impl Fingerprints {
    fn next(&mut self, code: &str, path: &str, message: &str) -> String {
        let key: [u8; 32] = Sha256::new()
            .chain_update(code)
            .chain_update([0])
            .chain_update(path)
            .chain_update([0])
            .chain_update(message)
            .finalize()
            .into();
        let n = self.seen.entry(key).or_insert(0);
        *n += 1;
        let digest = Sha256::new()
            .chain_update(key)
            .chain_update(n.to_le_bytes())
            .finalize();
        hex(&digest[..16])
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
