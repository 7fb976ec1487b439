//! What the test prints: each tree's notable probes, the table, and the totals.

use super::probe::Probe;
use super::verdict::{yn, Kind, TreeResult};

/// The probes that got content on an open or foreign question (every probe with
/// `AOP_REALWORLD_VERBOSE`), and the edits made to the tree.
pub fn probes(r: &TreeResult) {
    let verbose = std::env::var_os("AOP_REALWORLD_VERBOSE").is_some();
    let rows = r.served.iter().flat_map(|s| &s.run.rows);
    for (probe, outcome) in rows {
        let asks = if probe.asks_open() {
            "open?"
        } else if probe.asks_foreign() {
            "foreign?"
        } else {
            "info"
        };
        if verbose || (outcome.served() && asks != "info") {
            println!(
                "  {:<36} {:<100} {:<9} {}",
                r.tree,
                probe.describe(),
                asks,
                outcome.describe()
            );
        }
    }
    for edit in &r.edits {
        if !edit.starts_with("symlink") {
            println!("  {:<36} edit: {edit}", r.tree);
        }
    }
    for edit in r.served.iter().flat_map(|s| &s.edits) {
        println!("  {:<36} edited copy: {edit}", r.tree);
    }
}

pub fn header() {
    println!(
        "\n{:<38} {:<6} {:<8} {:<9} {:>6} {:>8} {:>8}  {:<22} {:<26} agree",
        "tree",
        "kind",
        "server",
        "served",
        "probes",
        "open-hit",
        "frgn-hit",
        "server open/frgn/plain",
        "aop-lint open/frgn/plain"
    );
}

/// One line a tree, then its codes, why it did not start, and its edited copy.
pub fn row(r: &TreeResult, disagreements: &[(&'static str, String)]) {
    let start = match &r.started {
        Ok(()) => "starts",
        Err(e) if e.starts_with("refused") => "refuses",
        Err(_) => "stops",
    };
    let compared = r.compared();
    let (as_served, server, said) = match compared {
        Some(c) => (
            if c.edits.is_empty() {
                "written".to_string()
            } else {
                format!("edited {}", c.edits.len())
            },
            format!("{}/{}/{}", yn(c.open()), yn(c.foreign()), yn(c.plain())),
            format!(
                "{}/{}/{}",
                yn(c.lint.open),
                yn(c.lint.foreign),
                yn(c.lint.plain)
            ),
        ),
        None => ("-".to_string(), "-".to_string(), "-".to_string()),
    };
    let count = |question: fn(&Probe) -> bool| compared.map_or(0, |c| c.served(question));
    let agree = if disagreements.is_empty() {
        "yes".to_string()
    } else {
        format!(
            "NO ({})",
            disagreements
                .iter()
                .map(|d| d.0)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    println!(
        "{:<38} {:<6} {:<8} {:<9} {:>6} {:>8} {:>8}  {:<22} {:<26} {agree}",
        r.tree,
        r.kind.label(),
        start,
        as_served,
        compared.map_or(0, |c| c.run.rows.len()),
        count(Probe::asks_open),
        count(Probe::asks_foreign),
        server,
        format!("{said}{}", if r.lint.refuses { " (refuses)" } else { "" }),
    );
    println!("{:<38} codes: {}", "", r.lint.codes.join(" "));
    if let Err(e) = &r.started {
        println!("{:<38} {e}", "");
    }
    if let Some(c) = r.served.as_ref().filter(|c| !c.edits.is_empty()) {
        println!("{:<38} edited copy's codes: {}", "", c.lint.codes.join(" "));
        if let Err(e) = &c.run.started {
            println!("{:<38} edited copy: {e}", "");
        }
    }
    if let Some(why) = &r.not_edited {
        println!("{:<38} no edited copy: {why}", "");
    }
}

pub fn summary(results: &[TreeResult], unchecked: usize) {
    let by_kind = |kind: Kind| {
        let of: Vec<&TreeResult> = results.iter().filter(|r| r.kind == kind).collect();
        let agree = of.iter().filter(|r| r.disagreements().is_empty()).count();
        let probes: usize = of
            .iter()
            .filter_map(|r| r.served.as_ref())
            .map(|s| s.run.rows.len())
            .sum();
        format!(
            "{}: {agree}/{} trees agree, {probes} probes",
            kind.label(),
            of.len()
        )
    };
    println!(
        "\n{}; {}; {}; {} not checked",
        by_kind(Kind::Nginx),
        by_kind(Kind::Apache),
        by_kind(Kind::Caddy),
        unchecked
    );
}
