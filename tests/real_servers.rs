//! Verdicts checked against the real servers: every fixture with a `servable` file is served
//! by nginx (or Apache) in a private network namespace and probed with and without client
//! certificates from an internet address, a Cloudflare edge address and loopback; what the
//! server did for the outside addresses must match what aop-lint says. See
//! docs/real-servers.md.
//!
//! Run with `cargo test --test real_servers -- --nocapture` to see the table.

mod common;

mod real_servers {
    pub mod addresses;
    pub mod apache;
    pub mod apache_crossing;
    pub mod apache_lines;
    pub mod apache_macro;
    pub mod apache_rewrite;
    pub mod certificate_names;
    pub mod crossing;
    pub mod curl;
    pub mod edits;
    pub mod env;
    pub mod fixtures;
    pub mod glob;
    pub mod layout;
    pub mod lint;
    pub mod namespace;
    pub mod nginx;
    pub mod nginx_rewrite;
    pub mod parallel;
    pub mod pki;
    pub mod plan;
    pub mod probe;
    pub mod probe_cli;
    pub mod process;
    pub mod report_codes;
    pub mod semantics;
    pub mod sources;
    pub mod startup;
    pub mod tokens;
    pub mod upstream;
}

use real_servers::fixtures::{self, servable, Fixture, Kind};
use real_servers::lint::lint;
use real_servers::namespace::within;
use real_servers::plan::{run_all, Role, Row, Verdict};
use real_servers::sources::{EDGE, INTERNET, LOCAL};
use real_servers::{apache, env, nginx};

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// One line a probe: fixture, source address, request, what it tests, served or not, what
/// came back, and aop-lint's verdict on the same question.
fn print_rows(fixture: &str, rows: &[Row], lint: Option<Verdict>) {
    for row in rows {
        let said = match (row.role, lint) {
            (Role::Open, Some(v)) => format!("aop-lint open={}", yes(v.open)),
            (Role::Foreign, Some(v)) => format!("aop-lint foreign={}", yes(v.foreign)),
            _ => String::new(),
        };
        let from = format!("{} {}", row.probe.source.label, row.probe.source_address());
        println!(
            "{fixture:<40} {from:<22} {:<72} {:<9} {:<6} {:<40} {said}",
            row.probe.describe(),
            row.role.label(),
            if row.outcome.served() { "SERVED" } else { "-" },
            row.outcome.describe()
        );
    }
}

/// What serving one fixture came to.
#[derive(Default)]
struct Checked {
    /// Probes made from each source: internet, edge, loopback.
    probes: [usize; 3],
    /// aop-lint was compared and agreed on both verdicts (`None`: not compared).
    agreed: Option<bool>,
    /// `aop-lint probe --config` found what the files' verdict says (`None`: not compared).
    probe_agreed: Option<bool>,
    /// Seconds `aop-lint probe` took on this serving (both source addresses).
    probe_seconds: f64,
    /// Which scenarios only `--config` adds proved it open (probe_cli::FROM_FILES).
    probe_scenarios: [bool; 4],
    problems: Vec<String>,
}

