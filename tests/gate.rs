//! What the gate lets through: --select/--ignore, aop-lint.toml, inline suppressions, and
//! trees found from the changed files pre-commit passes.

mod common;

use std::path::Path;

use common::{aop_lint, codes, repo, stdout};

fn json(args: &[&str]) -> (Option<i32>, Vec<String>) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let o = aop_lint(&all);
    (o.status.code(), codes(&stdout(&o)))
}

const TWO: &str = "fixtures/nginx/client-verify-missing";

#[test]
fn select_and_ignore_take_codes_names_and_prefixes() {
    assert_eq!(json(&[TWO]).1, vec!["AOP101", "AOP201"]);
    assert_eq!(json(&[TWO, "--select", "AOP101"]).1, vec!["AOP101"]);
    assert_eq!(
        json(&[TWO, "--select", "default-server-missing"]).1,
        vec!["AOP201"]
    );
    assert_eq!(json(&[TWO, "--ignore", "AOP1"]).1, vec!["AOP201"]);
    assert_eq!(
        json(&[TWO, "--select", "AOP101,AOP201", "--ignore", "aop201"]).1,
        vec!["AOP101"]
    );
    // Nothing selected is found: clean exit.
    assert_eq!(json(&[TWO, "--select", "AOP104"]), (Some(0), vec![]));
    assert_eq!(json(&[TWO, "--select", "ALL"]).1, vec!["AOP101", "AOP201"]);
}

#[test]
fn an_unknown_rule_is_a_usage_error() {
    for flag in ["--select", "--ignore"] {
        let o = aop_lint(&[TWO, flag, "AOP999"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("unknown rule `AOP999`"));
    }
}

fn tree(dir: &Path, config: &str, settings: Option<&str>) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("nginx.conf"), config).unwrap();
    if let Some(s) = settings {
        std::fs::write(dir.join("aop-lint.toml"), s).unwrap();
    }
}

fn fixture(case: &str) -> String {
    std::fs::read_to_string(repo().join("fixtures/nginx").join(case).join("nginx.conf")).unwrap()
}

#[test]
fn settings_file_is_found_upwards_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("aop-lint.toml"),
        "ignore = [\"client-verify-missing\"]\n[severity]\nAOP201 = \"info\"\n",
    )
    .unwrap();
    let t = dir.path().join("etc/nginx");
    tree(&t, &fixture("client-verify-missing"), None);
    let o = aop_lint(&[t.to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(codes(&stdout(&o)), vec!["AOP201"]);
    assert_eq!(v["findings"][0]["severity"], "info");
    // An info does not fail the default gate; it fails --fail-on info.
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        aop_lint(&[t.to_str().unwrap(), "--fail-on", "info"])
            .status
            .code(),
        Some(1)
    );
    // --select on the command line replaces the file's selection; --ignore adds to it.
    assert_eq!(
        json(&[t.to_str().unwrap(), "--select", "AOP101,AOP201"]).1,
        vec!["AOP201"]
    );
    assert_eq!(
        json(&[t.to_str().unwrap(), "--ignore", "AOP201"]).1,
        vec![] as Vec<String>
    );
}

