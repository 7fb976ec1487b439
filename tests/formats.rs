//! The report formats beside human and JSON: SARIF for code scanning, workflow commands for
//! GitHub Actions; and how a report leaves the process: --output, --quiet, colours.

mod common;
mod sarif_schema;

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
    let results = sarif_schema::check_sarif(&log);
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
    assert_eq!(sarif_schema::check_sarif(&log), 0);
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
    sarif_schema::check_sarif(&log);
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
        sarif_schema::check_sarif(&log);
    }
}

/// The schema check is no formality: a level SARIF does not have is refused.
#[test]
fn the_official_schema_refuses_a_level_sarif_does_not_have() {
    let o = aop_lint(&["fixtures/nginx/client-verify-missing", "--format", "sarif"]);
    let mut log: Value = serde_json::from_str(&stdout(&o)).unwrap();
    log["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    if let Some(errors) = sarif_schema::schema_errors(&log) {
        assert!(
            errors.iter().any(|e| e.contains("/runs/0/results/0/level")),
            "{errors:?}"
        );
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
    assert_eq!(sarif_schema::check_sarif(&log), 2);

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

/// `--color auto` follows the terminal conventions: on a terminal (a pseudo-terminal from
/// `script`) colour unless `NO_COLOR` or `TERM=dumb`; through a pipe none unless `FORCE_COLOR`;
/// a report written to `--output FILE` only with `--color always`.
#[test]
fn auto_colour_follows_the_terminal_conventions() {
    let bin = env!("CARGO_BIN_EXE_aop-lint");
    let case = "fixtures/nginx/client-verify-missing";
    let on_terminal = |env: &[(&str, &str)]| -> String {
        let mut cmd = std::process::Command::new("script");
        cmd.current_dir(common::repo())
            .args(["-qec", &format!("{bin} {case}"), "/dev/null"])
            .env("TERM", "xterm")
            .env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env("AOP_LINT_NOW", "2026-01-01T00:00:00Z");
        for (k, v) in env {
            cmd.env(k, v);
        }
        String::from_utf8_lossy(&cmd.output().expect("script runs").stdout).into_owned()
    };
    let plain = on_terminal(&[]);
    assert!(plain.contains("AOP101"), "{plain}");
    assert!(has_ansi(&plain), "a terminal gets colour: {plain}");
    assert!(!has_ansi(&on_terminal(&[("NO_COLOR", "1")])));
    assert!(!has_ansi(&on_terminal(&[("TERM", "dumb")])));

    let piped = |env: &[(&str, &str)], args: &[&str]| -> String {
        let mut cmd = assert_cmd::Command::cargo_bin("aop-lint").unwrap();
        cmd.current_dir(common::repo())
            .env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .arg(case)
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        stdout(&cmd.output().unwrap())
    };
    assert!(!has_ansi(&piped(&[], &[])));
    assert!(has_ansi(&piped(&[("FORCE_COLOR", "1")], &[])));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.txt");
    piped(
        &[("FORCE_COLOR", "1")],
        &["--output", file.to_str().unwrap()],
    );
    assert!(!has_ansi(&std::fs::read_to_string(&file).unwrap()));
    piped(
        &[],
        &["--output", file.to_str().unwrap(), "--color", "always"],
    );
    assert!(has_ansi(&std::fs::read_to_string(&file).unwrap()));
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

/// What GitLab's Code Quality documentation requires of each issue, with its severity scale
/// and its path convention (relative to the repository, no leading `./`).
const GITLAB_CODE_QUALITY: &str = r#"{
  "type": "array",
  "items": {
    "type": "object",
    "required": ["description", "check_name", "fingerprint", "severity", "location"],
    "properties": {
      "description": { "type": "string", "minLength": 1 },
      "check_name": { "type": "string", "minLength": 1 },
      "fingerprint": { "type": "string", "pattern": "^[0-9a-f]{32}$" },
      "severity": { "enum": ["info", "minor", "major", "critical", "blocker"] },
      "location": {
        "type": "object",
        "required": ["path", "lines"],
        "properties": {
          "path": { "type": "string", "minLength": 1, "not": { "pattern": "^(/|\\./)" } },
          "lines": {
            "type": "object",
            "required": ["begin"],
            "properties": {
              "begin": { "type": "integer", "minimum": 1 },
              "end": { "type": "integer", "minimum": 1 }
            }
          }
        }
      }
    }
  }
}"#;

fn gitlab_issues(o: &std::process::Output) -> Vec<Value> {
    let v: Value = serde_json::from_str(&stdout(o)).expect("the report is JSON");
    let schema: Value = serde_json::from_str(GITLAB_CODE_QUALITY).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let issues = v.as_array().unwrap().clone();
    let mut fingerprints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len(), "GitLab merges equal ones");
    issues
}

/// `--format gitlab`: one Code Quality issue per finding, in the order and at the places of
/// the JSON report.
#[test]
fn gitlab_snapshot_and_validity() {
    let o = with_format("gitlab");
    assert_eq!(o.status.code(), Some(1));
    let issues = gitlab_issues(&o);
    let json: Value = serde_json::from_str(&stdout(&with_format("json"))).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(issues.len(), findings.len());
    for (i, f) in issues.iter().zip(findings) {
        assert_eq!(i["check_name"], f["code"]);
        assert_eq!(i["location"]["path"], f["file"]);
        assert_eq!(i["location"]["lines"]["begin"], f["line"]);
        assert_eq!(i["location"]["lines"]["end"], f["end_line"]);
        let severity = match f["severity"].as_str().unwrap() {
            "error" => "critical",
            "warning" => "major",
            _ => "info",
        };
        assert_eq!(i["severity"], severity);
        assert!(i["description"]
            .as_str()
            .unwrap()
            .ends_with(f["message"].as_str().unwrap()));
    }
    insta::assert_snapshot!("gitlab", stdout(&o));

    let clean = aop_lint(&[CLEAN, "--format", "gitlab"]);
    assert_eq!(clean.status.code(), Some(0));
    // The clean tree's settings file alone, named as an info.
    let issues = gitlab_issues(&clean);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["check_name"], "settings");
}

