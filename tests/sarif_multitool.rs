//! The SARIF of every fixture, checked by Microsoft's SARIF Multitool (`validate`: the 2.1.0
//! JSON schema plus the specification's validation rules) when `AOP_SARIF_MULTITOOL` names
//! its binary (`.ci/run` installs it from npm: `@microsoft/sarif-multitool-linux`).

mod common;

use common::{aop_lint, cases};

#[test]
fn sarif_of_every_fixture_passes_the_sarif_multitool() {
    let Some(tool) = std::env::var_os("AOP_SARIF_MULTITOOL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "AOP_SARIF_MULTITOOL is not set under CI: .ci/run installs the SARIF Multitool"
        );
        eprintln!("SKIPPED sarif_multitool: AOP_SARIF_MULTITOOL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("all.sarif");
    let mut args: Vec<String> = cases("nginx").into_iter().chain(cases("apache")).collect();
    args.extend(
        [
            "--format",
            "sarif",
            "--docs-url",
            "https://docs.example.org/aop-lint/rules/",
            "--output",
            log.to_str().unwrap(),
        ]
        .map(String::from),
    );
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = aop_lint(&refs);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let verdict = dir.path().join("validation.sarif");
    let out = std::process::Command::new(&tool)
        .arg("validate")
        .arg(&log)
        .arg("--output")
        .arg(&verdict)
        // The tool needs ICU unless told to use the invariant culture.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("the SARIF Multitool runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&verdict).unwrap()).unwrap();
    let problems: Vec<String> = v["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| format!("{} {}", r["ruleId"], r["message"]))
        .collect();
    assert!(problems.is_empty(), "{}\n{said}", problems.join("\n"));
    eprintln!("SARIF Multitool: {} results validated", {
        let l: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
        l["runs"][0]["results"].as_array().map_or(0, Vec::len)
    });
}
