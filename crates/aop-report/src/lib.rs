//! Findings become text late, from their spans: miette's graphical report for people, our own
//! JSON schema (docs/json-output.md) for machines, SARIF 2.1.0 for code scanning, workflow
//! commands for GitHub Actions annotations, GitLab Code Quality, JUnit XML for test-report
//! views.

mod concise;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod paths;
mod rule_info;
mod sarif;
mod scenarios;
mod servers;

pub use aop_model::{scenarios, Scenario, UNKNOWN_NAME};
pub use concise::{render_concise, render_statistics};
pub use github::render_github;
pub use gitlab::render_gitlab;
use human::visible;
pub use human::{render_human, HumanOptions};
pub use json::{json_report_schema, render_json, write_json};
pub use junit::render_junit;
pub use paths::{display_path, display_paths};
pub use rule_info::RuleInfo;
pub use sarif::{path_uri, render_sarif, SARIF_SCHEMA};
pub use scenarios::render_scenarios;
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
    /// The settings files that were applied (`aop-lint.toml`), named in every format so that
    /// a file nobody meant to apply cannot silence a tree unseen.
    pub settings: Vec<std::path::PathBuf>,
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
/// byte-for-byte the same on every run. Equal keys keep their order.
pub fn sort_findings(findings: &mut [Finding], map: &SourceMap) {
    sort_by_finding(findings, map, |f| f);
}

/// The order of [`sort_findings`], for silenced findings.
pub fn sort_suppressed(suppressed: &mut [Suppressed], map: &SourceMap) {
    sort_by_finding(suppressed, map, |s| &s.finding);
}

fn sort_by_finding<T>(items: &mut [T], map: &SourceMap, finding: impl Fn(&T) -> &Finding) {
    // Files ranked by their displayed path once, rather than a path built per finding.
    let paths = display_paths(map);
    let mut by_path: Vec<&str> = paths.iter().map(String::as_str).collect();
    by_path.sort_unstable();
    by_path.dedup();
    let rank: Vec<usize> = paths
        .iter()
        .map(|p| by_path.binary_search(&p.as_str()).unwrap_or(0))
        .collect();
    let mut keys: Vec<_> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let f = finding(item);
            let loc = map.location(f.primary.span);
            let file = rank.get(f.primary.span.file.0 as usize).copied();
            (file, loc.line, loc.column, f.code, f.message.as_str(), i)
        })
        .collect();
    // The index last makes every key distinct: an unstable sort keeps equal findings in order.
    keys.sort_unstable();
    let order: Vec<usize> = keys.into_iter().map(|k| k.5).collect();
    permute(items, order);
}

/// Puts `items[order[i]]` at `i`, following each cycle of the permutation once.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for i in 0..items.len() {
        let mut j = i;
        loop {
            let k = order[j];
            order[j] = j;
            if k == i {
                break;
            }
            items.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aop_model::{codes, Label};
    use aop_source::Span;

    #[test]
    fn findings_sort_by_file_line_column_code_and_message_keeping_ties_in_order() {
        let mut map = SourceMap::default();
        let b = map.add("b.conf", b"x;\ny;\n".to_vec());
        let a = map.add("a.conf", b"x;\ny;\n".to_vec());
        let at = |file, start, message: &'static str, note: &'static str| {
            Finding::new(
                codes::PARSE_ERROR,
                message,
                Label::new(Span::new(file, start, start + 1), ""),
            )
            .with_note(note)
        };
        let mut findings = vec![
            at(b, 3, "m", "1"),
            at(a, 3, "m", "2"),
            at(b, 0, "z", "3"),
            at(b, 0, "a", "4"),
            at(a, 3, "m", "5"),
            at(a, 0, "m", "6"),
        ];
        sort_findings(&mut findings, &map);
        let notes: Vec<&str> = findings.iter().filter_map(|f| f.note.as_deref()).collect();
        assert_eq!(notes, ["6", "2", "5", "4", "3", "1"]);
    }

    #[test]
    fn permutation_moves_each_item_once() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e'];
        permute(&mut items, vec![3, 0, 4, 1, 2]);
        assert_eq!(items, ['d', 'a', 'e', 'b', 'c']);
    }
}
