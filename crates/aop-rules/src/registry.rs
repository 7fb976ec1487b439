//! The rule registry. A rule is registered by its file: `rules/mod.rs` is generated from the
//! files of `src/rules/` ([`module_file`]), and the order of [`RULES`] comes from the codes.

use std::path::Path;

use crate::Rule;

/// What `declare_rule!` emits in each rule's module for `rules/mod.rs` to list.
#[derive(Clone, Copy)]
pub struct Entry {
    pub code: &'static str,
    pub rule: &'static dyn Rule,
}

const fn before(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// The entries' rules sorted by code, at compile time: the file order of `rules/mod.rs`
/// (alphabetical by file) says nothing about codes.
const fn sorted<const N: usize>(entries: &[Entry]) -> [&'static dyn Rule; N] {
    let mut order = [0usize; N];
    let mut i = 0;
    while i < N {
        order[i] = i;
        let mut j = i;
        while j > 0 && before(entries[order[j]].code, entries[order[j - 1]].code) {
            let t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
            j -= 1;
        }
        i += 1;
    }
    let mut out = [entries[0].rule; N];
    let mut k = 0;
    while k < N {
        out[k] = entries[order[k]].rule;
        k += 1;
    }
    out
}

const COUNT: usize = crate::rules::ENTRIES.len();
static SORTED: [&dyn Rule; COUNT] = sorted::<COUNT>(crate::rules::ENTRIES);

/// Every rule, sorted by code.
pub static RULES: &[&dyn Rule] = &SORTED;

/// A rule by code (`AOP101`) or name (`client-verify-missing`), case-insensitively.
pub fn find_rule(key: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        r.meta().code.eq_ignore_ascii_case(key) || r.meta().name.eq_ignore_ascii_case(key)
    })
}

/// The codes whose findings claim `verdict` (the truth harness's lists).
pub fn codes_with(verdict: crate::Verdict) -> Vec<&'static str> {
    RULES
        .iter()
        .map(|r| r.meta())
        .filter(|m| m.verdict == verdict)
        .map(|m| m.code)
        .collect()
}

/// Every directive a rule reads through `Server::directive`: what the readers must keep
/// (`LoadOptions::directives`).
pub fn directives_read() -> Vec<aop_model::DirectiveName> {
    RULES.iter().flat_map(|r| r.meta().reads).copied().collect()
}

/// The rule modules of `dir` (`src/rules/`): each `.rs` file but `mod.rs`, by file stem, sorted.
pub fn rule_modules(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if path.extension().is_some_and(|e| e == "rs") && stem != "mod" {
            out.push(stem.to_string());
        }
    }
    out.sort();
    Ok(out)
}

/// The text of `src/rules/mod.rs` for these modules.
pub fn module_file(modules: &[String]) -> String {
    let mut out = String::from(
        "//! Generated from the files of this directory: do not edit. Regenerate with\n\
         //! `UPDATE_REGISTRY=1 cargo test -p aop-rules registry` (`aop-gen new-rule` does it too).\n\n",
    );
    for m in modules {
        out.push_str(&format!("pub mod {m};\n"));
    }
    out.push_str("\n/// Every rule, in file order ([`crate::RULES`] sorts them by code).\n");
    out.push_str("pub(crate) const ENTRIES: &[crate::registry::Entry] = &[\n");
    for m in modules {
        out.push_str(&format!("    {m}::ENTRY,\n"));
    }
    out.push_str("];\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aop_model::codes;

    fn rules_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules")
    }

    /// A rule file that `rules/mod.rs` does not list is a rule that never runs.
    #[test]
    fn every_rule_file_is_registered() {
        let dir = rules_dir();
        let modules = rule_modules(&dir).unwrap();
        let want = module_file(&modules);
        let path = dir.join("mod.rs");
        if std::env::var_os("UPDATE_REGISTRY").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap();
        assert!(
            have == want,
            "src/rules/mod.rs does not list the files of src/rules/ ({modules:?}): \
             regenerate it with UPDATE_REGISTRY=1 cargo test -p aop-rules registry"
        );
        assert_eq!(RULES.len(), modules.len());
    }

    /// A rule's file is named after the rule: `client-verify-missing` lives in
    /// `rules/client_verify_missing.rs`.
    #[test]
    fn each_rule_lives_in_the_file_of_its_name() {
        let modules = rule_modules(&rules_dir()).unwrap();
        let mut names: Vec<String> = RULES
            .iter()
            .map(|r| r.meta().name.replace('-', "_"))
            .collect();
        names.sort();
        assert_eq!(names, modules);
    }

    #[test]
    fn verdicts_are_those_the_harness_checks() {
        // AOP601-603 and AOP607 say the same of a running origin (`aop-lint probe`); linting
        // files never raises them.
        assert_eq!(
            codes_with(crate::Verdict::Open),
            [
                "AOP101", "AOP102", "AOP103", "AOP107", "AOP202", "AOP601", "AOP602", "AOP603",
                "AOP607"
            ]
        );
        assert_eq!(codes_with(crate::Verdict::Foreign), ["AOP201"]);
    }

    #[test]
    fn const_sort_orders_codes_bytewise() {
        assert!(before("AOP001", "AOP002"));
        assert!(!before("AOP101", "AOP101"));
        assert!(before("AOP10", "AOP101"));
        assert!(!before("AOP201", "AOP105"));
    }

    #[test]
    fn codes_are_unique_and_sorted() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.meta().code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn names_are_kebab_case_and_unique() {
        let mut names: Vec<&str> = RULES.iter().map(|r| r.meta().name).collect();
        for n in &names {
            assert!(
                n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{n}"
            );
        }
        names.sort();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len);
    }

    #[test]
    fn every_rule_documents_the_four_sections() {
        for r in RULES {
            let md = r.meta().markdown();
            for section in [
                "## What it does",
                "## Why it matters",
                "## Example",
                "## Use instead",
            ] {
                assert!(md.contains(section), "{} lacks {section}", r.meta().code);
            }
        }
    }

    #[test]
    fn reader_codes_match_their_rules() {
        for code in [
            codes::PARSE_ERROR,
            codes::INCLUDE_UNRESOLVED,
            codes::NOT_CHECKED,
        ] {
            let rule = find_rule(code.code).expect("registered");
            assert_eq!(rule.meta().id(), code);
        }
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(
            find_rule("aop101").unwrap().meta().name,
            "client-verify-missing"
        );
        assert_eq!(
            find_rule("client-ca-missing").unwrap().meta().code,
            "AOP104"
        );
        assert!(find_rule("AOP999").is_none());
    }
}
