//! What a server block does with a request: serve content, redirect, or refuse. Server-level
//! rewrite directives run before any location is chosen, so a server-level `return` decides
//! for every request; otherwise each reachable location decides for its requests, and requests
//! outside every location get the static file handler (content).
//!
//! Content is what a client gets that the site put there: files, an application's answer,
//! a `return` with a text. A redirect (any 3xx), an error status (4xx, 5xx), a closed
//! connection (444), `204` and a `2xx` without a text hand out none (docs/semantics.md).

use aop_model::{Action, Location};
use aop_source::Span;

use crate::ast::Directive;

/// The decision for a block, and the directive that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub action: Action,
    pub span: Span,
    /// Only ACME challenge files are served; every other request is redirected or refused.
    pub acme_only: bool,
}

impl Decision {
    fn new(action: Action, span: Span) -> Self {
        Decision {
            action,
            span,
            acme_only: false,
        }
    }
}

/// Directives that hand out content.
const CONTENT: &[&str] = &[
    "proxy_pass",
    "fastcgi_pass",
    "uwsgi_pass",
    "scgi_pass",
    "grpc_pass",
    "memcached_pass",
    "root",
    "alias",
    "autoindex",
    "index",
    "try_files",
    "empty_gif",
    "stub_status",
    "perl",
    "js_content",
    "content_by_lua",
    "content_by_lua_block",
    "content_by_lua_file",
];

fn return_action(d: &Directive) -> Option<Action> {
    let first = d.arg(0)?;
    let text = d.arg(1).filter(|t| !t.is_empty());
    match first.parse::<u16>() {
        Ok(444) | Ok(400..=599) => Some(Action::Rejects),
        Ok(300..=399) => Some(Action::Redirects),
        // An answer without a body: nothing of the site is handed out.
        Ok(204) => Some(Action::Rejects),
        Ok(200..=299) if text.is_none() => Some(Action::Rejects),
        Ok(_) => Some(Action::Serves),
        // `return URL` is a 302.
        Err(_) => Some(Action::Redirects),
    }
}

/// A location for the ACME HTTP-01 challenge (`/.well-known/acme-challenge/`, written with
/// any modifier or as a regular expression): the files a certificate authority fetches,
/// not the site's content.
fn is_acme_location(d: &Directive) -> bool {
    d.args.last().is_some_and(|a| {
        let path: String = a
            .value
            .trim_start_matches('^')
            .chars()
            .filter(|c| *c != '\\')
            .collect();
        path.starts_with("/.well-known/acme-challenge")
    })
}

/// A rewrite that redirects every request (`rewrite ^ https://$host$request_uri permanent`).
fn rewrite_redirects_all(d: &Directive) -> bool {
    let (Some(regex), Some(target)) = (d.arg(0), d.arg(1)) else {
        return false;
    };
    let catch_all = matches!(
        regex,
        "^" | "^/" | "^(.*)" | "^(.*)$" | "^/(.*)" | "^/(.*)$" | ".*" | "(.*)" | "^.*$" | "^.*"
    );
    let external = target.starts_with("http://")
        || target.starts_with("https://")
        || target.starts_with("$scheme://");
    let flag = d.arg(2);
    catch_all && (external || matches!(flag, Some("permanent" | "redirect")))
}

/// Decides from one block's own rewrite-phase and access directives, if they decide.
fn own_decision(children: &[Directive]) -> Option<Decision> {
    for d in children {
        match d.name.as_str() {
            "return" => {
                if let Some(action) = return_action(d) {
                    return Some(Decision::new(action, d.head_span()));
                }
            }
            "rewrite" if rewrite_redirects_all(d) => {
                return Some(Decision::new(Action::Redirects, d.head_span()))
            }
            _ => {}
        }
    }
    let deny_all = children
        .iter()
        .find(|d| d.name == "deny" && d.arg(0) == Some("all"));
    let allows = children.iter().any(|d| d.name == "allow");
    match deny_all {
        Some(d) if !allows => Some(Decision::new(Action::Rejects, d.head_span())),
        _ => None,
    }
}

fn content_span(children: &[Directive]) -> Option<Span> {
    children
        .iter()
        .find(|d| CONTENT.contains(&d.name.as_str()))
        .map(|d| d.head_span())
}

fn is_catch_all_location(d: &Directive) -> bool {
    let args: Vec<&str> = d.args.iter().map(|a| a.value.as_str()).collect();
    matches!(
        args.as_slice(),
        ["/"]
            | ["^~", "/"]
            | ["~", "^/" | "/" | ".*" | "^.*" | "^/.*" | "^"]
            | ["~*", "^/" | "/" | ".*" | "^"]
    )
}

fn reachable(d: &Directive) -> bool {
    !d.arg(0).is_some_and(|a| a.starts_with('@'))
        && !d.children().iter().any(|c| c.name == "internal")
}