/// Serves one fixture, probes it and compares.
fn check(fixture: &Fixture, program: &std::path::Path) -> Checked {
    let label = format!("{}/{}", fixture.kind.dir(), fixture.name);
    let mut problems = Vec::new();
    if let Some(needed) = fixture.needs_nginx {
        match nginx::version(program) {
            Some(have) if have >= needed => {}
            have => {
                println!(
                    "{label:<40} NOT SERVED: needs nginx {}.{}, {} is {have:?}",
                    needed.0,
                    needed.1,
                    program.display()
                );
                return Checked::default();
            }
        }
    }
    if let Some(before) = fixture.needs_nginx_before {
        if nginx::version(program).is_some_and(|have| have >= before) {
            println!(
                "{label:<40} NOT SERVED: needs nginx before {}.{}, {} is newer",
                before.0,
                before.1,
                program.display()
            );
            return Checked::default();
        }
    }
    if let Some(missing) = fixture
        .needs_modules
        .iter()
        .find(|m| !nginx::has_module(program, m))
    {
        println!(
            "{label:<40} NOT SERVED: {} was built without {missing}",
            program.display()
        );
        return Checked::default();
    }
    let tree = fixtures::root().join(&fixture.tree);
    let instance = match fixture.kind {
        Kind::Nginx => nginx::serve(program, &tree),
        Kind::Apache => apache::serve(program, &tree),
    };
    let instance = match instance {
        Ok(i) => i,
        Err(e) => {
            return Checked {
                problems: vec![format!("{label}: could not be served: {e}")],
                ..Checked::default()
            }
        }
    };
    let nginx::Instance {
        server,
        served,
        layout,
    } = instance;
    let rows = run_all(&served);
    // `aop-lint probe` asks the same running server, before it stops, with the files it runs.
    let running = match fixture.lint_path().strip_prefix(&fixture.tree) {
        Ok(inside) => layout.conf_dir().join(inside),
        Err(_) => layout.conf_dir(),
    };
    let probe_started = std::time::Instant::now();
    let probed = real_servers::probe_cli::probe_open(&served, &running);
    let probe_seconds = probe_started.elapsed().as_secs_f64();
    let mut probe_agreed = None;
    let mut probe_scenarios = [false; 4];
    drop(server);
    if std::env::var_os("AOP_REAL_SERVERS_KEEP").is_some() {
        println!(
            "{label}: rewritten tree kept in {}",
            layout.keep().display()
        );
    }
    let linted = lint(&fixture.lint_path(), fixture.kind.dir());
    print_rows(&label, &rows, linted.as_ref().ok().map(|l| l.verdict));
    let observed = Verdict::observed(&rows);
    // The probe, given the files, must find what their verdict says: open where it is open
    // (seeing less would be a probe that misses an open origin) and nothing where it is
    // clean (a gate passing... failing a locked origin, or the files missing an opening).
    match (&probed, linted.as_ref()) {
        (Ok((open, proofs)), Ok(l)) => {
            probe_agreed = Some(*open == l.verdict.open);
            probe_scenarios = real_servers::probe_cli::scenarios_proving(proofs);
            let sees = match (*open, l.verdict.open) {
                (false, true) => "SEES LESS",
                (true, false) => "SEES MORE",
                _ => "agrees",
            };
            println!(
                "{label:<40} aop-lint probe: open={} ({sees}; files open={})",
                yes(*open),
                yes(l.verdict.open)
            );
            if *open && !l.verdict.open {
                problems.push(format!(
                    "{label}: aop-lint probe finds the running server open, the files' verdict is not: {proofs:?}"
                ));
            }
            // A build without the post-handshake client reports the requests it could not
            // send as not checked, and may see less; CI builds with every feature.
            if !*open && l.verdict.open && aop_probe::POST_HANDSHAKE_AUTH {
                problems.push(format!(
                    "{label}: aop-lint probe --config finds the running server closed, the files' verdict is open"
                ));
            }
        }
        (Err(e), _) => problems.push(format!("{label}: aop-lint probe failed: {e}")),
        _ => {}
    }
    let mut probes = [0; 3];
    for row in &rows {
        let i = [INTERNET, EDGE, LOCAL]
            .iter()
            .position(|s| *s == row.probe.source)
            .expect("a known source");
        probes[i] += 1;
    }
    let mut agreed = None;

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

    match linted {
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
            agreed = Some(observed == lint.verdict);
            for (what, seen, said, known) in [
                (
                    "open",
                    observed.open,
                    lint.verdict.open,
                    &fixture.known_open,
                ),
                (
                    "foreign",
                    observed.foreign,
                    lint.verdict.foreign,
                    &fixture.known_foreign,
                ),
            ] {
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
                problems.push(format!("{label}: {what} disagrees: {sides}"));
            }
        }
        // The reader for this server kind has not landed yet: say so on every run.
        Err(e) if e.contains("not supported yet") => {
            println!("{label:<40} NOT CHECKED: {e}");
        }
        Err(e) => problems.push(format!("{label}: {e}")),
    }
    Checked {
        probes,
        agreed,
        probe_agreed,
        probe_seconds,
        probe_scenarios,
        problems,
    }
}

/// Serves every servable fixture of `kind` with `program`, in a network namespace, and
/// compares.
fn sweep(kind: Kind, program: &str) {
    let test = format!("{}_fixtures_agree_with_aop_lint", kind.dir());
    let Some(tools) = env::tools(&test, &[program, "curl", "openssl", "ip"]) else {
        return;
    };
    sweep_with(kind, &test, &tools[0]);
}

