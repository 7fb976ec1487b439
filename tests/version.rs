//! `aop-lint --version` names the commit of a build from a checkout, and only then.

mod common;

#[allow(dead_code)]
#[path = "../build.rs"]
mod build_script;

use std::path::Path;
use std::process::Command;

use common::{aop_lint, repo, stdout};

#[test]
fn version_names_the_commit_it_was_built_from() {
    let o = aop_lint(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    let version = env!("CARGO_PKG_VERSION");
    let want = match build_script::commit(&repo()) {
        Some(c) => format!("aop-lint {version} ({} {})\n", c.hash, c.date),
        None => format!("aop-lint {version}\n"),
    };
    assert_eq!(stdout(&o), want);
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git {args:?}");
}

/// A directory outside any repository, or one inside a repository it is not the top of (a
/// crate unpacked into another project), names no commit; the top of a repository does.
#[test]
fn only_the_top_of_a_repository_names_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let crate_dir = dir.path().join("vendor/aop-lint");
    std::fs::create_dir_all(&crate_dir).unwrap();
    assert!(build_script::commit(&crate_dir).is_none());

    git(dir.path(), &["init", "-q"]);
    std::fs::write(crate_dir.join("Cargo.toml"), "").unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "vendored"]);
    assert!(build_script::commit(&crate_dir).is_none());

    let c = build_script::commit(dir.path()).expect("the top of a repository");
    assert!(
        c.hash.len() >= 7 && c.hash.chars().all(|ch| ch.is_ascii_hexdigit()),
        "{}",
        c.hash
    );
    let date = c.date.as_bytes();
    assert!(
        date.len() == 10 && date[4] == b'-' && date[7] == b'-',
        "{}",
        c.date
    );
    assert!(c.watch.iter().any(|p| p.ends_with("HEAD")), "{:?}", c.watch);
}
