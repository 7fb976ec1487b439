//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs aop-lint from the repository root, colour off and certificate expiry judged at a
/// fixed time, so paths and output are stable.
pub fn aop_lint(args: &[&str]) -> Output {
    Command::cargo_bin("aop-lint")
        .expect("binary built")
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .env("AOP_LINT_NOW", "2026-01-01T00:00:00Z")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .output()
        .expect("aop-lint runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Fixture case directories of one server kind, sorted, relative to the repository root.
pub fn cases(kind: &str) -> Vec<String> {
    let dir = repo().join("fixtures").join(kind);
    let mut out: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.into_iter()
        .map(|c| format!("fixtures/{kind}/{c}"))
        .collect()
}

pub fn codes(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    v["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_string())
        .collect()
}

/// `../shared` beside the repository: the corpus and Cloudflare reference data.
pub fn shared() -> Option<PathBuf> {
    let p = repo().join("..").join("shared");
    p.is_dir().then_some(p)
}

/// The shared directory, or None after saying loudly why the test is skipped. Under CI its
/// absence is a failure.
pub fn shared_or_skip(test: &str) -> Option<PathBuf> {
    match shared() {
        Some(p) => Some(p),
        None if std::env::var_os("CI").is_some() => {
            panic!("{test}: ../shared is missing, and CI is set: this test must run")
        }
        None => {
            eprintln!("SKIPPED {test}: ../shared is not present beside the repository");
            None
        }
    }
}

pub fn is_dir(p: &Path) -> bool {
    p.is_dir()
}

/// The nginx binary, or None after saying which tests are skipped. Under CI its absence is a
/// failure: `.ci/run` installs it.
pub fn nginx_binary(tests: &str) -> Option<PathBuf> {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("nginx is not installed under CI: .ci/run installs it");
        }
        eprintln!("SKIPPED {tests}: nginx is not installed");
    }
    found
}

/// nginx run on the tree in `dir` (`dir/nginx.conf`), with its prefix and error log there.
pub fn nginx_command(nginx: &Path, dir: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(nginx);
    command
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-e")
        .arg(dir.join("error.log"));
    command
}
