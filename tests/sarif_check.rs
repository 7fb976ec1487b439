//! A structural check of SARIF 2.1.0 logs: the properties each object may hold, the required
//! ones, enumerations and numeric ranges, for the object types aop-lint writes. Names and
//! constraints follow the OASIS SARIF 2.1.0 specification and its JSON schema.
#![allow(dead_code)]

use serde_json::{Map, Value};

const LOG: &[&str] = &[
    "$schema",
    "version",
    "runs",
    "inlineExternalProperties",
    "properties",
];
const RUN: &[&str] = &[
    "tool",
    "invocations",
    "conversion",
    "language",
    "versionControlProvenance",
    "originalUriBaseIds",
    "artifacts",
    "logicalLocations",
    "graphs",
    "results",
    "automationDetails",
    "runAggregates",
    "baselineGuid",
    "redactionTokens",
    "defaultEncoding",
    "defaultSourceLanguage",
    "newlineSequences",
    "columnKind",
    "externalPropertyFileReferences",
    "threadFlowLocations",
    "taxonomies",
    "addresses",
    "translations",
    "policies",
    "webRequests",
    "webResponses",
    "specialLocations",
    "properties",
];
const TOOL: &[&str] = &["driver", "extensions", "properties"];
const TOOL_COMPONENT: &[&str] = &[
    "guid",
    "name",
    "organization",
    "product",
    "productSuite",
    "shortDescription",
    "fullDescription",
    "fullName",
    "version",
    "semanticVersion",
    "dottedQuadFileVersion",
    "releaseDateUtc",
    "downloadUri",
    "informationUri",
    "globalMessageStrings",
    "notifications",
    "rules",
    "taxa",
    "locations",
    "language",
    "contents",
    "isComprehensive",
    "localizedDataSemanticVersion",
    "minimumRequiredLocalizedDataSemanticVersion",
    "associatedComponent",
    "translationMetadata",
    "supportedTaxonomies",
    "properties",
];
const DESCRIPTOR: &[&str] = &[
    "id",
    "deprecatedIds",
    "guid",
    "deprecatedGuids",
    "name",
    "deprecatedNames",
    "shortDescription",
    "fullDescription",
    "messageStrings",
    "defaultConfiguration",
    "helpUri",
    "help",
    "relationships",
    "properties",
];
const CONFIGURATION: &[&str] = &["enabled", "level", "rank", "parameters", "properties"];
const MULTIFORMAT: &[&str] = &["text", "markdown", "properties"];
const RESULT: &[&str] = &[
    "ruleId",
    "ruleIndex",
    "rule",
    "kind",
    "level",
    "message",
    "analysisTarget",
    "locations",
    "guid",
    "correlationGuid",
    "occurrenceCount",
    "partialFingerprints",
    "fingerprints",
    "stacks",
    "codeFlows",
    "graphs",
    "graphTraversals",
    "relatedLocations",
    "suppressions",
    "baselineState",
    "rank",
    "attachments",
    "hostedViewerUri",
    "workItemUris",
    "provenance",
    "fixes",
    "taxa",
    "webRequest",
    "webResponse",
    "properties",
];
const MESSAGE: &[&str] = &["text", "markdown", "id", "arguments", "properties"];
const LOCATION: &[&str] = &[
    "id",
    "physicalLocation",
    "logicalLocations",
    "message",
    "annotations",
    "relationships",
    "properties",
];
const PHYSICAL: &[&str] = &[
    "address",
    "artifactLocation",
    "region",
    "contextRegion",
    "properties",
];
const ARTIFACT_LOCATION: &[&str] = &["uri", "uriBaseId", "index", "description", "properties"];
const REGION: &[&str] = &[
    "startLine",
    "startColumn",
    "endLine",
    "endColumn",
    "charOffset",
    "charLength",
    "byteOffset",
    "byteLength",
    "snippet",
    "message",
    "sourceLanguage",
    "properties",
];
const LEVELS: &[&str] = &["none", "note", "warning", "error"];

fn object<'a>(
    v: &'a Value,
    what: &str,
    allowed: &[&str],
    required: &[&str],
) -> &'a Map<String, Value> {
    let o = v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {v}"));
    for k in o.keys() {
        assert!(
            allowed.contains(&k.as_str()),
            "{what} has a property SARIF 2.1.0 does not define: {k}"
        );
    }
    for r in required {
        assert!(o.contains_key(*r), "{what} lacks required property {r}");
    }
    o
}

fn string<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v}"))
}

fn int(v: &Value, what: &str, min: i64) -> i64 {
    let n = v
        .as_i64()
        .unwrap_or_else(|| panic!("{what} is not an integer: {v}"));
    assert!(n >= min, "{what} = {n}, below its minimum {min}");
    n
}

/// A URI reference (RFC 3986): no spaces, no characters that need escaping.
fn uri(v: &Value, what: &str) {
    let s = string(v, what);
    assert!(!s.is_empty(), "{what} is empty");
    for c in s.chars() {
        assert!(
            c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c),
            "{what} is not a URI reference: {s}"
        );
    }
}

