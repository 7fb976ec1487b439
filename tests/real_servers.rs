//! Verdicts checked against the real servers: every fixture with a `servable` file is served
//! by nginx (or Apache) on loopback and probed with and without client certificates; what the
//! server did must match what aop-lint says. See docs/real-servers.md.
//!
//! Run with `cargo test --test real_servers -- --nocapture` to see the table.

mod real_servers {
    pub mod addresses;
    pub mod env;
    pub mod fixtures;
    pub mod glob;
    pub mod layout;
    pub mod lint;
    pub mod nginx;
    pub mod nginx_rewrite;
    pub mod pki;
    pub mod plan;
    pub mod probe;
    pub mod process;
    pub mod semantics;
    pub mod tokens;
    pub mod upstream;
}

use real_servers::fixtures::{self, servable, Fixture, Kind};
use real_servers::lint::{lint, unimplemented, FOREIGN_CODES, OPEN_CODES};
use real_servers::plan::{run_all, Row, Verdict};
use real_servers::{env, nginx};

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn print_rows(fixture: &str, rows: &[Row]) {
    for row in rows {
        println!(
            "{fixture:<40} {:<72} {:<9} {:<6} {}",
            row.probe.describe(),
            row.role.label(),
            if row.outcome.served() { "SERVED" } else { "-" },
            row.outcome.describe()
        );
    }
}

/// Serves one fixture, probes it and compares; the disagreements, if any.
fn check(fixture: &Fixture, nginx_bin: &std::path::Path) -> Vec<String> {
    let label = format!("{}/{}", fixture.kind.dir(), fixture.name);
    let mut problems = Vec::new();
    let tree = fixtures::root().join(&fixture.tree);
    let instance = match fixture.kind {
        Kind::Nginx => nginx::serve(nginx_bin, &tree),
    };
    let instance = match instance {
        Ok(i) => i,
        Err(e) => return vec![format!("{label}: could not be served: {e}")],
    };
    let nginx::Instance {
        server,
        served,
        layout,
    } = instance;
    let rows = run_all(&served.endpoints, &served.names);
    drop(server);
    if std::env::var_os("AOP_REAL_SERVERS_KEEP").is_some() {
        println!(
            "{label}: rewritten tree kept in {}",
            layout.keep().display()
        );
    }
    print_rows(&label, &rows);
    let observed = Verdict::observed(&rows);

    for (what, pinned, seen) in [
        ("open", fixture.pinned_open, observed.open),
        ("foreign", fixture.pinned_foreign, observed.foreign),
    ] {
        if let Some(pinned) = pinned {
            if pinned != seen {
                problems.push(format!(
                    "{label}: the server was {what}={}, the fixture's `servable` pins {what}={}",
                    yes(seen),
                    yes(pinned)
                ));
            }
        }
    }

    match lint(&fixture.tree) {
        Ok(lint) => {
            let sides = format!(
                "server open={} foreign={} | aop-lint open={} foreign={} (codes: {})",
                yes(observed.open),
                yes(observed.foreign),
                yes(lint.verdict.open),
                yes(lint.verdict.foreign),
                lint.codes.join(" ")
            );
            println!("{label:<40} verdict: {sides}");
            for (what, codes, seen, said, known) in [
                (
                    "open",
                    &OPEN_CODES[..],
                    observed.open,
                    lint.verdict.open,
                    &fixture.known_open,
                ),
                (
                    "foreign",
                    &FOREIGN_CODES[..],
                    observed.foreign,
                    lint.verdict.foreign,
                    &fixture.known_foreign,
                ),
            ] {
                let missing = unimplemented(codes, fixture.kind.model());
                match (seen == said, known) {
                    (true, Some(_)) => {
                        problems.push(format!(
                            "{label}: aop-lint now agrees on {what}: remove `known-{what}` from its `servable`"
                        ));
                        continue;
                    }
                    (true, None) => continue,
                    (false, Some(why)) => {
                        println!("{label:<40} KNOWN DISAGREEMENT on {what}: {why}");
                        continue;
                    }
                    (false, None) => {}
                }
                if seen && !missing.is_empty() {
                    println!(
                        "{label:<40} NOT CHECKED: {what}=yes needs {}, not in the rule registry yet",
                        missing.join(", ")
                    );
                    continue;
                }
                problems.push(format!("{label}: {what} disagrees: {sides}"));
            }
        }
        Err(e) => problems.push(format!("{label}: {e}")),
    }
    problems
}

#[test]
fn nginx_fixtures_agree_with_aop_lint() {
    let Some(tools) = env::tools("nginx_fixtures_agree_with_aop_lint", &["nginx", "curl"]) else {
        return;
    };
    let fixtures = servable(Kind::Nginx).expect("read fixtures/nginx/*/servable");
    assert!(
        !fixtures.is_empty(),
        "no fixture under fixtures/nginx/ is marked servable"
    );
    let mut problems = Vec::new();
    let mut rows = 0;
    for fixture in &fixtures {
        let found = check(fixture, &tools[0]);
        rows += 1;
        problems.extend(found);
    }
    println!("{} servable nginx fixtures", rows);
    assert!(
        problems.is_empty(),
        "real nginx and aop-lint disagree:\n{}",
        problems.join("\n")
    );
}