/// A finding keeps its fingerprint when lines are added above it (GitLab would otherwise
/// show it as fixed and new again); findings alike in all but their place still differ.
#[test]
fn gitlab_fingerprints_follow_a_finding_and_tell_twins_apart() {
    let dir = tempfile::tempdir().unwrap();
    let server = "  server {\n    listen 443 ssl;\n    server_name shop.example.com;\n    ssl_certificate c.pem;\n    ssl_certificate_key k.pem;\n    location / { proxy_pass http://127.0.0.1:8080; }\n  }\n";
    let conf = dir.path().join("nginx.conf");
    let run = |text: String| {
        std::fs::write(&conf, text).unwrap();
        // From the tree's directory, as a CI job runs it from the repository's.
        let o = assert_cmd::Command::cargo_bin("aop-lint")
            .unwrap()
            .current_dir(dir.path())
            .args([".", "--format", "gitlab"])
            .output()
            .unwrap();
        gitlab_issues(&o)
    };
    let before = run(format!("events {{}}\nhttp {{\n{server}}}\n"));
    let after = run(format!(
        "# moved down\n\nevents {{}}\nhttp {{\n{server}}}\n"
    ));
    assert!(!before.is_empty());
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b["fingerprint"], a["fingerprint"]);
        assert_eq!(
            b["location"]["lines"]["begin"].as_u64().unwrap() + 2,
            a["location"]["lines"]["begin"].as_u64().unwrap()
        );
    }
    let twins = run(format!("events {{}}\nhttp {{\n{server}{server}}}\n"));
    let verify_missing: Vec<&Value> = twins
        .iter()
        .filter(|i| i["check_name"] == "AOP101")
        .collect();
    assert_eq!(verify_missing.len(), 2, "{twins:#?}");
}

