//! The checked-in list of disagreements that are aop-lint defects still to fix. A line is
//! `tree verdict why`; `verdict` is `open`, `foreign`, `plain` or `start`. The test fails on a
//! disagreement the list lacks and on a listed one that has gone away, so the list only
//! shrinks.

use std::path::Path;

pub struct Known {
    pub tree: String,
    pub verdict: String,
    pub why: String,
}

pub fn read(path: &Path) -> Result<Vec<Known>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let (Some(tree), Some(verdict), Some(why)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "{}:{}: want `tree verdict why`",
                path.display(),
                n + 1
            ));
        };
        if !["open", "foreign", "plain", "start"].contains(&verdict) {
            return Err(format!(
                "{}:{}: verdict `{verdict}` is not open, foreign, plain or start",
                path.display(),
                n + 1
            ));
        }
        out.push(Known {
            tree: tree.to_string(),
            verdict: verdict.to_string(),
            why: why.trim().to_string(),
        });
    }
    Ok(out)
}
