//! Rule selection and severity overrides, from the command line and `aop-lint.toml`.

use std::collections::HashMap;

use aop_model::{Finding, Severity, Suppressed};
use aop_rules::RULES;

/// The codes a user's word stands for: a code (`AOP201`), a name (`default-server-missing`),
/// a code prefix (`AOP2`: every rule of that group) or `ALL`; case-insensitive.
pub fn resolve_rules(key: &str) -> Result<Vec<&'static str>, String> {
    let key = key.trim();
    if let Some(r) = aop_rules::find_rule(key) {
        return Ok(vec![r.meta().code]);
    }
    if key.eq_ignore_ascii_case("all") {
        return Ok(RULES.iter().map(|r| r.meta().code).collect());
    }
    let upper = key.to_ascii_uppercase();
    let matched: Vec<&'static str> = RULES
        .iter()
        .map(|r| r.meta().code)
        .filter(|c| upper.len() >= 3 && c.starts_with(&upper))
        .collect();
    if matched.is_empty() {
        Err(format!(
            "unknown rule `{key}`: give a code (AOP201), a name (default-server-missing), a code prefix (AOP2) or ALL; `aop-lint rules` lists them"
        ))
    } else {
        Ok(matched)
    }
}

/// What to report and how severe: empty `select` means every rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    pub select: Vec<&'static str>,
    pub ignore: Vec<&'static str>,
    pub severity: HashMap<&'static str, Severity>,
}

impl Policy {
    pub fn enabled(&self, code: &str) -> bool {
        (self.select.is_empty() || self.select.contains(&code)) && !self.ignore.contains(&code)
    }

    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|f| self.enabled(f.code))
            .map(|mut f| {
                self.set_severity(&mut f);
                f
            })
            .collect()
    }

    pub fn apply_suppressed(&self, suppressed: Vec<Suppressed>) -> Vec<Suppressed> {
        suppressed
            .into_iter()
            .filter(|s| self.enabled(s.finding.code))
            .map(|mut s| {
                self.set_severity(&mut s.finding);
                s
            })
            .collect()
    }

    fn set_severity(&self, f: &mut Finding) {
        if let Some(&s) = self.severity.get(f.code) {
            f.severity = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_resolve_to_codes() {
        assert_eq!(resolve_rules("AOP201").unwrap(), vec!["AOP201"]);
        assert_eq!(resolve_rules("aop201").unwrap(), vec!["AOP201"]);
        assert_eq!(
            resolve_rules("default-server-missing").unwrap(),
            vec!["AOP201"]
        );
        let group = resolve_rules("AOP2").unwrap();
        assert!(group.contains(&"AOP201") && group.contains(&"AOP202"));
        assert!(group.iter().all(|c| c.starts_with("AOP2")));
        assert_eq!(resolve_rules("all").unwrap().len(), RULES.len());
        assert!(resolve_rules("AOP999").is_err());
        assert!(resolve_rules("A").is_err());
        assert!(resolve_rules("no-such-rule").is_err());
    }

    #[test]
    fn ignore_wins_over_select() {
        let p = Policy {
            select: vec!["AOP101", "AOP201"],
            ignore: vec!["AOP201"],
            ..Policy::default()
        };
        assert!(p.enabled("AOP101"));
        assert!(!p.enabled("AOP201"));
        assert!(!p.enabled("AOP104"));
        assert!(Policy::default().enabled("AOP104"));
    }
}