/// The JUnit report read back: well-formed XML of the shape the JUnit schema CI systems
/// read describes (testsuites > testsuite > testcase > failure), counts that add up.
fn junit_failures(xml: &str) -> Vec<(String, String, String)> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let count = |n: roxmltree::Node, a: &str| -> usize { n.attribute(a).unwrap().parse().unwrap() };
    let mut failures = Vec::new();
    let (mut tests, mut failed) = (0, 0);
    for suite in root.children().filter(|n| n.is_element()) {
        assert_eq!(suite.tag_name().name(), "testsuite");
        assert!(!suite.attribute("name").unwrap().is_empty());
        let mut cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
        // The schema's order: properties, if any, before the test cases.
        if cases.first().map(|n| n.tag_name().name()) == Some("properties") {
            for p in cases.remove(0).children().filter(|n| n.is_element()) {
                assert_eq!(p.tag_name().name(), "property");
                assert!(p.attribute("name").is_some() && p.attribute("value").is_some());
            }
        }
        assert!(!cases.is_empty());
        let mut suite_failed = 0;
        for case in &cases {
            assert_eq!(case.tag_name().name(), "testcase");
            assert!(case.attribute("name").is_some() && case.attribute("classname").is_some());
            let children: Vec<_> = case.children().filter(|n| n.is_element()).collect();
            assert!(children.len() <= 1);
            if let Some(f) = children.first() {
                assert_eq!(f.tag_name().name(), "failure");
                suite_failed += 1;
                failures.push((
                    f.attribute("type").unwrap().to_string(),
                    f.attribute("message").unwrap().to_string(),
                    f.text().unwrap_or_default().to_string(),
                ));
            }
        }
        assert_eq!(count(suite, "tests"), cases.len());
        assert_eq!(count(suite, "failures"), suite_failed);
        tests += cases.len();
        failed += suite_failed;
    }
    assert_eq!(count(root, "tests"), tests);
    assert_eq!(count(root, "failures"), failed);
    failures
}

/// `--format junit`: a failure per finding, saying where and what.
#[test]
fn junit_snapshot_and_shape() {
    let o = with_format("junit");
    assert_eq!(o.status.code(), Some(1));
    let failures = junit_failures(&stdout(&o));
    let json: Value = serde_json::from_str(&stdout(&with_format("json"))).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(failures.len(), findings.len());
    for (f, (code, message, text)) in findings.iter().zip(&failures) {
        assert_eq!(code, f["code"].as_str().unwrap());
        assert_eq!(message, f["message"].as_str().unwrap());
        let at = format!(
            "{}:{}:{}: ",
            f["file"].as_str().unwrap(),
            f["line"],
            f["column"]
        );
        assert!(text.starts_with(&at), "{text}");
    }
    insta::assert_snapshot!("junit", stdout(&o));

    let clean = aop_lint(&[CLEAN, "--format", "junit"]);
    assert_eq!(clean.status.code(), Some(0));
    let text = stdout(&clean);
    assert!(junit_failures(&text).is_empty());
    assert!(text.contains("<testcase name=\"no findings\""), "{text}");
}

/// Markup and characters XML cannot hold, taken from the linted file, leave the report
/// well-formed and read back as they were written (a control character as `?`).
#[test]
fn junit_escapes_what_the_config_says() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nginx.conf"),
        "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name \"a<b>&c'\\\"d\u{1}e]]>.example\";\n    ssl_certificate c.pem;\n    ssl_certificate_key k.pem;\n    location / { proxy_pass http://127.0.0.1:8080; }\n  }\n}\n",
    )
    .unwrap();
    let tree = dir.path().to_str().unwrap();
    let json: Value =
        serde_json::from_str(&stdout(&aop_lint(&[tree, "--format", "json"]))).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("a<b>&c'\"d\u{1}e]]>"));
    let failures = junit_failures(&stdout(&aop_lint(&[tree, "--format", "junit"])));
    assert_eq!(failures.len(), findings.len());
    for (f, (_, message, _)) in findings.iter().zip(&failures) {
        assert_eq!(
            *message,
            f["message"].as_str().unwrap().replace('\u{1}', "?")
        );
    }
}

/// A settings file applied is named in both, as in every format.
#[test]
fn gitlab_and_junit_name_the_settings_file() {
    let case = "fixtures/apache/unused-suppression-ok-used";
    let settings = format!("{case}/aop-lint.toml");
    let issues = gitlab_issues(&aop_lint(&[case, "--format", "gitlab"]));
    let named: Vec<&Value> = issues
        .iter()
        .filter(|i| i["check_name"] == "settings")
        .collect();
    assert_eq!(named.len(), 1, "{issues:#?}");
    assert_eq!(named[0]["location"]["path"], settings.as_str());
    assert_eq!(named[0]["severity"], "info");

    let xml = stdout(&aop_lint(&[case, "--format", "junit"]));
    junit_failures(&xml);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let values: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("property"))
        .filter_map(|n| n.attribute("value"))
        .collect();
    assert!(!values.is_empty());
    assert!(values.iter().all(|v| *v == settings), "{values:?}");

    let none = stdout(&aop_lint(&[
        "fixtures/nginx/client-verify-missing",
        "--format",
        "junit",
    ]));
    assert!(!none.contains("<properties>"), "{none}");
}
