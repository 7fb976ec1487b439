//! Each rule's documentation is itself linted: the configuration under **Example** must raise
//! the rule, the one under **Use instead** must not. Examples name CA files as
//! `certs/<file>.pem`, which resolve to `fixtures/certs/` copied beside them.

mod common;

use std::path::Path;

use aop_model::ServerKind;
use aop_rules::{docs, RULES};
use common::{aop_lint, codes, repo, stdout};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The codes aop-lint raises on `config` as the main file of a fresh tree.
fn lint(config: &str, main_file: &str, server: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("fixtures/certs"), &dir.path().join("certs"));
    std::fs::write(dir.path().join(main_file), config).unwrap();
    let o = aop_lint(&[
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
        _ => None,
    }
}

#[test]
fn examples_trigger_their_rule_and_fixes_do_not() {
    let mut checked = 0;
    for r in RULES {
        let m = r.meta();
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
            examples += 1;
        }
        if m.kinds.contains(&ServerKind::Nginx) {
            assert!(
                examples >= 2,
                "{}: no nginx Example and Use instead",
                m.code
            );
        }
        checked += examples;
    }
    eprintln!("{checked} documentation blocks linted");
    assert!(
        checked >= 2 * RULES.len() - 2,
        "only {checked} blocks checked"
    );
}
