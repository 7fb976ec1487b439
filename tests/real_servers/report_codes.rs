//! aop-lint's verdicts as the truth harnesses read them: the rule codes of a JSON report,
//! and which codes answer which question.

/// Someone without a Cloudflare certificate gets content: the codes of the rules that
/// declare `verdict: Open` in their `declare_rule!`, so the registry is the only list.
pub fn open_codes() -> Vec<&'static str> {
    aop_rules::codes_with(aop_rules::Verdict::Open)
}

/// An unknown name gets a real site (`verdict: Foreign`).
pub fn foreign_codes() -> Vec<&'static str> {
    aop_rules::codes_with(aop_rules::Verdict::Foreign)
}

/// The distinct codes of aop-lint's `--format json` report, sorted.
pub fn codes(json: &serde_json::Value) -> Result<Vec<String>, String> {
    let findings = json["findings"]
        .as_array()
        .ok_or("aop-lint's report has no `findings` array")?;
    let mut codes: Vec<String> = findings
        .iter()
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect();
    codes.sort();
    codes.dedup();
    Ok(codes)
}

/// Whether any of `codes` is in `set`.
pub fn any_of(codes: &[String], set: &[&str]) -> bool {
    codes.iter().any(|c| set.contains(&c.as_str()))
}
