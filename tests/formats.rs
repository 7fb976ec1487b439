//! The report formats beside human and JSON: SARIF for code scanning, workflow commands for
//! GitHub Actions; and how a report leaves the process: --output, --quiet, colours.

mod common;
mod sarif_check;

use common::{aop_lint, repo, stdout};
use serde_json::Value;

const CASES: &[&str] = &[
    "fixtures/nginx/client-verify-missing",
    "fixtures/nginx/include-unresolved-missing-file",
    "fixtures/nginx/not-checked-stream",
    "fixtures/nginx/default-server-missing-ok-default-in-include",
];

/// A tree with no finding at all, not even an info.
const CLEAN: &str = "fixtures/nginx/ca-shared-cloudflare-ok";

fn with_format(format: &str) -> std::process::Output {
    let mut args: Vec<&str> = CASES.to_vec();
    args.extend(["--format", format]);
    aop_lint(&args)
}

/// The rule catalogue grows with every rule; the snapshot keeps the results and shape only.
fn redact_rules(log: &mut Value) {
    let driver = &mut log["runs"][0]["tool"]["driver"];
    let n = driver["rules"].as_array().map_or(0, Vec::len);
    assert!(n >= aop_rules::RULES.len());
    driver["rules"] = Value::String("[every rule]".into());
    driver["version"] = Value::String("[version]".into());
    driver["semanticVersion"] = Value::String("[version]".into());
    for r in log["runs"][0]["results"].as_array_mut().unwrap() {
        r["ruleIndex"] = Value::String("[index]".into());
    }
}

#[test]
fn sarif_snapshot_and_validity() {
    let o = with_format("sarif");
    assert_eq!(o.status.code(), Some(1));
    let mut log: Value = serde_json::from_str(&stdout(&o)).expect("SARIF is JSON");
    let results = sarif_check::check_sarif(&log);
    let json = aop_lint(&{
        let mut a = CASES.to_vec();
        a.extend(["--format", "json"]);
        a
    });
    assert_eq!(results, common::codes(&stdout(&json)).len());
    redact_rules(&mut log);
    insta::assert_snapshot!("sarif", serde_json::to_string_pretty(&log).unwrap());
}

#[test]
fn sarif_describes_every_rule_with_its_page() {
    let o = aop_lint(&[CLEAN, "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(0));
    let log: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(sarif_check::check_sarif(&log), 0);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), aop_rules::RULES.len());
    for (r, rule) in rules.iter().zip(aop_rules::RULES) {
        let m = rule.meta();
        assert_eq!(r["id"], m.code);
        // The page is the one docs/rules/ holds.
        let page = std::fs::read_to_string(repo().join(aop_rules::docs::page_path(m))).unwrap();
        assert_eq!(r["help"]["markdown"].as_str().unwrap(), page);
        // No published place given: no helpUri, rather than a relative one code scanning refuses.
        assert!(r.get("helpUri").is_none());
    }
}

