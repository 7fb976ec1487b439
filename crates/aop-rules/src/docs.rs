//! The rule documentation as users read it: `aop-lint explain CODE`, `docs/rules/<CODE>.md`
//! and the SARIF help text all come from here, so they cannot say different things.

use std::collections::BTreeMap;
use std::path::Path;

use crate::{Meta, RULES};

/// Where a rule's page lives, relative to the repository root.
pub fn page_path(meta: &Meta) -> String {
    format!("docs/rules/{}.md", meta.code)
}

fn kinds(meta: &Meta) -> String {
    meta.kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A rule's full page: title, the facts a table can hold, then its doc comment.
pub fn page(meta: &Meta) -> String {
    format!(
        "# {} {}\n\n| severity | servers | summary |\n|---|---|---|\n| {} | {} | {} |\n\n{}",
        meta.code,
        meta.name,
        meta.severity.as_str(),
        kinds(meta),
        meta.summary,
        meta.markdown()
    )
}

/// `docs/rules/README.md`: every rule with a link to its page.
pub fn index() -> String {
    let mut out = String::from(
        "# Rules\n\nGenerated from the rules' own documentation (`aop-lint rules`, \
         `aop-lint explain CODE`); regenerate with `UPDATE_DOCS=1 cargo test -p aop-rules docs`.\n\n\
         | code | name | severity | summary |\n|---|---|---|---|\n",
    );
    for r in RULES {
        let m = r.meta();
        out.push_str(&format!(
            "| [{}]({}.md) | {} | {} | {} |\n",
            m.code,
            m.code,
            m.name,
            m.severity.as_str(),
            m.summary
        ));
    }
    out
}

/// Every file `docs/rules/` must hold, by name, with its content.
pub fn expected_files() -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for r in RULES {
        let m = r.meta();
        files.insert(format!("{}.md", m.code), page(m));
    }
    files.insert("README.md".to_string(), index());
    files
}

/// How `dir` (`docs/rules/`) differs from [`expected_files`], one line a file; with
/// `rewrite`, the directory is made to match first.
pub fn drift(dir: &Path, rewrite: bool) -> std::io::Result<Vec<String>> {
    let want = expected_files();
    if rewrite {
        std::fs::create_dir_all(dir)?;
        for entry in std::fs::read_dir(dir)? {
            let p = entry?.path();
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if !want.contains_key(&name) {
                std::fs::remove_file(&p)?;
            }
        }
        for (name, text) in &want {
            std::fs::write(dir.join(name), text)?;
        }
    }
    let mut problems = Vec::new();
    for (name, text) in &want {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(have) if have == *text => {}
            Ok(_) => problems.push(format!(
                "docs/rules/{name} differs from the rule's doc comment"
            )),
            Err(_) => problems.push(format!("docs/rules/{name} is missing")),
        }
    }
    for entry in std::fs::read_dir(dir).into_iter().flatten() {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !want.contains_key(&name) {
            problems.push(format!("docs/rules/{name} belongs to no rule"));
        }
    }
    Ok(problems)
}

/// The fenced code blocks of one `## Section` of a rule's documentation, with their info
/// string (`nginx`, `apache`, `text`).
pub fn section_blocks(meta: &Meta, section: &str) -> Vec<(String, String)> {
    let md = meta.markdown();
    let heading = format!("## {section}");
    let mut blocks = Vec::new();
    let mut in_section = false;
    let mut current: Option<(String, String)> = None;
    for line in md.lines() {
        if let Some((lang, body)) = current.as_mut() {
            if line.trim_start().starts_with("```") {
                blocks.push((std::mem::take(lang), std::mem::take(body)));
                current = None;
            } else {
                body.push_str(line);
                body.push('\n');
            }
            continue;
        }
        if line.starts_with("## ") {
            in_section = line.trim_end() == heading;
            continue;
        }
        if in_section {
            if let Some(info) = line.trim_start().strip_prefix("```") {
                current = Some((info.trim().to_string(), String::new()));
            }
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::find_rule;

    /// `docs/rules/` is generated from the rules' doc comments; this fails when the two
    /// drift. Regenerate with `UPDATE_DOCS=1 cargo test -p aop-rules docs`.
    #[test]
    fn docs_rules_match_the_registry() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
        let problems = drift(&dir, std::env::var_os("UPDATE_DOCS").is_some()).unwrap();
        assert!(
            problems.is_empty(),
            "{}\nregenerate with: UPDATE_DOCS=1 cargo test -p aop-rules docs",
            problems.join("\n")
        );
    }

    #[test]
    fn page_starts_with_code_and_name_and_holds_the_doc() {
        let m = find_rule("AOP201").unwrap().meta();
        let p = page(m);
        assert!(p.starts_with("# AOP201 default-server-missing\n"));
        assert!(p.contains("| error | nginx, apache, caddy |"));
        assert!(p.contains("## Why it matters"));
    }

    #[test]
    fn blocks_are_taken_from_the_named_section_only() {
        let m = find_rule("AOP003").unwrap().meta();
        let example = section_blocks(m, "Example");
        assert_eq!(example.len(), 1);
        assert_eq!(example[0].0, "nginx");
        assert!(example[0].1.contains("aop-lint: ignore AOP201"));
        // The `text` block of "What it does" belongs to no example section.
        assert!(section_blocks(m, "Use instead")
            .iter()
            .all(|(lang, _)| lang == "nginx"));
    }

    #[test]
    fn every_rule_shows_an_example_and_a_fix() {
        for r in RULES {
            let m = r.meta();
            assert!(!section_blocks(m, "Example").is_empty(), "{}", m.code);
            assert!(!section_blocks(m, "Use instead").is_empty(), "{}", m.code);
        }
    }
}