/// Every servable fixture of `kind` served by the server binary `server`.
fn sweep_with(kind: Kind, test: &str, server: &std::path::Path) {
    let program = server.display();
    let mut fixtures = servable(kind).expect("read fixtures/*/*/servable");
    // While working on one case: AOP_REAL_SERVERS_ONLY=part-of-its-name.
    if let Ok(only) = std::env::var("AOP_REAL_SERVERS_ONLY") {
        fixtures.retain(|f| f.name.contains(&only));
    }
    if fixtures.is_empty() {
        println!(
            "no fixture under fixtures/{}/ is marked servable",
            kind.dir()
        );
        return;
    }
    let started = std::time::Instant::now();
    let Some(checked) = within(test, || {
        fixtures
            .iter()
            .map(|fixture| check(fixture, server))
            .collect::<Vec<_>>()
    }) else {
        return;
    };
    let mut problems = Vec::new();
    let mut probes = [0; 3];
    let (mut compared, mut agreed) = (0, 0);
    let (mut probe_compared, mut probe_agreed, mut probe_seconds) = (0, 0, 0.0);
    let mut proved_by = [0; 4];
    for c in checked {
        for (n, proved) in proved_by.iter_mut().zip(c.probe_scenarios) {
            *n += usize::from(proved);
        }
        probe_compared += usize::from(c.probe_agreed.is_some());
        probe_agreed += usize::from(c.probe_agreed == Some(true));
        probe_seconds += c.probe_seconds;
        for (total, n) in probes.iter_mut().zip(c.probes) {
            *total += n;
        }
        compared += usize::from(c.agreed.is_some());
        agreed += usize::from(c.agreed == Some(true));
        problems.extend(c.problems);
    }
    println!(
        "{} servable {} fixtures, {} probes (from {} {}, {} {}, {} {}); aop-lint agrees on {agreed} of {compared} compared; {:.0} s",
        fixtures.len(),
        kind.dir(),
        probes.iter().sum::<usize>(),
        INTERNET.label,
        probes[0],
        EDGE.label,
        probes[1],
        LOCAL.label,
        probes[2],
        started.elapsed().as_secs_f64()
    );
    println!(
        "aop-lint probe --config agrees with the files on {probe_agreed} of {probe_compared} servings; {probe_seconds:.0} s ({:.2} s a serving)",
        probe_seconds / probe_compared.max(1) as f64
    );
    let proved: Vec<String> = real_servers::probe_cli::FROM_FILES
        .iter()
        .zip(proved_by)
        .map(|(what, n)| format!("{what} {n}"))
        .collect();
    println!(
        "servings found open by a request only --config adds: {}",
        proved.join(", ")
    );
    assert!(
        problems.is_empty(),
        "real {program} and aop-lint disagree:\n{}",
        problems.join("\n")
    );
}

#[test]
fn nginx_fixtures_agree_with_aop_lint() {
    sweep(Kind::Nginx, "nginx");
}

/// The same fixtures on the current stable release built from ../shared/servers (the truth
/// table's second nginx column; fixtures a release is too old for say `needs-nginx`).
#[test]
fn nginx_fixtures_agree_with_aop_lint_on_1_30_4() {
    let test = "nginx_fixtures_agree_with_aop_lint_on_1_30_4";
    if env::tools(test, &["curl", "openssl", "ip"]).is_none() {
        return;
    }
    let Some(nginx) = env::nginx_release("1.30.4") else {
        return;
    };
    sweep_with(Kind::Nginx, test, &nginx);
}

#[test]
fn apache_fixtures_agree_with_aop_lint() {
    // The per-directory fixtures need the probe's post-handshake client to agree.
    assert!(
        aop_probe::POST_HANDSHAKE_AUTH || std::env::var_os("CI").is_none(),
        "CI runs the tests with --all-features (post-handshake-auth)"
    );
    sweep(Kind::Apache, "apache2");
}

/// Every fixture says whether the real server runs it: `servable`, or `not-servable` with
/// the reason (the server refuses the tree, a module is missing...). A new fixture without
/// either fails here, so the real-server comparison grows with the rules.
#[test]
fn every_fixture_is_marked_servable_or_not() {
    let mut unmarked = Vec::new();
    for kind in [Kind::Nginx, Kind::Apache] {
        let dir = fixtures::root().join("fixtures").join(kind.dir());
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for case in entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
            let servable = case.join("servable").is_file();
            let reason = std::fs::read_to_string(case.join("not-servable")).ok();
            let has_reason = reason.as_deref().is_some_and(|r| {
                r.lines()
                    .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
            });
            match (servable, reason.is_some()) {
                (true, false) => {}
                (false, true) if has_reason => {}
                (false, true) => {
                    unmarked.push(format!("{}: not-servable gives no reason", case.display()))
                }
                (true, true) => unmarked.push(format!(
                    "{}: both servable and not-servable",
                    case.display()
                )),
                (false, false) => unmarked.push(format!(
                    "{}: neither servable nor not-servable",
                    case.display()
                )),
            }
        }
    }
    assert!(
        unmarked.is_empty(),
        "see docs/real-servers.md, \"Marking a fixture servable\":\n{}",
        unmarked.join("\n")
    );
}

/// A missing server binary is a loud skip on a developer's machine and a failure where
/// AOP_REAL_SERVERS=required or CI is set.
#[test]
fn a_missing_server_skips_or_fails_as_configured() {
    let outcome = std::panic::catch_unwind(|| env::tools("probe", &["aop-truth-no-such-server"]));
    if env::required() {
        assert!(outcome.is_err(), "a missing binary must fail when required");
    } else {
        assert!(matches!(outcome, Ok(None)), "a missing binary must skip");
    }
}
