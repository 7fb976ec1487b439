//! `docs/rules/` is generated from the rules' doc comments; this test fails when the two
//! drift. Regenerate with `UPDATE_DOCS=1 cargo test --test rule_docs`.

mod common;

use std::collections::BTreeMap;

use aop_rules::{docs, RULES};
use common::{aop_lint, repo, stdout};

/// Every file `docs/rules/` must hold, by name, with its content.
fn expected() -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for r in RULES {
        let m = r.meta();
        files.insert(format!("{}.md", m.code), docs::page(m));
    }
    files.insert("README.md".to_string(), docs::index());
    files
}

#[test]
fn docs_rules_match_the_registry() {
    let dir = repo().join("docs/rules");
    let want = expected();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if !want.contains_key(&name) {
                std::fs::remove_file(&p).unwrap();
            }
        }
        for (name, text) in &want {
            std::fs::write(dir.join(name), text).unwrap();
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
    for entry in std::fs::read_dir(&dir).into_iter().flatten() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !want.contains_key(&name) {
            problems.push(format!("docs/rules/{name} belongs to no rule"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nregenerate with: UPDATE_DOCS=1 cargo test --test rule_docs",
        problems.join("\n")
    );
}

#[test]
fn explain_prints_the_same_page() {
    for r in RULES {
        let m = r.meta();
        for key in [
            m.code.to_string(),
            m.name.to_string(),
            m.code.to_lowercase(),
        ] {
            let o = aop_lint(&["explain", &key]);
            assert_eq!(o.status.code(), Some(0), "{key}");
            assert_eq!(stdout(&o), docs::page(m), "{key}");
        }
    }
    let o = aop_lint(&["explain", "AOP999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("aop-lint rules"));
}

#[test]
fn explain_snapshot() {
    insta::assert_snapshot!("explain_AOP003", stdout(&aop_lint(&["explain", "AOP003"])));
}

#[test]
fn rules_lists_every_rule() {
    let o = aop_lint(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("code"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), RULES.len());
    for (row, r) in rows.iter().zip(RULES) {
        let m = r.meta();
        let words: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(&words[..3], &[m.code, m.name, m.severity.as_str()]);
        assert!(row.ends_with(m.summary), "{row}");
    }

    let o = aop_lint(&["rules", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["version"], 1);
    let list = v["rules"].as_array().unwrap();
    assert_eq!(list.len(), RULES.len());
    for (item, r) in list.iter().zip(RULES) {
        let m = r.meta();
        assert_eq!(item["code"], m.code);
        assert_eq!(item["name"], m.name);
        assert_eq!(item["severity"], m.severity.as_str());
        assert_eq!(item["summary"], m.summary);
        assert_eq!(item["docs"], format!("docs/rules/{}.md", m.code));
        let servers: Vec<&str> = m.kinds.iter().map(|k| k.as_str()).collect();
        assert_eq!(item["servers"], serde_json::json!(servers));
    }
}
