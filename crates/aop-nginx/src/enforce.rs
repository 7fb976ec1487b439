//! Whether a server refuses, at server level, every client whose certificate did not verify:
//! the only thing that makes `ssl_verify_client optional` a lock.

use std::collections::HashSet;

use aop_source::Span;

use crate::ast::Directive;

/// Variables set by `map $ssl_client_verify $v { default 1; SUCCESS 0; }`: true for every
/// client except a verified one.
pub fn unverified_flags(http: &[Directive]) -> HashSet<String> {
    let mut out = HashSet::new();
    for d in http.iter().filter(|d| d.name == "map") {
        let (Some("$ssl_client_verify"), Some(var)) = (d.arg(0), d.arg(1)) else {
            continue;
        };
        let mut default_truthy = false;
        let mut success_falsy = false;
        for entry in d.children() {
            let value = entry.arg(0).unwrap_or("");
            let falsy = value.is_empty() || value == "0";
            match entry.name.as_str() {
                "default" => default_truthy = !falsy,
                "SUCCESS" | "~^SUCCESS$" => success_falsy = falsy,
                _ => {}
            }
        }
        if default_truthy && success_falsy {
            out.insert(var.to_string());
        }
    }
    out
}

fn condition(d: &Directive) -> Vec<String> {
    let mut words: Vec<String> = d.args.iter().map(|a| a.value.to_string()).collect();
    if let Some(first) = words.first_mut() {
        if let Some(rest) = first.strip_prefix('(') {
            *first = rest.to_string();
        }
    }
    if let Some(last) = words.last_mut() {
        if let Some(rest) = last.strip_suffix(')') {
            *last = rest.to_string();
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

fn refuses(block: &[Directive]) -> bool {
    block.iter().any(|d| {
        d.name == "return"
            && d.arg(0)
                .and_then(|c| c.parse::<u16>().ok())
                .is_some_and(|c| c == 444 || (400..=599).contains(&c))
    })
}

/// The server-level `if` that refuses unverified clients, if there is one.
pub fn enforcement(server: &[Directive], flags: &HashSet<String>) -> Option<Span> {
    server.iter().find_map(|d| {
        if d.name != "if" || !refuses(d.children()) {
            return None;
        }
        let c = condition(d);
        let c: Vec<&str> = c.iter().map(String::as_str).collect();
        let tests_verify = match c.as_slice() {
            ["$ssl_client_verify", "!=", "SUCCESS"] => true,
            ["$ssl_client_verify", "!~", "SUCCESS" | "^SUCCESS$" | "^SUCCESS"] => true,
            [var] => flags.contains(*var),
            _ => false,
        };
        tests_verify.then(|| d.head_span())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;
    use aop_source::FileId;

    fn enforced(http: &str) -> bool {
        let p = parse(http.as_bytes(), FileId(0), 100);
        assert!(p.error.is_none(), "{:?}", p.error);
        let flags = unverified_flags(&p.directives);
        let server = p.directives.iter().find(|d| d.name == "server").unwrap();
        enforcement(server.children(), &flags).is_some()
    }

    #[test]
    fn direct_if_forms() {
        assert!(enforced(
            "server { if ($ssl_client_verify != SUCCESS) { return 403; } }"
        ));
        assert!(enforced(
            "server { if ($ssl_client_verify != \"SUCCESS\") { return 444; } }"
        ));
        assert!(!enforced(
            "server { if ($ssl_client_verify != SUCCESS) { set $a 1; } }"
        ));
        assert!(!enforced(
            "server { if ($ssl_client_verify = SUCCESS) { return 403; } }"
        ));
    }

    #[test]
    fn map_and_if() {
        assert!(enforced(
            "map $ssl_client_verify $bad { default 1; SUCCESS 0; }\nserver { if ($bad) { return 403; } }"
        ));
        assert!(!enforced(
            "map $ssl_client_verify $bad { default 0; SUCCESS 1; }\nserver { if ($bad) { return 403; } }"
        ));
    }
}
