//! The request simulation (`aop-lint servers --scenarios`, aop_model::scenario) and the rules
//! must tell the same story: on every fixture the real servers serve (each one's verdicts
//! checked against nginx or httpd by tests/real_servers.rs), a request without a trusted
//! certificate gets content in the simulation exactly when an open finding (AOP101, AOP102,
//! AOP103, AOP107, AOP202) says so, and an unknown name gets a site with a trusted certificate
//! exactly when AOP201 says so.

mod common;

use common::{aop_lint, codes, stdout};

/// The codes of the rules that say a client without a trusted certificate gets content.
fn open_codes() -> Vec<&'static str> {
    aop_rules::codes_with(aop_rules::Verdict::Open)
        .into_iter()
        .filter(|c| aop_rules::find_rule(c).is_some_and(|r| !r.meta().judges_running_server()))
        .collect()
}

fn servable_cases() -> Vec<String> {
    ["nginx", "apache"]
        .iter()
        .flat_map(|kind| common::cases(kind))
        .filter(|case| common::repo().join(case).join("servable").is_file())
        .collect()
}

#[test]
fn the_simulation_and_the_rules_agree_on_every_servable_fixture() {
    let open = open_codes();
    let mut checked = 0;
    let mut problems = Vec::new();
    for case in servable_cases() {
        let table = stdout(&aop_lint(&["servers", "--scenarios", &case]));
        let found = codes(&stdout(&aop_lint(&[&case, "--format", "json"])));
        let open_by_rules = found.iter().any(|c| open.contains(&c.as_str()));
        let foreign_by_rules = found.iter().any(|c| c == "AOP201");
        let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("    ")).collect();
        let open_by_simulation = rows.iter().any(|l| {
            let untrusted = !l.contains("a trusted certificate");
            untrusted && l.contains(": CONTENT")
        });
        let foreign_by_simulation = rows
            .iter()
            .any(|l| l.contains("Host unknown.invalid, a trusted certificate: CONTENT"));
        if open_by_rules != open_by_simulation {
            problems.push(format!(
                "{case}: open by the rules {open_by_rules}, by the simulation {open_by_simulation}\n{table}"
            ));
        }
        if foreign_by_rules != foreign_by_simulation {
            problems.push(format!(
                "{case}: foreign by the rules {foreign_by_rules}, by the simulation {foreign_by_simulation}\n{table}"
            ));
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} servable fixtures");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each row names the request, and the server that decided, with its place.
#[test]
fn the_table_names_the_deciding_server() {
    let table = stdout(&aop_lint(&[
        "servers",
        "--scenarios",
        "fixtures/nginx/compliant",
    ]));
    assert!(table.contains(
        "    SNI shop.example.com, Host shop.example.com, no certificate: refused by shop.example.com (fixtures/nginx/compliant/sites-enabled/shop.conf:1) (400: no required client certificate was sent)"
    ), "{table}");
    assert!(table.contains(
        "    SNI shop.example.com, Host shop.example.com, a trusted certificate: CONTENT from shop.example.com"
    ), "{table}");
    assert!(
        table
            .contains("no SNI, Host shop.example.com, no certificate: refused by (no server_name)"),
        "{table}"
    );
}
