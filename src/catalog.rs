//! `aop-lint rules` and `aop-lint explain`: the registry as users read it.

use serde::Serialize;

use aop_report::RuleInfo;
use aop_rules::{docs, RULES};

/// Every rule as the reports describe it; `docs_url` is where `docs/rules/` is published.
pub fn rule_infos(docs_url: Option<&str>) -> Vec<RuleInfo> {
    RULES
        .iter()
        .map(|r| {
            let m = r.meta();
            RuleInfo {
                code: m.code,
                name: m.name,
                severity: m.severity,
                summary: m.summary,
                docs: docs::page(m),
                help_uri: docs_url
                    .map(|base| format!("{}/{}.md", base.trim_end_matches('/'), m.code)),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct Listing {
    version: u32,
    rules: Vec<Entry>,
}

#[derive(Serialize)]
struct Entry {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    servers: Vec<&'static str>,
    summary: &'static str,
    docs: String,
}

pub fn rules_json() -> String {
    let listing = Listing {
        version: 1,
        rules: RULES
            .iter()
            .map(|r| {
                let m = r.meta();
                Entry {
                    code: m.code,
                    name: m.name,
                    severity: m.severity.as_str(),
                    servers: m.kinds.iter().map(|k| k.as_str()).collect(),
                    summary: m.summary,
                    docs: docs::page_path(m),
                }
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&listing).expect("plain data serializes");
    s.push('\n');
    s
}

pub fn rules_table() -> String {
    let width =
        |f: fn(&aop_rules::Meta) -> usize| RULES.iter().map(|r| f(r.meta())).max().unwrap_or(0);
    let name_w = width(|m| m.name.len()).max("name".len());
    let sev_w = "severity".len();
    let mut out = format!(
        "{:<6}  {:<name_w$}  {:<sev_w$}  summary\n",
        "code", "name", "severity"
    );
    for r in RULES {
        let m = r.meta();
        out.push_str(&format!(
            "{:<6}  {:<name_w$}  {:<sev_w$}  {}\n",
            m.code,
            m.name,
            m.severity.as_str(),
            m.summary
        ));
    }
    out
}

/// A base URL for the rule pages: absolute (`https://...`), as SARIF's `helpUri` must be.
pub fn parse_docs_url(text: &str) -> Result<String, String> {
    let scheme_end = text.find(':').unwrap_or(0);
    let scheme = &text[..scheme_end];
    let absolute = !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if absolute && !text.contains(char::is_whitespace) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{text}` is not an absolute URL such as https://docs.example.org/aop-lint/rules/"
        ))
    }
}

/// The page of the rule `key` names, or what to say when none does.
pub fn explain(key: &str) -> Result<String, String> {
    aop_rules::find_rule(key)
        .map(|r| docs::page(r.meta()))
        .ok_or_else(|| format!("no rule `{key}`: `aop-lint rules` lists them"))
}
