//! Every fixture tree, linted as a user would, with its JSON and human output kept as
//! snapshots; and every rule with fixtures that trigger it and fixtures that must not.
//!
//! A fixture named after a rule (`<rule-name>...`) keeps that rule's findings only, so a
//! change to one rule's words touches that rule's snapshots alone; every fixture's codes,
//! all rules together, are one line each of `fixtures__KIND.codes`, where a finding that
//! appears or vanishes anywhere still shows.

mod common;

use common::{aop_lint, cases, codes, stdout};

fn snapshot_name(case: &str) -> String {
    case.trim_start_matches("fixtures/").replace('/', "__")
}

#[test]
fn nginx_fixture_snapshots() {
    fixture_snapshots("nginx");
}

#[test]
fn apache_fixture_snapshots() {
    fixture_snapshots("apache");
}

#[test]
fn caddy_fixture_snapshots() {
    fixture_snapshots("caddy");
}

/// The rule a fixture is named after: the longest rule name its directory name starts with.
fn rule_of(case: &str) -> Option<&'static str> {
    let dir = case.rsplit('/').next()?;
    aop_rules::RULES
        .iter()
        .map(|r| r.meta())
        .filter(|m| dir == m.name || dir.starts_with(&format!("{}-", m.name)))
        .max_by_key(|m| m.name.len())
        .map(|m| m.code)
}

fn fixture_snapshots(kind: &str) {
    let mut table = String::new();
    for case in cases(kind) {
        let all = aop_lint(&[&case, "--format", "json"]);
        let mut found = codes(&stdout(&all));
        found.sort();
        found.dedup();
        table.push_str(&format!(
            "{} {}\n",
            case.rsplit('/').next().unwrap_or(&case),
            if found.is_empty() {
                "-".to_string()
            } else {
                found.join(" ")
            }
        ));
        let select: Vec<&str> = match rule_of(&case) {
            Some(code) => vec!["--select", code],
            None => Vec::new(),
        };
        let json = aop_lint(&[[case.as_str(), "--format", "json"].as_slice(), &select].concat());
        let human = aop_lint(&[[case.as_str()].as_slice(), &select].concat());
        let name = snapshot_name(&case);
        insta::assert_snapshot!(format!("{name}.json"), stdout(&json));
        insta::assert_snapshot!(format!("{name}.human"), stdout(&human));
        assert_eq!(json.status.code(), human.status.code(), "{case}");
    }
    insta::assert_snapshot!(format!("{kind}.codes"), table);
}

/// Fixture names say what they prove: `<rule-name>...` must raise that rule,
/// `<rule-name>-ok...` must not, `compliant...` must raise nothing but the notice that the
/// shared Cloudflare CA (which the documented setup uses) proves no more than "Cloudflare".
#[test]
fn every_nginx_rule_has_triggering_and_clean_fixtures() {
    rules_have_fixtures("nginx", aop_model::ServerKind::Nginx);
}

#[test]
fn every_apache_rule_has_triggering_and_clean_fixtures() {
    rules_have_fixtures("apache", aop_model::ServerKind::Apache);
}

#[test]
fn every_caddy_rule_has_triggering_and_clean_fixtures() {
    rules_have_fixtures("caddy", aop_model::ServerKind::Caddy);
}

fn rules_have_fixtures(dir: &str, kind: aop_model::ServerKind) {
    let all = cases(dir);
    let mut results = Vec::new();
    for case in &all {
        let out = aop_lint(&[case, "--format", "json"]);
        results.push((
            case.rsplit('/').next().unwrap().to_string(),
            codes(&stdout(&out)),
        ));
    }
    for (name, found) in &results {
        if name.starts_with("compliant") {
            assert!(
                found.iter().all(|c| c == "AOP305"),
                "{name} must produce no finding, got {found:?}"
            );
        }
    }
    for rule in aop_rules::RULES {
        let m = rule.meta();
        // Their triggering and quiet cases are servers tests/probe.rs starts.
        if !m.kinds.contains(&kind) || m.judges_running_server() {
            continue;
        }
        let ok_prefix = format!("{}-ok", m.name);
        let triggering: Vec<_> = results
            .iter()
            .filter(|(n, _)| n.starts_with(m.name) && !n.starts_with(&ok_prefix))
            .collect();
        let clean: Vec<_> = results
            .iter()
            .filter(|(n, _)| n.starts_with(&ok_prefix))
            .collect();
        assert!(!triggering.is_empty(), "{}: no fixture triggers it", m.code);
        assert!(!clean.is_empty(), "{}: no fixture shows it quiet", m.code);
        for (n, found) in triggering {
            assert!(
                found.iter().any(|c| c == m.code),
                "{n} must raise {}, got {found:?}",
                m.code
            );
        }
        for (n, found) in clean {
            assert!(
                !found.iter().any(|c| c == m.code),
                "{n} must not raise {}, got {found:?}",
                m.code
            );
        }
    }
}

/// `aop-lint servers` for every fixture: the model itself, reviewed as a snapshot.
#[test]
fn nginx_servers_snapshots() {
    servers_snapshots("nginx");
}

#[test]
fn apache_servers_snapshots() {
    servers_snapshots("apache");
}

#[test]
fn caddy_servers_snapshots() {
    servers_snapshots("caddy");
}

fn servers_snapshots(kind: &str) {
    for case in cases(kind) {
        let json = aop_lint(&["servers", &case, "--format", "json"]);
        let human = aop_lint(&["servers", &case]);
        let name = snapshot_name(&case);
        insta::assert_snapshot!(format!("{name}.servers.json"), stdout(&json));
        insta::assert_snapshot!(format!("{name}.servers.human"), stdout(&human));
    }
}
