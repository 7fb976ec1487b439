//! The request simulation (`aop-lint servers --scenarios`, aop_model::scenario) and the rules
//! must tell the same story: on every fixture the real servers serve (each one's verdicts
//! checked against nginx or httpd by tests/real_servers.rs, or Caddy by
//! tests/caddy_server.rs), a request without a trusted
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
    let served_by_caddy = |case: &String| {
        std::fs::read_to_string(common::repo().join(case).join("not-servable"))
            .is_ok_and(|m| m.contains("tests/caddy_server.rs"))
    };
    ["nginx", "apache", "caddy"]
        .iter()
        .flat_map(|kind| common::cases(kind))
        .filter(|case| {
            common::repo().join(case).join("servable").is_file() || served_by_caddy(case)
        })
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

/// What Caddy 2.11.7 answered these requests in tests/caddy_server.rs: the handshake asks by
/// the SNI's site, a wildcard stands for one label, and without SNI the `Host` gets 421 once
/// a site of the listener has client authentication.
#[test]
fn caddy_rows_are_what_caddy_answered() {
    let rows = |fixture: &str| {
        let table = stdout(&aop_lint(&[
            "servers",
            "--scenarios",
            &format!("fixtures/caddy/{fixture}"),
        ]));
        let path = format!(" (fixtures/caddy/{fixture}/Caddyfile:");
        table
            .lines()
            .map(|l| match l.split_once(&path) {
                Some((head, tail)) => format!("{head}{}", tail.split_once(')').map_or("", |t| t.1)),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let expect = [
        (
            "client-verify-missing-wildcard-not-inherited",
            [
                "SNI shop.example.com, Host shop.example.com, no certificate: CONTENT from shop.example.com",
                "SNI wild.example.com, Host wild.example.com, no certificate: refused by *.example.com (the handshake requires a client certificate)",
                "SNI wild.example.com, Host wild.example.com, a trusted certificate: CONTENT from *.example.com",
                "no SNI, Host shop.example.com, no certificate: refused by *.example.com (421:",
            ],
        ),
        (
            "client-verify-missing-strict-sni-off",
            [
                "SNI shop.example.com, Host shop.example.com, no certificate: refused by shop.example.com (the handshake requires a client certificate)",
                "SNI shop.example.com, Host shop.example.com, a trusted certificate: CONTENT from shop.example.com",
                "no SNI, Host shop.example.com, no certificate: CONTENT from shop.example.com",
                "SNI unknown.invalid, Host unknown.invalid, a trusted certificate: refused by shop.example.com (no site takes this name",
            ],
        ),
        (
            "client-verify-missing-mode-require",
            [
                "SNI shop.example.com, Host shop.example.com, no certificate: refused by shop.example.com (the handshake requires a client certificate)",
                "SNI shop.example.com, Host shop.example.com, an unrelated CA's certificate: CONTENT from shop.example.com",
                "no SNI, Host shop.example.com, no certificate: refused by shop.example.com (421:",
                "SNI unknown.invalid, Host unknown.invalid, no certificate: refused by shop.example.com (no site takes this name",
            ],
        ),
    ];
    for (fixture, wanted) in expect {
        let table = rows(fixture);
        for row in wanted {
            assert!(
                table.contains(&format!("    {row}")),
                "{fixture}: no row `{row}` in\n{table}"
            );
        }
    }
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
