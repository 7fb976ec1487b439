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

/// A server-level `if` that refuses every request whose hostname is not the server's own:
/// `if ($host != shop.example.com) { return 444; }`, `$http_host`, or a `!~` pattern.
pub fn host_guard(server: &[Directive]) -> Option<Span> {
    server.iter().find_map(|d| {
        if d.name != "if" || !refuses(d.children()) {
            return None;
        }
        let c = condition(d);
        let guards = matches!(
            c.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
            [
                "$host" | "$http_host" | "$ssl_server_name",
                "!=" | "!~" | "!~*",
                _
            ]
        );
        guards.then(|| d.head_span())
    })
}

/// Every URI reaches a location that refuses unverified clients itself: a catch-all
/// `location /` and, in each reachable location that could serve, the same `if` as at
/// server level. Rewrite directives are not inherited by nested locations, so each checks.
pub fn location_enforcement(server: &[Directive], flags: &HashSet<String>) -> Option<Span> {
    let locations: Vec<&Directive> = server
        .iter()
        .filter(|d| d.name == "location" && reachable(d))
        .collect();
    let catch_all = locations
        .iter()
        .find(|l| l.arg(0) == Some("/") && l.args.len() == 1)?;
    fn all_checked(locs: &[&Directive], flags: &HashSet<String>) -> bool {
        locs.iter().all(|l| {
            let nested: Vec<&Directive> = l
                .children()
                .iter()
                .filter(|d| d.name == "location" && reachable(d))
                .collect();
            enforcement(l.children(), flags).is_some() && all_checked(&nested, flags)
        })
    }
    all_checked(&locations, flags).then(|| enforcement(catch_all.children(), flags))?
}

fn reachable(d: &Directive) -> bool {
    !d.arg(0).is_some_and(|a| a.starts_with('@'))
        && !d.children().iter().any(|c| c.name == "internal")
}

/// `error_page 495 496 ...` to a page or named location: a client whose certificate is
/// missing (496) or fails (495) gets that page instead of the refusal. A server's own
/// `error_page` directives replace the inherited ones (see `lower.rs`). This is the first
/// `error_page` among `block`'s directives that sends 495 or 496 to a local page.
pub fn error_page_bypass(block: &[Directive]) -> Option<Span> {
    block
        .iter()
        .filter(|d| d.name == "error_page")
        .find_map(|d| {
            let codes_hit = d.args.iter().any(|a| a.value == "495" || a.value == "496");
            let target = d.args.last()?.value.as_str();
            let local = target.starts_with('/') || target.starts_with('@');
            (codes_hit && local).then(|| d.head_span())
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

    fn server_of(src: &str) -> Vec<Directive> {
        let p = parse(src.as_bytes(), FileId(0), 100);
        assert!(p.error.is_none(), "{:?}", p.error);
        p.directives[0].children().to_vec()
    }

    #[test]
    fn host_guards() {
        assert!(host_guard(&server_of(
            "server { if ($host != a.example) { return 444; } }"
        ))
        .is_some());
        assert!(host_guard(&server_of(
            "server { if ($http_host !~* ^a\\.example$) { return 403; } }"
        ))
        .is_some());
        assert!(host_guard(&server_of(
            "server { if ($host = evil.example) { return 444; } }"
        ))
        .is_none());
        assert!(host_guard(&server_of(
            "server { if ($host != a.example) { set $x 1; } }"
        ))
        .is_none());
    }

    #[test]
    fn enforcement_in_every_location() {
        let flags = HashSet::new();
        let check = "if ($ssl_client_verify != SUCCESS) { return 403; }";
        let all = format!("server {{ location / {{ {check} proxy_pass http://a; }} location /api {{ {check} proxy_pass http://b; }} }}");
        assert!(location_enforcement(&server_of(&all), &flags).is_some());
        let one_open = format!("server {{ location / {{ {check} proxy_pass http://a; }} location /api {{ proxy_pass http://b; }} }}");
        assert!(location_enforcement(&server_of(&one_open), &flags).is_none());
        let no_catch_all = format!("server {{ location /app {{ {check} proxy_pass http://a; }} }}");
        assert!(location_enforcement(&server_of(&no_catch_all), &flags).is_none());
    }

    #[test]
    fn error_page_bypasses() {
        let bypass = |src: &str| error_page_bypass(&server_of(src));
        assert!(bypass("server { error_page 495 496 = /login; }").is_some());
        assert!(bypass("server { error_page 496 @fallback; }").is_some());
        assert!(bypass("server { error_page 496 https://example.com/; }").is_none());
        assert!(bypass("server { error_page 404 /404.html; }").is_none());
        assert!(bypass("http { error_page 496 /x; }").is_some());
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
