//! The JSON Schemas published in docs/schemas/: generated from the types that write the
//! report and read the settings file (`UPDATE_SCHEMAS=1 cargo test --test schemas` rewrites
//! them), and holding for what aop-lint really writes and reads.

mod common;

use common::{aop_lint, repo, stdout};
use serde_json::Value;

const REPORT: &str = "docs/schemas/report.schema.json";
const SETTINGS: &str = "docs/schemas/settings.schema.json";

/// The checked-in schema equals the generated one, or is rewritten under `UPDATE_SCHEMAS`.
fn check_drift(path: &str, generated: Value) {
    let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
    let file = repo().join(path);
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&file, &text).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        on_disk == text,
        "{path} differs from the schema the types give: run `UPDATE_SCHEMAS=1 cargo test --test schemas`"
    );
}

fn validator(path: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join(path)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn report_schema_is_the_generated_one() {
    check_drift(REPORT, aop_report::json_report_schema());
}

#[test]
fn settings_schema_is_the_generated_one() {
    check_drift(SETTINGS, aop_lint::config::settings_schema());
}

/// Every fixture's JSON report, as tests/fixtures.rs holds it equal to the real output.
#[test]
fn every_fixture_report_validates() {
    let v = validator(REPORT);
    let mut n = 0;
    for entry in std::fs::read_dir(repo().join("tests/snapshots")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with("fixtures__") && name.ends_with(".json.snap"))
            || name.ends_with(".servers.json.snap")
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // insta's header is the first `---`-delimited block.
        let body = text.splitn(3, "---\n").nth(2).unwrap();
        let report: Value = serde_json::from_str(body).expect(&name);
        let errs = errors(&v, &report);
        assert!(errs.is_empty(), "{name}: {errs:#?}");
        n += 1;
    }
    assert!(n > 300, "only {n} fixture reports found");
}

/// Reports made now, with a suppression, a settings file, servers of every kind, and
/// findings in several files.
#[test]
fn live_reports_validate() {
    let v = validator(REPORT);
    let runs: &[&[&str]] = &[
        &["fixtures/apache/unused-suppression-ok-used"],
        &[
            "fixtures/nginx/client-verify-missing",
            "fixtures/nginx/include-unresolved-missing-file",
        ],
        &["fixtures/caddy/ca-expired-ok"],
        &["fixtures/nginx/ca-shared-cloudflare-ok"],
    ];
    for args in runs {
        let o = aop_lint(&[*args, &["--format", "json"]].concat());
        let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let errs = errors(&v, &report);
        assert!(errs.is_empty(), "{args:?}: {errs:#?}");
    }
    // The schema is not a rubber stamp: a report with a changed field fails it.
    let o = aop_lint(&["fixtures/nginx/client-verify-missing", "--format", "json"]);
    let mut report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(errors(&v, &report).is_empty());
    report["findings"][0]["severity"] = "fatal".into();
    report["findings"][0]["line"] = 0.into();
    // A field added later is no break: readers of version 1 pass over it.
    report["summary"]["added_later"] = 1.into();
    let errs = errors(&v, &report);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].contains("fatal") || errs[1].contains("fatal"),
        "{errs:?}"
    );
}

fn settings_json(toml_text: &str) -> Value {
    let table: toml::Table = toml::from_str(toml_text).unwrap();
    serde_json::to_value(table).unwrap()
}

/// Every settings file aop-lint accepts in the fixtures and docs is valid by the schema, and
/// what it refuses for a wrong key, word or number the schema refuses too.
#[test]
fn settings_files_validate() {
    let v = validator(SETTINGS);
    let mut n = 0;
    for entry in walkdir::WalkDir::new(repo().join("fixtures")) {
        let entry = entry.unwrap();
        if entry.file_name() != "aop-lint.toml" {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        if aop_lint::config::parse(entry.path(), text.clone()).is_err() {
            continue;
        }
        let errs = errors(&v, &settings_json(&text));
        assert!(errs.is_empty(), "{}: {errs:#?}", entry.path().display());
        n += 1;
    }
    assert!(n >= 10, "only {n} settings files");

    let every_key = r#"
select = ["AOP1", "default-server-missing"]
ignore = ["AOP305"]
server = "nginx"
trusted_ca_sha256 = ["sha256:0000000000000000000000000000000000000000000000000000000000000000"]
expiry_warn_days = 30
root = "."
nginx_version = "nginx/1.26.2"
apache_version = "2.4.62"
build = "Debian"

[severity]
AOP201 = "warning"
"#;
    assert!(errors(&v, &settings_json(every_key)).is_empty());

    for bad in [
        "selct = [\"AOP1\"]",
        "server = \"iis\"",
        "expiry_warn_days = -1",
        "[severity]\nAOP201 = \"fatal\"",
        "nginx_version = \"latest\"",
        "ignore = \"AOP305\"",
    ] {
        assert!(
            aop_lint::config::parse(std::path::Path::new("aop-lint.toml"), bad.to_string())
                .is_err(),
            "{bad}"
        );
        assert!(!errors(&v, &settings_json(bad)).is_empty(), "{bad}");
    }
}
