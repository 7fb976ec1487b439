//! SARIF 2.1.0 (the OASIS static-analysis interchange format that GitHub code scanning
//! ingests): one run, one `reportingDescriptor` per rule, one result per finding.

use serde::Serialize;

use aop_model::{Finding, Severity};
use aop_source::{SourceMap, Span};

use crate::{display_path, Report, RuleInfo};

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
    /// `settingsFiles`: the `aop-lint.toml` files applied, when any was.
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    /// Where the rules' documentation is published, when the user says (`--docs-url`): the
    /// tool has no address of its own to give.
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'a str>,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
}

/// SARIF's own record of a silenced result (§3.35): viewers show it as suppressed, with the
/// reason, instead of as an open alert.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifSuppression {
    kind: &'static str,
    justification: String,
    location: Location,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Bytes a URI path keeps as they are: RFC 3986's unreserved characters and `/`.
const PATH_KEEPS: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A path as a URI reference: relative paths stay relative (to the working directory, where
/// code scanning expects the repository root), absolute ones become `file://` URIs.
pub fn path_uri(path: &str) -> String {
    // A Windows separator is a path separator, not a character of the name.
    let path = path.replace('\\', "/");
    let encoded = percent_encoding::utf8_percent_encode(&path, PATH_KEEPS);
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded.to_string()
    }
}

fn location(map: &SourceMap, span: Span, id: Option<usize>, message: Option<&str>) -> Location {
    let loc = map.location(span);
    Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: path_uri(&display_path(&map.file(span.file).path)),
            },
            region: Region {
                start_line: loc.line,
                start_column: loc.column,
                end_line: loc.end_line,
                end_column: loc.end_column,
            },
        },
        message: message.map(|m| Text {
            text: m.to_string(),
        }),
    }
}

fn message(f: &Finding) -> String {
    let mut text = f.message.to_string();
    if let Some(h) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    if let Some(n) = &f.note {
        text.push_str("\nnote: ");
        text.push_str(n);
    }
    text
}

/// The SARIF log of a report; `rules` describes every rule, in registry order.
pub fn render_sarif(report: &Report, rules: &[RuleInfo], information_uri: Option<&str>) -> String {
    let map = report.map;
    let result = |f: &Finding| SarifResult {
        rule_id: f.code,
        rule_index: rules.iter().position(|r| r.code == f.code),
        level: level(f.severity),
        message: Text { text: message(f) },
        locations: vec![location(map, f.primary.span, None, Some(&f.primary.text))],
        related_locations: f
            .secondary
            .iter()
            .enumerate()
            .map(|(i, l)| location(map, l.span, Some(i + 1), Some(&l.text)))
            .collect(),
        suppressions: Vec::new(),
    };
    let results = report
        .findings
        .iter()
        .map(result)
        .chain(report.suppressed.iter().map(|s| SarifResult {
            suppressions: vec![SarifSuppression {
                kind: "inSource",
                justification: s.reason.clone(),
                location: location(map, s.comment, None, None),
            }],
            ..result(&s.finding)
        }))
        .collect();
    let descriptors = rules
        .iter()
        .map(|r| Descriptor {
            id: r.code,
            name: r.name,
            short_description: Text {
                text: r.summary.to_string(),
            },
            full_description: Text {
                text: format!("{} {}: {}", r.code, r.name, r.summary),
            },
            help: Help {
                text: &r.docs,
                markdown: &r.docs,
            },
            help_uri: r.help_uri.as_deref(),
            default_configuration: Configuration {
                level: level(r.severity),
            },
        })
        .collect();
    let log = Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "aop-lint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri,
                    rules: descriptors,
                },
            },
            results,
            column_kind: "unicodeCodePoints",
            properties: (!report.settings.is_empty()).then(|| {
                let files: Vec<String> = report
                    .settings
                    .iter()
                    .map(|p| crate::display_path(p))
                    .collect();
                serde_json::json!({ "settingsFiles": files })
            }),
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).expect("plain data serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(path_uri("sites/a b.conf"), "sites/a%20b.conf");
        assert_eq!(
            path_uri("/etc/nginx/nginx.conf"),
            "file:///etc/nginx/nginx.conf"
        );
        assert_eq!(path_uri("x%#?.conf"), "x%25%23%3F.conf");
        assert_eq!(path_uri("é"), "%C3%A9");
    }
}
