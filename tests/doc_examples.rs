//! Each rule's documentation is itself linted: the configuration under **Example** must raise
//! the rule, the one under **Use instead** must not. Each block becomes the main file of a
//! fresh tree that is also the linted system's `/` (`--root`), holding the CA files the
//! examples name, copied from the fixtures that show the same case.

mod common;

use std::path::Path;

use aop_model::ServerKind;
use aop_rules::{docs, RULES};
use common::{aop_lint, codes, repo, stdout};

/// Every file the examples name (relative to the tree, or absolute below `--root`), and the
/// fixture it is copied from. A new example naming a new file adds it here.
const KIT: &[(&str, &str)] = &[
    // A site's certificate naming shop.example.com (AOP205's example presents it).
    (
        "certs/shop.pem",
        "fixtures/nginx/default-certificate-names-site/certs/shop.pem",
    ),
    (
        "certs/cloudflare-origin-pull-ca.pem",
        "fixtures/certs/cloudflare-origin-pull-ca.pem",
    ),
    (
        "certs/origin-pull-ca.pem",
        "fixtures/pki/cloudflare/origin-pull-ca-2019.pem",
    ),
    (
        "certs/origin-pull-ca.der",
        "fixtures/nginx/ca-file-unreadable-der/certs/zone-ca.pem",
    ),
    (
        "certs/origin-pull-ca-2015.pem",
        "fixtures/pki/cloudflare/origin-pull-ca-2015-expired.pem",
    ),
    (
        "certs/zone-ca-2015.pem",
        "fixtures/nginx/ca-expired/certs/zone-ca.pem",
    ),
    (
        "certs/zone-ca-2025.pem",
        "fixtures/nginx/ca-expired-ok/certs/zone-ca.pem",
    ),
    (
        "certs/shop-zone-ca.pem",
        "fixtures/nginx/ca-untrusted-ok/certs/zone-ca.pem",
    ),
    (
        "certs/shop.example.com.pem",
        "fixtures/nginx/ca-not-a-ca/certs/shop.example.com.pem",
    ),
    (
        "etc/ssl/certs/ca-certificates.crt",
        "fixtures/nginx/ca-untrusted-bundle/certs/bundle.pem",
    ),
    (
        "etc/ssl/cloudflare/origin-pull-ca.pem",
        "fixtures/pki/cloudflare/origin-pull-ca-2019.pem",
    ),
    (
        "etc/ssl/cloudflare/shop-zone-ca.pem",
        "fixtures/nginx/ca-untrusted-ok/certs/zone-ca.pem",
    ),
];

fn lay_kit(root: &Path) {
    for (to, from) in KIT {
        let to = root.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(repo().join(from), &to).unwrap_or_else(|e| panic!("{from}: {e}"));
    }
}

/// The codes aop-lint raises on `config` as the main file of a fresh tree.
fn lint(config: &str, main_file: &str, server: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    lay_kit(dir.path());
    // An example that loads modules shows the part of a whole main file that matters; the
    // MPM every whole httpd tree loads (httpd refuses one without) is the rest of it.
    let config = if server == "apache" && config.contains("LoadModule ") {
        format!("LoadModule mpm_event_module modules/mod_mpm_event.so\n{config}")
    } else {
        config.to_string()
    };
    std::fs::write(dir.path().join(main_file), &config).unwrap();
    let o = aop_lint(&[
        dir.path().to_str().unwrap(),
        "--root",
        dir.path().to_str().unwrap(),
        "--server",
        server,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "aop-lint failed on:\n{config}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    codes(&stdout(&o))
}

/// Code blocks aop-lint can read, with the main file name and server kind they stand for.
fn lintable<'a>(lang: &str, kinds: &[ServerKind]) -> Option<(&'a str, &'a str)> {
    match lang {
        "nginx" if kinds.contains(&ServerKind::Nginx) => Some(("nginx.conf", "nginx")),
        "apache" if kinds.contains(&ServerKind::Apache) => Some(("apache2.conf", "apache")),
        _ => None,
    }
}

/// Paths of CA files in a configuration block: the last word of the directives naming one.
fn ca_paths(block: &str) -> Vec<String> {
    block
        .lines()
        .map(str::trim)
        .filter(|l| {
            [
                "ssl_client_certificate",
                "ssl_trusted_certificate",
                "SSLCACertificateFile",
            ]
            .iter()
            .any(|d| l.starts_with(d))
        })
        .filter_map(|l| l.trim_end_matches(';').split_whitespace().nth(1))
        .map(|p| p.trim_start_matches('/').to_string())
        .collect()
}

#[test]
fn every_ca_file_the_examples_name_is_in_the_kit() {
    for r in RULES {
        let m = r.meta();
        for section in ["Example", "Use instead"] {
            for (_, body) in docs::section_blocks(m, section) {
                for path in ca_paths(&body) {
                    assert!(
                        KIT.iter().any(|(k, _)| *k == path),
                        "{} {section} names {path}: add it to KIT in tests/doc_examples.rs",
                        m.code
                    );
                }
            }
        }
    }
}

#[test]
fn examples_trigger_their_rule_and_fixes_do_not() {
    let mut checked = 0;
    for r in RULES {
        let m = r.meta();
        // Their examples are a probe's output and a fragment of the configuration that
        // fixes it.
        if m.judges_running_server() {
            continue;
        }
        let mut examples = 0;
        for (lang, body) in docs::section_blocks(m, "Example") {
            let Some((main, server)) = lintable(&lang, m.kinds) else {
                continue;
            };
            let found = lint(&body, main, server);
            assert!(
                found.iter().any(|c| c == m.code),
                "{}: its Example does not raise it (got {found:?}):\n{body}",
                m.code
            );
            examples += 1;
        }
        for (lang, body) in docs::section_blocks(m, "Use instead") {
            let Some((main, server)) = lintable(&lang, m.kinds) else {
                continue;
            };
            let found = lint(&body, main, server);
            assert!(
                !found.iter().any(|c| c == m.code),
                "{}: its Use instead still raises it (got {found:?}):\n{body}",
                m.code
            );
            // A fix nginx or httpd refuses to start on is no fix.
            assert!(
                !found.iter().any(|c| c == "AOP001"),
                "{}: its Use instead does not start (got {found:?}):\n{body}",
                m.code
            );
            examples += 1;
        }
        assert!(
            examples >= 2,
            "{}: no Example and Use instead to lint",
            m.code
        );
        checked += examples;
    }
    eprintln!("{checked} documentation blocks linted");
    let probe_rules = RULES
        .iter()
        .filter(|r| r.meta().judges_running_server())
        .count();
    assert!(
        checked >= 2 * (RULES.len() - probe_rules) - 2,
        "only {checked} blocks checked"
    );
}
