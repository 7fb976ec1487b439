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

/// Who `allow`/`deny` see: whether an allow-list admitting only this machine refuses
/// everyone else in a block.
#[derive(Clone, Copy)]
struct Peers {
    /// The address `allow` checks is the connection's own: no realip module may put one from
    /// a header in its place (lower.rs knows the inherited settings and decides).
    real: bool,
    /// `satisfy any`: another check (a password) may let a client in instead.
    satisfy_any: bool,
}

impl Peers {
    /// The same inside a block, under the block's own `satisfy`.
    fn inside(self, children: &[Directive]) -> Peers {
        let own = children
            .iter()
            .rfind(|d| d.name == "satisfy")
            .and_then(|d| d.arg(0));
        Peers {
            satisfy_any: own.map_or(self.satisfy_any, |v| v == "any"),
            ..self
        }
    }

    fn local_allow_refuses_others(self) -> bool {
        self.real && !self.satisfy_any
    }
}

/// An `allow` that admits this machine only: a loopback address or network, or `unix:`.
fn admits_this_machine_only(allow: &Directive) -> bool {
    let Some(arg) = allow.arg(0) else {
        return false;
    };
    if arg == "unix:" {
        return true;
    }
    let (addr, mask) = match arg.split_once('/') {
        Some((a, m)) => (a, m.parse::<u8>().ok()),
        None => (arg, None),
    };
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => a.is_loopback() && mask.is_none_or(|m| m >= 8),
        Ok(std::net::IpAddr::V6(a)) => a.is_loopback() && mask.is_none_or(|m| m == 128),
        Err(_) => false,
    }
}

/// Decides from one block's own rewrite-phase and access directives, if they decide.
fn own_decision(children: &[Directive], peers: Peers) -> Option<Decision> {
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
    let mut allows = children.iter().filter(|d| d.name == "allow").peekable();
    let d = deny_all?;
    let nobody = allows.peek().is_none();
    // `allow 127.0.0.1; deny all;`: a client on this machine gets in, nobody outside does.
    let only_here = peers.local_allow_refuses_others() && allows.all(admits_this_machine_only);
    (nobody || only_here).then(|| Decision::new(Action::Rejects, d.head_span()))
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
fn location_decision(d: &Directive, out: &mut Vec<Location>, peers: Peers) -> Decision {
    let path = d
        .args
        .iter()
        .map(|a| a.value.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let peers = peers.inside(d.children());
    let decision = own_decision(d.children(), peers).unwrap_or_else(|| {
        let nested: Vec<Decision> = d
            .children()
            .iter()
            .filter(|c| c.name == "location" && reachable(c))
            .map(|c| location_decision(c, out, peers))
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
/// `peers_real`: the address `allow` checks is the connection's own (no realip module in
/// effect, no inherited `satisfy any`), so an allow-list of this machine's addresses refuses
/// every outside client.
pub fn server_decision(
    server: &Directive,
    locations: &mut Vec<Location>,
    peers_real: bool,
) -> Decision {
    let children = server.children();
    let peers = Peers {
        real: peers_real,
        satisfy_any: false,
    }
    .inside(children);
    if let Some(d) = own_decision(children, peers) {
        return d;
    }
    let locs: Vec<&Directive> = children
        .iter()
        .filter(|c| c.name == "location" && reachable(c))
        .collect();
    let decisions: Vec<Decision> = locs
        .iter()
        .map(|l| location_decision(l, locations, peers))
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
        server_decision(&p.directives[0], &mut Vec::new(), true).action
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
        server_decision(&p.directives[0], &mut Vec::new(), true)
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
    fn an_allow_list_of_this_machine_refuses_everyone_else() {
        for only_here in [
            "allow 127.0.0.1;",
            "allow 127.0.0.0/8; allow ::1;",
            "allow unix:; allow ::1/128;",
        ] {
            let src = format!("server {{ {only_here} deny all; }}");
            assert_eq!(decide(&src), Action::Rejects, "{src}");
        }
        for someone_else in [
            "allow 127.0.0.1; allow 203.0.113.0/24;",
            "allow 127.0.0.0/7;",
            "allow ::1/64;",
            "allow 127.0.0.1; satisfy any;",
        ] {
            let src = format!("server {{ {someone_else} deny all; }}");
            assert_eq!(decide(&src), Action::Serves, "{src}");
        }
        // A location's own `satisfy all` puts the allow-list back in charge.
        let src = "server { satisfy any; location / { satisfy all; allow 127.0.0.1; deny all; } }";
        assert_eq!(decide(src), Action::Rejects);
        // Where the address may come from a header, the list is not trusted to refuse.
        let p = parse(b"server { allow 127.0.0.1; deny all; }", FileId(0), 100);
        let d = server_decision(&p.directives[0], &mut Vec::new(), false);
        assert_eq!(d.action, Action::Serves);
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