/// Classifies a location and those nested in it.
fn location_decision(d: &Directive, out: &mut Vec<Location>) -> Decision {
    let path = d
        .args
        .iter()
        .map(|a| a.value.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let decision = own_decision(d.children()).unwrap_or_else(|| {
        let nested: Vec<Decision> = d
            .children()
            .iter()
            .filter(|c| c.name == "location" && reachable(c))
            .map(|c| location_decision(c, out))
            .collect();
        nested
            .into_iter()
            .find(|n| n.action == Action::Serves)
            .unwrap_or(Decision::new(
                Action::Serves,
                content_span(d.children()).unwrap_or(d.head_span()),
            ))
    });
    out.push(Location {
        span: d.head_span(),
        path,
        action: decision.action,
    });
    decision
}

/// Classifies a server block; `locations` receives every reachable location's own verdict.
pub fn server_decision(server: &Directive, locations: &mut Vec<Location>) -> Decision {
    let children = server.children();
    if let Some(d) = own_decision(children) {
        return d;
    }
    let locs: Vec<&Directive> = children
        .iter()
        .filter(|c| c.name == "location" && reachable(c))
        .collect();
    let decisions: Vec<Decision> = locs
        .iter()
        .map(|l| location_decision(l, locations))
        .collect();
    let catch_all = locs.iter().any(|l| is_catch_all_location(l));
    let serving = locs
        .iter()
        .zip(&decisions)
        .filter(|(_, d)| d.action == Action::Serves);
    let mut acme = None;
    for (location, decision) in serving {
        if !catch_all || !is_acme_location(location) {
            return decision.clone();
        }
        acme.get_or_insert(decision);
    }
    if let Some(decision) = acme {
        // Every request outside the challenge directory lands in a location that refuses or
        // redirects it.
        return Decision {
            acme_only: true,
            ..decision.clone()
        };
    }
    if !catch_all {
        // A URI outside every location is served from the server's root.
        return Decision::new(
            Action::Serves,
            content_span(children).unwrap_or(server.head_span()),
        );
    }
    // Every request lands in a location that refuses or redirects: the weakest wins.
    decisions
        .iter()
        .find(|d| d.action == Action::Redirects)
        .or(decisions.first())
        .cloned()
        .unwrap_or(Decision::new(Action::Serves, server.head_span()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;
    use aop_source::FileId;

    fn decide(src: &str) -> Action {
        let p = parse(src.as_bytes(), FileId(0), 100);
        assert!(p.error.is_none());
        server_decision(&p.directives[0], &mut Vec::new()).action
    }

    #[test]
    fn server_level_return_decides() {
        assert_eq!(
            decide("server { return 444; location / { proxy_pass http://a; } }"),
            Action::Rejects
        );
        assert_eq!(
            decide("server { return 301 https://$host$request_uri; }"),
            Action::Redirects
        );
        assert_eq!(decide("server { return https://x; }"), Action::Redirects);
        assert_eq!(decide("server { return 200 ok; }"), Action::Serves);
    }

    #[test]
    fn statuses_without_content() {
        for rejects in [
            "return 204;",
            "return 200;",
            "return 200 \"\";",
            "return 444;",
            "return 404;",
            "return 503;",
        ] {
            assert_eq!(
                decide(&format!("server {{ {rejects} }}")),
                Action::Rejects,
                "{rejects}"
            );
        }
        for redirects in ["return 300 x;", "return 304;", "return 308 https://x/;"] {
            assert_eq!(
                decide(&format!("server {{ {redirects} }}")),
                Action::Redirects,
                "{redirects}"
            );
        }
        assert_eq!(decide("server { return 200 \"ok\"; }"), Action::Serves);
    }

    fn acme(src: &str) -> Decision {
        let p = parse(src.as_bytes(), FileId(0), 100);
        assert!(p.error.is_none());
        server_decision(&p.directives[0], &mut Vec::new())
    }

    #[test]
    fn acme_challenge_beside_a_redirect_is_all_it_serves() {
        let redirect = "location / { return 301 https://$host$request_uri; }";
        for location in [
            "location /.well-known/acme-challenge/ { root /a; }",
            "location ^~ /.well-known/acme-challenge/ { root /a; }",
            "location ~ ^/\\.well-known/acme-challenge/ { root /a; }",
        ] {
            let d = acme(&format!("server {{ {location} {redirect} }}"));
            assert_eq!(d.action, Action::Serves, "{location}");
            assert!(d.acme_only, "{location}");
        }
        // Without a catch-all, other paths get the root: that is content.
        let d = acme("server { location /.well-known/acme-challenge/ { root /a; } }");
        assert!(!d.acme_only);
        let d = acme(&format!(
            "server {{ location /.well-known/acme-challenge/ {{ root /a; }} location /s {{ stub_status; }} {redirect} }}"
        ));
        assert!(d.action == Action::Serves && !d.acme_only);
    }

    #[test]
    fn locations_decide_when_the_server_does_not() {
        assert_eq!(
            decide("server { location / { return 403; } }"),
            Action::Rejects
        );
        assert_eq!(
            decide("server { location / { return 403; } location /api { proxy_pass http://a; } }"),
            Action::Serves
        );
        // Without `location /`, other URIs get the static handler.
        assert_eq!(
            decide("server { location /x { return 403; } }"),
            Action::Serves
        );
        assert_eq!(
            decide("server { location / { return 403; } location @x { proxy_pass http://a; } }"),
            Action::Rejects
        );
    }

    #[test]
    fn empty_server_serves_the_default_root() {
        assert_eq!(decide("server { listen 443 ssl; }"), Action::Serves);
    }

    #[test]
    fn deny_all_rejects_unless_something_is_allowed() {
        assert_eq!(decide("server { deny all; }"), Action::Rejects);
        assert_eq!(
            decide("server { allow 10.0.0.0/8; deny all; }"),
            Action::Serves
        );
    }

    #[test]
    fn catch_all_rewrite_redirects() {
        assert_eq!(
            decide("server { rewrite ^ https://$host$request_uri? permanent; }"),
            Action::Redirects
        );
        assert_eq!(
            decide("server { rewrite ^/old /new permanent; }"),
            Action::Serves
        );
    }
}
