//! One line per finding, `path:line:column: severity CODE message`: what editors' error
//! lists (`%f:%l:%c: %m`) and grep read; and the per-rule counts of `--statistics`.

use std::collections::BTreeMap;

use aop_model::Severity;

use crate::{display_paths, visible, Report};

pub fn render_concise(report: &Report) -> String {
    let map = report.map;
    let paths = display_paths(map);
    let mut out = String::new();
    for f in &report.findings {
        let loc = map.location(f.primary.span);
        out.push_str(&format!(
            "{}:{}:{}: {} {} {}\n",
            paths[f.primary.span.file.0 as usize],
            loc.line,
            loc.column,
            f.severity.as_str(),
            f.code,
            visible(&f.message.replace('\n', " "))
        ));
    }
    out
}

/// How many findings each rule has, most first, then the totals.
pub fn render_statistics(report: &Report) -> String {
    let mut counts: BTreeMap<(&str, &str), (usize, Severity)> = BTreeMap::new();
    for f in &report.findings {
        let e = counts.entry((f.code, f.name)).or_insert((0, f.severity));
        e.0 += 1;
        e.1 = e.1.max(f.severity);
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    let mut out = String::new();
    for ((code, name), (n, severity)) in rows {
        out.push_str(&format!("{n:>6}  {code}  {name} ({})\n", severity.as_str()));
    }
    out.push_str(&format!(
        "{:>6}  findings in {} files\n",
        report.findings.len(),
        report.map.len()
    ));
    out
}
