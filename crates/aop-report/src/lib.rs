//! Findings become text late, from their spans: miette's graphical report for people, our own
//! JSON schema (docs/json-output.md) for machines, SARIF 2.1.0 for code scanning, workflow
//! commands for GitHub Actions annotations.

mod github;
mod human;
mod json;
mod paths;
mod rule_info;
mod sarif;
mod servers;

pub use github::render_github;
pub use human::{render_human, HumanOptions};
pub use json::render_json;
pub use paths::display_path;
pub use rule_info::RuleInfo;
pub use sarif::{path_uri, render_sarif, SARIF_SCHEMA};
pub use servers::{render_servers_human, render_servers_json};

use aop_model::{Finding, Severity, Suppressed};
use aop_source::SourceMap;

/// Everything one run found, ready to render.
pub struct Report<'a> {
    pub map: &'a SourceMap,
    /// Sorted by [`sort_findings`].
    pub findings: Vec<Finding>,
    /// What inline suppressions silenced, sorted like the findings: listed, never counted.
    pub suppressed: Vec<Suppressed>,
    pub servers: usize,
    pub address_ports: usize,
}

impl Report<'_> {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Orders findings by file (as displayed), line, column, code, message: output is
/// byte-for-byte the same on every run.
pub fn sort_findings(findings: &mut [Finding], map: &SourceMap) {
    findings.sort_by_cached_key(|f| sort_key(f, map));
}

/// The order of [`sort_findings`], for silenced findings.
pub fn sort_suppressed(suppressed: &mut [Suppressed], map: &SourceMap) {
    suppressed.sort_by_cached_key(|s| sort_key(&s.finding, map));
}

fn sort_key(f: &Finding, map: &SourceMap) -> (String, usize, usize, &'static str, String) {
    let loc = map.location(f.primary.span);
    (
        display_path(&map.file(f.primary.span.file).path),
        loc.line,
        loc.column,
        f.code,
        f.message.clone(),
    )
}
