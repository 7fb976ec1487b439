//! Verdicts on the public trees of `../shared/corpus/realworld/`, checked against the real
//! servers: each tree is served as written (chrooted into a prepared copy, inside private
//! mount and network namespaces) and probed from an "internet" address, a Cloudflare edge
//! address and loopback; aop-lint lints the same copy. See docs/real-servers.md.
//!
//! Runs when the corpus is there (`CI` set: it must be); `--nocapture` shows the table.

#[path = "real_servers/curl.rs"]
mod curl;
#[path = "real_servers/parallel.rs"]
mod parallel;
#[allow(dead_code)]
#[path = "real_servers/pki.rs"]
mod pki;
#[path = "real_servers/report_codes.rs"]
mod report_codes;
#[path = "real_servers/sources.rs"]
mod sources;

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
    pub mod table;
    pub mod trees;
    pub mod verdict;
}

use std::path::{Path, PathBuf};

use realworld::env::{caddy, corpus, namespaces_allowed, switched_off, tools_present};
use realworld::known;
use realworld::serve::check_tree;
use realworld::table;
use realworld::verdict::Kind;

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
    let caddy = caddy();

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
            Some("caddy") if caddy.is_some() => Kind::Caddy,
            _ => {
                unchecked.push(name);
                continue;
            }
        };
        match check_tree(dir, kind, caddy.as_deref()) {
            Ok(r) => {
                table::probes(&r);
                results.push(r);
            }
            Err(e) => problems.push(e),
        }
    }

    table::header();
    let mut seen_disagreements = Vec::new();
    for r in &results {
        let disagreements = r.disagreements();
        table::row(r, &disagreements);
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
                    r.compared().map_or(&r.lint, |c| &c.lint).codes.join(" "),
                    list.display()
                )),
            }
            seen_disagreements.push((r.tree.clone(), verdict));
        }
    }
    for name in &unchecked {
        println!("{name:<38} not checked: no server to serve it with");
    }
    for k in &known {
        if !dirs.iter().any(|d| d.ends_with(&k.tree)) {
            problems.push(format!(
                "{}: listed in {} but not in the corpus",
                k.tree,
                list.display()
            ));
        }
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
    table::summary(&results, unchecked.len());
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}
