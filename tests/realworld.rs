//! Verdicts on the public trees of `../shared/corpus/realworld/`, checked against the real
//! servers: each tree is served as written (chrooted into a prepared copy, inside private
//! mount and network namespaces) and probed from an "internet" address, a Cloudflare edge
//! address and loopback; aop-lint lints the same copy. See docs/real-servers.md.
//!
//! Runs when the corpus is there (`CI` set: it must be); `--nocapture` shows the table.

#[path = "real_servers/curl.rs"]
mod curl;
#[allow(dead_code)]
#[path = "real_servers/pki.rs"]
mod pki;
#[path = "real_servers/report_codes.rs"]
mod report_codes;

mod realworld {
    pub mod backend;
    pub mod edit;
    pub mod env;
    pub mod known;
    pub mod lint;
    pub mod namespace;
    pub mod prepare;
    pub mod probe;
    pub mod scan;
    pub mod serve;
    pub mod trees;
    pub mod verdict;
}

use std::path::{Path, PathBuf};

use realworld::env::{corpus, namespaces_allowed, switched_off, tools_present};
use realworld::known;
use realworld::probe::Probe;
use realworld::serve::check_tree;
use realworld::verdict::{yn, Kind, TreeResult};

fn print_result(r: &TreeResult) {
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

#[test]
fn realworld_verdicts_match_real_servers() {
    if switched_off() {
        return;
    }
    let Some(corpus) = corpus() else { return };
    if !tools_present() || !namespaces_allowed() {
        return;
    }
    let list =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realworld/known-disagreements.txt");
    let known = known::read(&list).unwrap_or_else(|e| panic!("{e}"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("corpus readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();

    let mut problems = Vec::new();
    let mut results = Vec::new();
    let mut unchecked = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if let Ok(only) = std::env::var("AOP_REALWORLD_ONLY") {
            if !only.split(',').any(|o| name.contains(o)) {
                continue;
            }
        }
        let kind = match name.split('-').next() {
            Some("nginx") => Kind::Nginx,
            Some("apache") => Kind::Apache,
            _ => {
                unchecked.push(name);
                continue;
            }
        };
        match check_tree(dir, kind) {
            Ok(r) => {
                print_result(&r);
                results.push(r);
            }
            Err(e) => problems.push(e),
        }
    }

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
    let mut seen_disagreements = Vec::new();
    for r in &results {
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
        let disagreements = r.disagreements();
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
        for (verdict, sides) in disagreements {
            let listed = known
                .iter()
                .find(|k| k.tree == r.tree && k.verdict == verdict);
            match listed {
                Some(k) => println!(
                    "{:<38} known disagreement ({verdict}): {} [{sides}]",
                    "", k.why
                ),
                None => problems.push(format!(
                    "{}: {verdict}: {sides} (codes: {}); not in {}",
                    r.tree,
                    r.lint.codes.join(" "),
                    list.display()
                )),
            }
            seen_disagreements.push((r.tree.clone(), verdict));
        }
    }
    for name in &unchecked {
        println!("{name:<38} not checked: no Caddy reader yet");
    }
    for k in &known {
        let checked = results.iter().any(|r| r.tree == k.tree);
        let still = seen_disagreements
            .iter()
            .any(|(t, v)| *t == k.tree && *v == k.verdict);
        if checked && !still {
            problems.push(format!(
                "{} {}: listed in {} but aop-lint now agrees with the server: remove the line",
                k.tree,
                k.verdict,
                list.display()
            ));
        }
    }
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
        "\n{}; {}; {} not checked",
        by_kind(Kind::Nginx),
        by_kind(Kind::Apache),
        unchecked.len()
    );
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}
