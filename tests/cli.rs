//! The command's contract: exit codes, formats, paths.

mod common;

use common::{aop_lint, codes, stdout};

#[test]
fn findings_exit_one_and_clean_exits_zero() {
    assert_eq!(
        aop_lint(&["fixtures/nginx/client-verify-missing"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        aop_lint(&["fixtures/nginx/compliant"]).status.code(),
        Some(0)
    );
}

#[test]
fn a_main_file_can_be_given_instead_of_its_directory() {
    let dir = aop_lint(&["fixtures/nginx/client-ca-missing", "--format", "json"]);
    let file = aop_lint(&[
        "fixtures/nginx/client-ca-missing/nginx.conf",
        "--format",
        "json",
    ]);
    assert_eq!(stdout(&dir), stdout(&file));
}

#[test]
fn fail_on_sets_the_threshold() {
    // AOP004 is a warning: it fails by default and with --fail-on warning, not with error.
    let case = "fixtures/nginx/not-checked-stream";
    assert_eq!(aop_lint(&[case]).status.code(), Some(1));
    assert_eq!(
        aop_lint(&[case, "--fail-on", "error"]).status.code(),
        Some(0)
    );
    assert_eq!(
        aop_lint(&[case, "--fail-on", "never"]).status.code(),
        Some(0)
    );
    assert_eq!(
        aop_lint(&["fixtures/nginx/client-verify-missing", "--fail-on", "never"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn unreadable_input_exits_two() {
    let o = aop_lint(&["fixtures/nginx/does-not-exist"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does-not-exist"));
    // A directory without nginx.conf.
    assert_eq!(aop_lint(&["docs"]).status.code(), Some(2));
    // No path at all.
    assert_eq!(aop_lint(&[]).status.code(), Some(2));
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(aop_lint(&["--format", "yaml", "x"]).status.code(), Some(2));
    assert_eq!(aop_lint(&["--no-such-flag"]).status.code(), Some(2));
}

#[test]
fn several_trees_make_one_report() {
    let o = aop_lint(&[
        "fixtures/nginx/client-verify-missing",
        "fixtures/nginx/client-ca-missing",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        codes(&stdout(&o)),
        vec!["AOP201", "AOP104", "AOP101", "AOP201"]
    );
}

#[test]
fn json_follows_the_documented_schema() {
    let o = aop_lint(&["fixtures/nginx/client-verify-missing", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "aop-lint");
    let f = &v["findings"][0];
    for key in [
        "code",
        "name",
        "severity",
        "message",
        "help",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "byte_start",
        "byte_end",
        "server",
    ] {
        assert!(f.get(key).is_some(), "finding lacks {key}");
    }
    assert_eq!(f["file"], "fixtures/nginx/client-verify-missing/nginx.conf");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(5), Some(9))
    );
    assert_eq!(f["server"]["kind"], "nginx");
    assert_eq!(f["server"]["listen"][0], "*:443 ssl");
    for key in ["files", "servers", "errors", "warnings", "infos"] {
        assert!(v["summary"][key].is_u64(), "summary lacks {key}");
    }
    assert_eq!(v["summary"]["errors"], 2);
}

#[test]
fn output_is_deterministic() {
    let a = aop_lint(&[
        "fixtures/nginx/compliant",
        "fixtures/nginx/client-verify-missing",
        "--format",
        "json",
    ]);
    let b = aop_lint(&[
        "fixtures/nginx/compliant",
        "fixtures/nginx/client-verify-missing",
        "--format",
        "json",
    ]);
    assert_eq!(a.stdout, b.stdout);
}

/// `--nginx-version` decides the verdicts that depend on the release, over `nginx_version`
/// of the settings file; without either, the finding says it assumed an affected release.
#[test]
fn the_nginx_version_decides_version_dependent_verdicts() {
    let json = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        stdout(&aop_lint(&all))
    };
    let unknown = json(&["fixtures/nginx/session-resumption-crosses-client-ca"]);
    assert!(unknown.contains("\"AOP204\"") && unknown.contains("assumed affected"));
    assert!(unknown.contains("\"severity\": \"warning\""), "{unknown}");
    let affected = json(&[
        "fixtures/nginx/session-resumption-crosses-client-ca",
        "--nginx-version",
        "nginx/1.26.2",
    ]);
    assert!(affected.contains("nginx 1.26.2 is affected"), "{affected}");
    let fixed = json(&[
        "fixtures/nginx/session-resumption-crosses-client-ca",
        "--nginx-version",
        "1.26.3",
    ]);
    assert!(!codes(&fixed).contains(&"AOP204".to_string()));
    // The command line wins over the settings file's 1.26.2.
    let over = json(&[
        "fixtures/nginx/session-resumption-crosses-client-ca-1-26-2",
        "--nginx-version",
        "1.30.4",
    ]);
    assert!(!codes(&over).contains(&"AOP204".to_string()));
    let bad = aop_lint(&["fixtures/nginx/compliant", "--nginx-version", "latest"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a version such as 1.26.2"));
}

/// Caddy's JSON config is found by its name, in a directory or given itself, and with
/// `--server caddy` under any `.json` name; a JSON file that is no Caddy config is never a
/// clean pass.
#[test]
fn a_caddy_json_config_is_read_wherever_it_is_named() {
    let case = "fixtures/caddy/client-verify-missing-json-mode-require";
    let dir = stdout(&aop_lint(&[case, "--format", "json"]));
    let file = stdout(&aop_lint(&[
        &format!("{case}/caddy.json"),
        "--format",
        "json",
    ]));
    assert_eq!(dir, file);
    assert_eq!(codes(&dir), ["AOP101"]);

    let tmp = tempfile::tempdir().unwrap();
    let renamed = tmp.path().join("site-config.json");
    std::fs::copy(format!("{case}/caddy.json"), &renamed).unwrap();
    let forced = aop_lint(&[
        &renamed.to_string_lossy(),
        "--server",
        "caddy",
        "--format",
        "json",
    ]);
    // Its CA file stayed behind: AOP004 says so beside the verdict.
    assert_eq!(codes(&stdout(&forced)), ["AOP004", "AOP101"]);

    let package = tmp.path().join("package.json");
    std::fs::write(&package, r#"{"name": "shop", "version": "1.0.0"}"#).unwrap();
    let out = aop_lint(&[&package.to_string_lossy(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(codes(&stdout(&out)).contains(&"AOP001".to_string()));
}