#[test]
fn sarif_help_uri_points_into_the_published_rule_pages() {
    let o = aop_lint(&[
        CLEAN,
        "--format",
        "sarif",
        "--docs-url",
        "https://docs.example.org/aop-lint/rules/",
    ]);
    let log: Value = serde_json::from_str(&stdout(&o)).unwrap();
    sarif_check::check_sarif(&log);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for (r, rule) in rules.iter().zip(aop_rules::RULES) {
        assert_eq!(
            r["helpUri"],
            format!(
                "https://docs.example.org/aop-lint/rules/{}.md",
                rule.meta().code
            )
        );
    }
    let o = aop_lint(&[CLEAN, "--format", "sarif", "--docs-url", "docs/rules"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn sarif_of_every_fixture_is_valid() {
    for case in common::cases("nginx") {
        let o = aop_lint(&[&case, "--format", "sarif"]);
        let log: Value = serde_json::from_str(&stdout(&o)).expect("SARIF is JSON");
        sarif_check::check_sarif(&log);
    }
}

#[test]
fn github_snapshot() {
    let o = with_format("github");
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    for line in text.lines() {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
        assert!(!line.contains('\r'));
    }
    insta::assert_snapshot!("github", text);
}

#[test]
fn output_file_holds_the_report_and_the_exit_code_still_gates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.sarif");
    let o = aop_lint(&[
        "fixtures/nginx/client-verify-missing",
        "--format",
        "sarif",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(sarif_check::check_sarif(&log), 2);

    let o = aop_lint(&[CLEAN, "-o", dir.path().join("clean.txt").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(std::fs::read_to_string(dir.path().join("clean.txt"))
        .unwrap()
        .starts_with("aop-lint: 0 errors"));

    let o = aop_lint(&[
        CLEAN,
        "--output",
        dir.path().join("no/such/dir/x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));

    let o = aop_lint(&["fixtures/nginx/client-verify-missing", "-o", "-", "-q"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("AOP101"));
}

/// `--output` never replaces a file of the linted tree, never blocks on a FIFO, and replaces
/// a link instead of writing through it.
#[test]
fn output_never_replaces_an_input_follows_a_link_or_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("t");
    std::fs::create_dir_all(&tree).unwrap();
    let conf = tree.join("nginx.conf");
    let original = b"events {}\nhttp {}\n".to_vec();
    std::fs::write(&conf, &original).unwrap();
    let o = aop_lint(&[tree.to_str().unwrap(), "-o", conf.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("file of the linted tree"));
    assert_eq!(std::fs::read(&conf).unwrap(), original);

    let fifo = dir.path().join("pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let o = aop_lint(&[tree.to_str().unwrap(), "-o", fifo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));

    let elsewhere = dir.path().join("elsewhere.txt");
    std::fs::write(&elsewhere, "keep").unwrap();
    let link = dir.path().join("report.txt");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let o = aop_lint(&[tree.to_str().unwrap(), "-o", link.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "keep");
    assert!(std::fs::read_to_string(&link)
        .unwrap()
        .starts_with("aop-lint: 0 errors"));
    assert!(!std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn quiet_prints_findings_only() {
    let o = aop_lint(&[CLEAN, "--quiet"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
    let o = aop_lint(&["fixtures/nginx/client-verify-missing", "-q"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("AOP101"));
    assert!(!text.contains("aop-lint: 2 errors"), "{text}");
}

fn has_ansi(s: &str) -> bool {
    s.contains("\u{1b}[")
}

#[test]
fn colours_follow_the_flag_and_no_color() {
    let case = "fixtures/nginx/client-verify-missing";
    // Not a terminal: no colour by default.
    assert!(!has_ansi(&stdout(&aop_lint(&[case]))));
    assert!(has_ansi(&stdout(&aop_lint(&[case, "--color", "always"]))));
    assert!(!has_ansi(&stdout(&aop_lint(&[case, "--color", "never"]))));
    // The helper sets NO_COLOR; an explicit --color always still wins over it.
    assert!(!has_ansi(&stdout(&aop_lint(&[case, "--color", "auto"]))));
    assert_eq!(
        aop_lint(&[case, "--color", "sometimes"]).status.code(),
        Some(2)
    );
}

/// `--format concise`: one line per finding in the form editors' error lists read.
#[test]
fn concise_is_one_line_per_finding() {
    let o = aop_lint(&[
        "fixtures/nginx/client-verify-missing",
        "--format",
        "concise",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let json = stdout(&aop_lint(&[
        "fixtures/nginx/client-verify-missing",
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&json).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), findings.len(), "{text}");
    for (line, f) in lines.iter().zip(findings) {
        let want = format!(
            "{}:{}:{}: {} {} {}",
            f["file"].as_str().unwrap(),
            f["line"],
            f["column"],
            f["severity"].as_str().unwrap(),
            f["code"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        );
        assert_eq!(*line, want);
    }
}

/// `--statistics`: counts per rule, most first; the exit code still gates.
#[test]
fn statistics_count_findings_per_rule() {
    let o = aop_lint(&["fixtures/nginx/client-verify-missing", "--statistics"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "     1  AOP101  client-verify-missing (error)\n     1  AOP201  default-server-missing (error)\n     2  findings in 1 files\n"
    );
}

/// Completions and the manual page come from the same command definition.
#[test]
fn completions_and_man_page_describe_the_command() {
    for shell in ["bash", "zsh", "fish"] {
        let o = aop_lint(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("fail-on"), "{shell}");
    }
    let man = aop_lint(&["man"]);
    assert_eq!(man.status.code(), Some(0));
    let text = stdout(&man);
    assert!(
        text.starts_with(".ie") || text.contains(".TH aop-lint 1"),
        "{text}"
    );
    assert!(text.contains("fail\\-on"), "{text}");
}
