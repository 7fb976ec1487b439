//! SARIF logs checked against the official SARIF 2.1.0 JSON schema, the file OASIS publishes
//! and Microsoft's SARIF Multitool ships beside its binary (`.ci/run` installs the tool and
//! names it in `AOP_SARIF_MULTITOOL`). tests/sarif_multitool.rs adds the tool's own rules.

use std::sync::OnceLock;

use serde_json::Value;

fn official_schema() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let Some(tool) = std::env::var_os("AOP_SARIF_MULTITOOL") else {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "AOP_SARIF_MULTITOOL is not set under CI: .ci/run installs the SARIF Multitool and its schema"
                );
                eprintln!("SKIPPED the SARIF schema check: AOP_SARIF_MULTITOOL is not set");
                return None;
            };
            let path = std::path::Path::new(&tool)
                .with_file_name("sarif-2.1.0.json");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
            Some(jsonschema::validator_for(&schema).expect("a valid JSON Schema"))
        })
        .as_ref()
}

/// What the official schema finds wrong with `log`, where the schema is installed.
pub fn schema_errors(log: &Value) -> Option<Vec<String>> {
    official_schema().map(|schema| {
        schema
            .iter_errors(log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    })
}

/// Checks `log` against the official schema (where it is installed) and returns how many
/// results it holds.
pub fn check_sarif(log: &Value) -> usize {
    if let Some(errors) = schema_errors(log) {
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
    log["runs"][0]["results"].as_array().map_or(0, Vec::len)
}