/// An absolute URI (RFC 3986 `scheme:...`), as `helpUri` must be: code scanning refuses a
/// relative one.
fn absolute_uri(v: &Value, what: &str) {
    uri(v, what);
    let s = string(v, what);
    let scheme = s.split(':').next().unwrap_or("");
    assert!(
        s.contains(':')
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)),
        "{what} is not an absolute URI: {s}"
    );
}

fn multiformat(v: &Value, what: &str) {
    let o = object(v, what, MULTIFORMAT, &["text"]);
    string(&o["text"], what);
}

fn message(v: &Value, what: &str) {
    let o = object(v, what, MESSAGE, &[]);
    assert!(
        o.contains_key("text") || o.contains_key("id"),
        "{what} needs text or id"
    );
}

fn location(v: &Value, what: &str) {
    let o = object(v, what, LOCATION, &[]);
    if let Some(id) = o.get("id") {
        int(id, &format!("{what}.id"), -1);
    }
    if let Some(m) = o.get("message") {
        message(m, &format!("{what}.message"));
    }
    let Some(p) = o.get("physicalLocation") else {
        return;
    };
    let p = object(p, &format!("{what}.physicalLocation"), PHYSICAL, &[]);
    if let Some(a) = p.get("artifactLocation") {
        let a = object(
            a,
            &format!("{what}.artifactLocation"),
            ARTIFACT_LOCATION,
            &[],
        );
        if let Some(u) = a.get("uri") {
            uri(u, &format!("{what}.artifactLocation.uri"));
        }
    }
    if let Some(r) = p.get("region") {
        let r = object(r, &format!("{what}.region"), REGION, &[]);
        let start_line = r.get("startLine").map(|v| int(v, "startLine", 1));
        let start_col = r.get("startColumn").map(|v| int(v, "startColumn", 1));
        let end_line = r.get("endLine").map(|v| int(v, "endLine", 1));
        let end_col = r.get("endColumn").map(|v| int(v, "endColumn", 1));
        if let (Some(s), Some(e)) = (start_line, end_line) {
            assert!(
                e >= s,
                "{what}: region ends on line {e}, before it starts ({s})"
            );
            if let (Some(sc), Some(ec), true) = (start_col, end_col, e == s) {
                assert!(ec >= sc, "{what}: region ends at column {ec}, before {sc}");
            }
        }
    }
}

/// Panics with the first violation; returns the number of results checked.
pub fn check_sarif(log: &Value) -> usize {
    let top = object(log, "log", LOG, &["version", "runs"]);
    assert_eq!(top["version"], "2.1.0");
    if let Some(s) = top.get("$schema") {
        uri(s, "$schema");
    }
    let mut count = 0;
    for (ri, run) in top["runs"]
        .as_array()
        .expect("runs is an array")
        .iter()
        .enumerate()
    {
        let what = format!("runs[{ri}]");
        let run = object(run, &what, RUN, &["tool"]);
        if let Some(k) = run.get("columnKind") {
            assert!(["utf16CodeUnits", "unicodeCodePoints"].contains(&string(k, "columnKind")));
        }
        let tool = object(&run["tool"], "tool", TOOL, &["driver"]);
        let driver = object(&tool["driver"], "driver", TOOL_COMPONENT, &["name"]);
        string(&driver["name"], "driver.name");
        let rules = driver
            .get("rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut ids = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            let what = format!("rules[{i}]");
            let d = object(r, &what, DESCRIPTOR, &["id"]);
            ids.push(string(&d["id"], "id").to_string());
            for key in ["shortDescription", "fullDescription", "help"] {
                if let Some(m) = d.get(key) {
                    multiformat(m, &format!("{what}.{key}"));
                }
            }
            if let Some(u) = d.get("helpUri") {
                absolute_uri(u, &format!("{what}.helpUri"));
            }
            if let Some(c) = d.get("defaultConfiguration") {
                let c = object(
                    c,
                    &format!("{what}.defaultConfiguration"),
                    CONFIGURATION,
                    &[],
                );
                if let Some(l) = c.get("level") {
                    assert!(LEVELS.contains(&string(l, "level")));
                }
            }
        }
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "rule ids are not unique");
        for (i, res) in run
            .get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let what = format!("results[{i}]");
            let r = object(res, &what, RESULT, &["message"]);
            message(&r["message"], &format!("{what}.message"));
            if let Some(l) = r.get("level") {
                assert!(LEVELS.contains(&string(l, "level")), "{what}: level {l}");
            }
            if let Some(idx) = r.get("ruleIndex") {
                let idx = int(idx, "ruleIndex", -1);
                if idx >= 0 {
                    assert_eq!(
                        Some(ids[idx as usize].as_str()),
                        r.get("ruleId").and_then(Value::as_str),
                        "{what}: ruleIndex and ruleId disagree"
                    );
                }
            }
            for key in ["locations", "relatedLocations"] {
                for (j, l) in r
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    location(l, &format!("{what}.{key}[{j}]"));
                }
            }
            count += 1;
        }
    }
    count
}