#[test]
fn config_flag_overrides_the_file_found() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    tree(
        &t,
        &fixture("client-verify-missing"),
        Some("select = [\"AOP101\"]\n"),
    );
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "select = [\"AOP201\"]\n").unwrap();
    assert_eq!(json(&[t.to_str().unwrap()]).1, vec!["AOP101"]);
    assert_eq!(
        json(&[t.to_str().unwrap(), "--config", other.to_str().unwrap()]).1,
        vec!["AOP201"]
    );
    let o = aop_lint(&[t.to_str().unwrap(), "--config", "no/such.toml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn unknown_keys_are_errors_pointing_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    tree(
        &t,
        &fixture("compliant"),
        Some("select = [\"AOP101\"]\nfail-on = \"error\"\n"),
    );
    let o = aop_lint(&[t.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown field `fail-on`"), "{err}");
    assert!(err.contains("aop-lint.toml:2:1"), "{err}");
    assert!(err.contains("fail-on = \"error\""), "{err}");
}

#[test]
fn settings_error_snapshot() {
    let o = aop_lint(&[
        "fixtures/nginx/compliant",
        "--config",
        "tests/settings/bad-severity.toml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!("settings_error", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn server_kind_comes_from_the_settings_file() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    std::fs::create_dir_all(&t).unwrap();
    let main = t.join("site.conf");
    std::fs::write(&main, fixture("client-verify-missing")).unwrap();
    std::fs::write(t.join("aop-lint.toml"), "server = \"nginx\"\n").unwrap();
    assert_eq!(json(&[main.to_str().unwrap()]).1, vec!["AOP101", "AOP201"]);
}

#[test]
fn suppressions_silence_and_stale_ones_are_reported() {
    assert_eq!(
        json(&["fixtures/nginx/unused-suppression-ok-used"]),
        (Some(0), vec![])
    );
    assert_eq!(
        json(&["fixtures/nginx/unused-suppression"]),
        (Some(1), vec!["AOP003".to_string()])
    );
    assert_eq!(
        json(&["fixtures/nginx/unused-suppression-missing-reason"]).1,
        vec!["AOP003", "AOP201"]
    );
    // A suppression whose finding is ignored still matched it: it is not stale.
    assert_eq!(
        json(&[
            "fixtures/nginx/unused-suppression-ok-used",
            "--ignore",
            "AOP201"
        ]),
        (Some(0), vec![])
    );
    // AOP003 can itself be ignored.
    assert_eq!(
        json(&["fixtures/nginx/unused-suppression", "--ignore", "AOP003"]),
        (Some(0), vec![])
    );
}

/// A silenced finding does not gate, but the reports keep it with its reason: JSON under
/// `suppressed`, SARIF as a result carrying SARIF's own `suppressions` record.
#[test]
fn silenced_findings_are_listed_with_their_reason() {
    let case = "fixtures/nginx/unused-suppression-ok-used";
    let o = aop_lint(&[case, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let silenced = v["suppressed"].as_array().expect("suppressed array");
    let codes: Vec<_> = silenced
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["AOP201", "AOP202"]);
    // One comment on the line above, one at the end of the line.
    assert_eq!(
        silenced[0]["reason"],
        "only Cloudflare's per-zone certificate reaches this port"
    );
    assert_eq!(silenced[0]["line"], 8);
    assert_eq!(silenced[0]["suppressed_by"]["line"], 7);
    assert_eq!(silenced[1]["reason"], "health checks from the LAN only");
    assert_eq!(silenced[1]["suppressed_by"]["line"], 20);
    assert_eq!(v["summary"]["suppressed"], 2);
    assert_eq!(v["summary"]["errors"], 0);

    let o = aop_lint(&[case, "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for (r, f) in results.iter().zip(silenced) {
        assert_eq!(r["ruleId"], f["code"]);
        let s = &r["suppressions"][0];
        assert_eq!(s["kind"], "inSource");
        assert_eq!(s["justification"], f["reason"]);
        let region = &s["location"]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], f["suppressed_by"]["line"]);
    }

    let human = stdout(&aop_lint(&[case]));
    assert!(human.contains("(2 suppressed)"), "{human}");

    // An ignored rule's silenced findings are not listed either.
    let o = aop_lint(&[case, "--format", "json", "--ignore", "AOP201"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["suppressed"].as_array().unwrap().len(), 1);
    assert_eq!(v["suppressed"][0]["code"], "AOP202");
    assert_eq!(v["summary"]["suppressed"], 1);
}

#[test]
fn changed_files_lint_their_tree_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let t = dir.path().join("etc/nginx");
    std::fs::create_dir_all(t.join("sites-enabled")).unwrap();
    std::fs::create_dir_all(t.join("sites-available")).unwrap();
    std::fs::write(
        t.join("nginx.conf"),
        "events {}\nhttp {\n    include sites-enabled/*.conf;\n}\n",
    )
    .unwrap();
    let site =
        "server {\n    listen 443 ssl;\n    server_name a.example.com;\n    ssl_certificate a.pem;\n    ssl_certificate_key a.key;\n    root /srv/a;\n}\n";
    std::fs::write(t.join("sites-enabled/a.conf"), site).unwrap();
    std::fs::write(t.join("sites-enabled/b.conf"), "").unwrap();
    std::fs::write(t.join("sites-available/c.conf"), site).unwrap();
    let a = t.join("sites-enabled/a.conf");
    let b = t.join("sites-enabled/b.conf");
    let c = t.join("sites-available/c.conf");
    let (code, found) = json(&[a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    // One tree, linted once: each finding once, though two of its files were given.
    assert_eq!(found, vec!["AOP101", "AOP201"]);
    // A file the tree does not read: the tree is linted, and the file is an error of its own
    // (nothing in it was checked), even for `--fail-on error`.
    let o = aop_lint(&[c.to_str().unwrap(), "--format", "json"]);
    assert_eq!(codes(&stdout(&o)), vec!["AOP004", "AOP101", "AOP201"]);
    assert!(
        stdout(&o).contains("c.conf is not read by the tree"),
        "{}",
        stdout(&o)
    );
    let quiet = aop_lint(&[c.to_str().unwrap(), "--quiet", "--fail-on", "error"]);
    assert_eq!(quiet.status.code(), Some(1));
}

#[test]
fn changed_apache_files_lint_their_tree() {
    for (tree, changed) in [
        (
            "fixtures/apache/debian-layout",
            vec![
                "fixtures/apache/debian-layout/sites-enabled/shop.conf",
                "fixtures/apache/debian-layout/mods-enabled/ssl.conf",
            ],
        ),
        (
            "fixtures/apache/rhel-layout",
            vec!["fixtures/apache/rhel-layout/conf.d/blog.conf"],
        ),
    ] {
        let whole = json(&[tree]);
        let mut args = changed.clone();
        args.extend(["--format", "json"]);
        let o = aop_lint(&args);
        // The same report as the whole tree, each finding once.
        assert_eq!((o.status.code(), codes(&stdout(&o))), whole, "{tree}");
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let w: serde_json::Value =
            serde_json::from_str(&stdout(&aop_lint(&[tree, "--format", "json"]))).unwrap();
        assert_eq!(v["summary"], w["summary"], "{tree}");
    }
}

fn with_stdin(args: &[&str], input: &str) -> std::process::Output {
    assert_cmd::Command::cargo_bin("aop-lint")
        .unwrap()
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .env("AOP_LINT_NOW", "2026-01-01T00:00:00Z")
        .args(args)
        .write_stdin(input)
        .output()
        .unwrap()
}

#[test]
fn an_nginx_dump_on_stdin_is_gated_and_listed() {
    let dump = "# configuration file /etc/nginx/nginx.conf:\nhttp {\n    server {\n        # aop-lint: ignore AOP201 -- only this zone reaches the origin\n        listen 443 ssl;\n        server_name a.example.com;\n        ssl_certificate a.pem;\n        ssl_certificate_key a.key;\n        root /srv/a;\n    }\n}\n";
    // The suppression in the dump silences AOP201 there; AOP101 remains.
    let o = with_stdin(&["-", "--format", "json"], dump);
    assert_eq!(codes(&stdout(&o)), vec!["AOP101"]);
    let o = with_stdin(&["servers", "-"], dump);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("a.example.com (/etc/nginx/nginx.conf:2)"),
        "{}",
        stdout(&o)
    );
}

/// A settings file is looked for up to the repository root only, never in a directory others
/// may write to, and the one applied is named in the report: `ignore = ["ALL"]` left in
/// `/tmp` or above a checkout must not silence a tree unseen.
#[test]
fn settings_stop_at_the_repository_and_at_world_writable_directories() {
    use std::os::unix::fs::PermissionsExt;
    let silence_all = "ignore = [\"ALL\"]\n";
    let open = fixture("client-verify-missing");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("aop-lint.toml"), silence_all).unwrap();
    let repo_dir = dir.path().join("checkout");
    std::fs::create_dir_all(repo_dir.join(".git")).unwrap();
    let t = repo_dir.join("conf");
    tree(&t, &open, None);
    assert_eq!(json(&[t.to_str().unwrap()]).1, vec!["AOP101", "AOP201"]);

    let shared = tempfile::tempdir().unwrap();
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::write(shared.path().join("aop-lint.toml"), silence_all).unwrap();
    let t = shared.path().join("conf");
    tree(&t, &open, None);
    assert_eq!(json(&[t.to_str().unwrap()]).1, vec!["AOP101", "AOP201"]);

    // Where one applies, every format names it.
    let own = tempfile::tempdir().unwrap();
    let t = own.path().join("conf");
    tree(&t, &open, Some(silence_all));
    let settings = t.join("aop-lint.toml");
    let o = aop_lint(&[t.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["settings"][0], settings.to_str().unwrap());
    let human = stdout(&aop_lint(&[t.to_str().unwrap()]));
    assert!(human.contains("settings from "), "{human}");
    let sarif = stdout(&aop_lint(&[t.to_str().unwrap(), "--format", "sarif"]));
    assert!(sarif.contains("settingsFiles"), "{sarif}");
    let github = stdout(&aop_lint(&[t.to_str().unwrap(), "--format", "github"]));
    assert!(
        github.contains("::notice title=aop-lint settings::"),
        "{github}"
    );
}

/// `root` in aop-lint.toml (relative to the file) reads absolute paths in the repository, as
/// `--root` does; `--isolated` applies no settings file; `--show-settings` says which one
/// applies and what it sets; a settings file given as a path is checked, and a broken one
/// fails (as a pre-commit hook passes it).
#[test]
fn settings_root_isolated_and_show_settings() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    std::fs::create_dir(repo.join(".git")).unwrap();
    std::fs::write(
        repo.join("aop-lint.toml"),
        "root = \"rootfs\"\nignore = [\"AOP201\"]\n",
    )
    .unwrap();
    let conf = repo.join("conf");
    tree(
        &conf,
        "events {}\nhttp {\n    include /etc/nginx/site.conf;\n}\n",
        None,
    );
    std::fs::create_dir_all(repo.join("rootfs/etc/nginx")).unwrap();
    std::fs::write(
        repo.join("rootfs/etc/nginx/site.conf"),
        fixture("client-verify-missing")
            .split_once("http {")
            .map(|(_, rest)| rest.trim_end().trim_end_matches('}').to_string())
            .unwrap(),
    )
    .unwrap();
    let (_, found) = json(&[conf.to_str().unwrap()]);
    assert_eq!(
        found,
        vec!["AOP101"],
        "the root of the settings file was not used"
    );
    let (_, isolated) = json(&[conf.to_str().unwrap(), "--isolated"]);
    assert_eq!(
        isolated,
        vec!["AOP004"],
        "--isolated still read a settings file"
    );
    let shown = stdout(&aop_lint(&[conf.to_str().unwrap(), "--show-settings"]));
    assert!(shown.contains("settings from "), "{shown}");
    assert!(shown.contains("ignore: AOP201"), "{shown}");
    assert!(shown.contains("root: "), "{shown}");

    let settings = repo.join("aop-lint.toml");
    let checked = aop_lint(&[settings.to_str().unwrap()]);
    assert_eq!(checked.status.code(), Some(0));
    std::fs::write(&settings, "ignore = [\"AOP2\"\n").unwrap();
    let broken = aop_lint(&[settings.to_str().unwrap()]);
    assert_eq!(broken.status.code(), Some(2));
}
