//! `aop-lint explain` and `aop-lint rules` say what the registry says. That `docs/rules/`
//! matches the rules' doc comments is tested in aop-rules (`cargo test -p aop-rules docs`).

mod common;

use aop_rules::{docs, RULES};
use common::{aop_lint, stdout};

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
