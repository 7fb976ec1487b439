//! The options that decide how CA files are judged: `--now`, `--expiry-warn-days`,
//! `--config` / `aop-lint.toml`, and `--root` for absolute CA paths.

mod common;

use common::{aop_lint, codes, repo, stdout};

fn json(args: &[&str]) -> (Option<i32>, Vec<String>) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = aop_lint(&all);
    (out.status.code(), codes(&stdout(&out)))
}

#[test]
fn now_moves_expiry_and_the_window_widens_the_warning() {
    let case = "fixtures/nginx/ca-expired-soon";
    // Tests run at 2026-01-01 (AOP_LINT_NOW); the CA ends 2026-01-20.
    assert_eq!(json(&[case]), (Some(1), vec!["AOP303".to_string()]));
    assert_eq!(json(&[case, "--expiry-warn-days", "7"]), (Some(0), vec![]));
    assert_eq!(
        json(&[
            case,
            "--now",
            "2025-06-01T00:00:00Z",
            "--expiry-warn-days",
            "365"
        ])
        .1,
        vec!["AOP303"]
    );
    let out = aop_lint(&[case, "--now", "2026-02-01T00:00:00Z", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["severity"], "error", "expired by then");
}

#[test]
fn the_cloudflare_ca_warns_a_month_before_2029_11_01() {
    let case = "fixtures/nginx/ca-superseded-ok";
    assert_eq!(
        json(&[case, "--now", "2029-10-10T00:00:00Z"]).1,
        vec!["AOP303", "AOP305"]
    );
    assert_eq!(
        json(&[case, "--now", "2029-09-10T00:00:00Z"]).1,
        vec!["AOP305"]
    );
}

#[test]
fn a_malformed_now_is_a_usage_error() {
    let out = aop_lint(&["fixtures/nginx/compliant", "--now", "tomorrow"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));
}

#[test]
fn aop_lint_toml_beside_the_tree_declares_the_zone_ca() {
    // The fixture's aop-lint.toml declares its CA; an empty configuration given instead
    // makes the same CA untrusted.
    let case = "fixtures/nginx/ca-untrusted-ok";
    assert_eq!(json(&[case]), (Some(0), vec![]));
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("aop-lint.toml");
    std::fs::write(&empty, "").unwrap();
    assert_eq!(
        json(&[case, "--config", empty.to_str().unwrap()]),
        (Some(1), vec!["AOP302".to_string()])
    );
}

#[test]
fn a_broken_configuration_file_is_an_input_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("aop-lint.toml");
    for text in [
        "trusted_ca_sha256 = [\"not hex\"]\n",
        "trusted_cas = []\n",
        "expiry_warn_days = -1\n",
    ] {
        std::fs::write(&bad, text).unwrap();
        let out = aop_lint(&[
            "fixtures/nginx/compliant",
            "--config",
            bad.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("aop-lint.toml"),
            "{text}"
        );
    }
    let missing = dir.path().join("nope.toml");
    let out = aop_lint(&[
        "fixtures/nginx/compliant",
        "--config",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn root_reads_absolute_ca_paths_below_it() {
    let tree = "fixtures/roots/cloudflare-ca/etc/nginx";
    assert_eq!(
        json(&[tree, "--root", "fixtures/roots/cloudflare-ca"]).1,
        vec!["AOP305"]
    );
    // Without --root, a tree ending in etc/nginx is read as the copy of `/` it sits in.
    assert_eq!(json(&[tree]).1, vec!["AOP305"]);
}

#[test]
fn a_dump_finds_the_configuration_beside_its_main_file() {
    let dir = repo().join("fixtures/nginx/ca-untrusted-ok");
    let main = dir.join("nginx.conf");
    let mut dump = format!("# configuration file {}:\n", main.display()).into_bytes();
    dump.extend(std::fs::read(&main).unwrap());
    let out = assert_cmd::Command::cargo_bin("aop-lint")
        .unwrap()
        .current_dir(repo())
        .env("AOP_LINT_NOW", "2026-01-01T00:00:00Z")
        .args(["-", "--format", "json"])
        .write_stdin(dump)
        .output()
        .unwrap();
    assert_eq!(codes(&stdout(&out)), Vec::<String>::new());
}
