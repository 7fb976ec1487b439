//! What a virtual host does with a request for `/`: mod_rewrite runs first (server-level
//! rules), then mod_alias's `Redirect`, then authorization in `<Location />`, else the
//! `<Directory>` authorization of the `DocumentRoot` (httpd always has one); anything not
//! stopped there is served.

use aop_model::Action;
use aop_source::Span;

use crate::access::{self, has_authz};
use crate::ast::Directive;
use crate::rewrite::{rewrite, Host, Request};
use crate::scope::Scope;

/// Patterns that match every request path.
pub(crate) fn matches_everything(pattern: &str) -> bool {
    matches!(
        pattern,
        "^" | "^/"
            | "^/?"
            | "/"
            | "."
            | ".*"
            | "^.*"
            | "^.*$"
            | "(.*)"
            | "^(.*)"
            | "^(.*)$"
            | "^/(.*)"
            | "^/(.*)$"
            | "^/?(.*)$"
            | "^/?(.*)"
            | "/(.*)"
            | "^/.*"
            | "^/.*$"
            | "(.*)$"
    )
}

pub(crate) fn status_action(status: u16) -> Option<Action> {
    match status {
        300..=399 => Some(Action::Redirects),
        400..=599 => Some(Action::Rejects),
        _ => None,
    }
}

/// `Redirect [status] /path [URL]` or `RedirectMatch [status] regex [URL]`.
fn redirect(d: &Directive) -> Option<Action> {
    let (status, rest) = match d.arg(0)?.to_ascii_lowercase().as_str() {
        "permanent" => (301, 1),
        "temp" => (302, 1),
        "seeother" => (303, 1),
        "gone" => (410, 1),
        s if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) => (s.parse().ok()?, 1),
        _ => (302, 0),
    };
    let status = match d.name.as_str() {
        "redirectpermanent" => 301,
        "redirecttemp" => 302,
        _ => status,
    };
    let target = d.arg(rest)?;
    let everything = match d.name.as_str() {
        "redirectmatch" => matches_everything(target),
        _ => target == "/",
    };
    if !everything {
        return None;
    }
    status_action(status)
}

pub(crate) fn rewrite_flags(d: &Directive) -> String {
    d.arg(2)
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_uppercase()
}

pub(crate) fn is_root_location(d: &Directive) -> bool {
    match d.name.as_str() {
        "location" => matches!(d.arg(0), Some("/") | Some("")),
        "locationmatch" => d.arg(0).is_some_and(matches_everything),
        _ => false,
    }
}

pub(crate) fn denies_all(section: &Directive) -> Option<Span> {
    refusal(section, false)
}

/// [`denies_all`], or, where the address `Require` checks is the connection's own
/// (`peers_real`: no mod_remoteip in effect), `Require local` and `Require ip` of loopback
/// addresses: they admit this machine and nobody outside.
pub(crate) fn denies_outsiders(section: &Directive, peers_real: bool) -> Option<Span> {
    refusal(section, peers_real)
}

fn refusal(section: &Directive, local_refuses_others: bool) -> Option<Span> {
    let mut denied = None;
    for c in section.children() {
        if c.is("require") {
            let args: Vec<String> = c
                .args
                .iter()
                .map(|a| a.value.to_ascii_lowercase())
                .collect();
            match args
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice()
            {
                ["all", "denied"] => denied = denied.or(Some(c.span)),
                ["local"] if local_refuses_others => denied = denied.or(Some(c.span)),
                ["ip", addrs @ ..]
                    if local_refuses_others
                        && !addrs.is_empty()
                        && addrs.iter().all(|a| loopback(a)) =>
                {
                    denied = denied.or(Some(c.span))
                }
                // Under the default RequireAny, any other grant opens the section.
                _ => return None,
            }
        }
    }
    denied
}

/// A `Require ip` argument inside loopback: `127.0.0.1`, `127.0.0.0/8`, `127`, `::1`.
fn loopback(arg: &str) -> bool {
    let (addr, mask) = match arg.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (arg, None),
    };
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => {
            // A netmask (`/255.0.0.0`) or a prefix length of at least 8 stays inside 127/8.
            a.is_loopback()
                && mask.is_none_or(|m| {
                    m.parse::<u8>().is_ok_and(|m| m >= 8)
                        || m.parse::<std::net::Ipv4Addr>()
                            .is_ok_and(|m| m.octets()[0] == 255)
                })
        }
        Ok(std::net::IpAddr::V6(a)) => a.is_loopback() && mask.is_none_or(|m| m == "128"),
        // httpd's partial form: `127` or `127.0` is 127.0.0.0/8 and below.
        Err(_) => mask.is_none() && (addr == "127" || addr.starts_with("127.")),
    }
}

/// The `<Location />` whose `Require` lines decide for `/`: the vhost's sections merge after
/// the main server's, and with httpd's default `AuthMerging Off` the last one with
/// authorization replaces the earlier ones.
pub(crate) fn effective_root_location<'t>(
    own: &Scope<'t>,
    main: &Scope<'t>,
) -> Option<&'t Directive> {
    main.sections
        .iter()
        .chain(own.sections.iter())
        .rfind(|s| is_root_location(s) && has_authz(s))
        .copied()
}

/// What the vhost does with the requests its rewrite rules leave undecided.
fn after_rewrite(own: &Scope, main: &Scope, peers_real: bool) -> (Action, Option<Span>) {
    let redirects = own.directives.iter().chain(main.directives.iter());
    for d in redirects {
        if d.name.starts_with("redirect") {
            if let Some(a) = redirect(d) {
                return (a, Some(d.span));
            }
        }
    }
    match effective_root_location(own, main) {
        Some(location) => {
            if let Some(span) = denies_outsiders(location, peers_real) {
                return (Action::Rejects, Some(span));
            }
        }
        None => {
            let root = access::document_root(own, main);
            if let Some(span) = access::denied(&root, own, main, peers_real) {
                return match access::served_elsewhere(&root, own, main, peers_real) {
                    Some(elsewhere) => (Action::Serves, Some(elsewhere)),
                    None => (Action::Rejects, Some(span)),
                };
            }
        }
    }
    let serving = own
        .directives
        .iter()
        .find(|d| d.is("proxypass") && d.arg(0) == Some("/"))
        .map(|d| d.span)
        .or(own.document_root)
        .or(main.document_root);
    (Action::Serves, serving)
}

/// What the vhost does with one kind of request: each action its rules take, and what
/// follows them for the requests they leave; content anywhere makes it serve.
/// `peers_real`: the client's address is the connection's own (no mod_remoteip in effect).
pub fn classify(
    own: &Scope,
    main: &Scope,
    req: &Request,
    peers_real: bool,
) -> (Action, Option<Span>) {
    let rewritten = rewrite(own, req);
    let mut parts: Vec<(Action, Option<Span>)> = rewritten
        .decided
        .into_iter()
        .map(|(a, s)| (a, Some(s)))
        .collect();
    if rewritten.passes {
        parts.push(after_rewrite(own, main, peers_real));
    }
    worst(parts)
}

/// Content anywhere serves; else a redirect anywhere redirects.
fn worst(parts: Vec<(Action, Option<Span>)>) -> (Action, Option<Span>) {
    [Action::Serves, Action::Redirects, Action::Rejects]
        .into_iter()
        .find_map(|a| parts.iter().find(|p| p.0 == a).copied())
        .unwrap_or((Action::Serves, None))
}

/// What a vhost does with requests for its own names and with requests for names nobody
/// configured (which it gets only as the default of an address:port).
pub struct Answers {
    pub named: (Action, Option<Span>),
    pub unknown: (Action, Option<Span>),
}

impl Answers {
    pub fn of(
        own: &Scope,
        main: &Scope,
        names: &[String],
        (tls, port): (bool, Option<u16>),
        peers_real: bool,
    ) -> Self {
        let canonical = own
            .use_canonical_name
            .or(main.use_canonical_name)
            .unwrap_or(false);
        let server_name = own
            .server_name
            .or(main.server_name)
            .map(|a| a.value.as_str());
        let answer = |host: Host| {
            let request = Request {
                host,
                tls,
                port,
                names,
                canonical_name: server_name.filter(|_| canonical),
            };
            classify(own, main, &request, peers_real)
        };
        let unknown = answer(Host::Unknown);
        let named = if names.is_empty() {
            unknown
        } else {
            worst(
                names
                    .iter()
                    .map(|n| answer(Host::Named(&probe_name(n))))
                    .collect(),
            )
        };
        Answers { named, unknown }
    }

    /// The action of a vhost that is, or is not, the default of some address:port, and the
    /// rule that keeps unknown names away from content it serves its own names.
    pub fn for_server(&self, default: bool) -> ((Action, Option<Span>), Option<Span>) {
        if !default {
            return (self.named, None);
        }
        let action = worst(vec![self.named, self.unknown]);
        let guard = (self.named.0 == Action::Serves && self.unknown.0 != Action::Serves)
            .then_some(self.unknown.1)
            .flatten();
        (action, guard)
    }
}

/// A name standing for those a wildcard alias matches.
fn probe_name(name: &str) -> String {
    name.replace('*', "wild").replace('?', "x")
}

/// What a `<Location>`/`<Directory>` does.
pub fn section_action(section: &Directive) -> Action {
    if denies_all(section).is_some() {
        Action::Rejects
    } else {
        Action::Serves
    }
}

pub(crate) fn mentions_verify_success(text: &str) -> bool {
    let t = text.to_ascii_uppercase();
    t.contains("SSL_CLIENT_VERIFY") && t.contains("SUCCESS")
}

pub(crate) fn joined_args(d: &Directive) -> String {
    d.args
        .iter()
        .map(|a| a.value.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A `Require expr`/`SSLRequire` on `SSL_CLIENT_VERIFY == SUCCESS` that every request must
/// pass (a sibling `Require` under the default RequireAny would let others through).
pub(crate) fn requires_verified(section: &Directive, all: bool) -> Option<Span> {
    let mut found = None;
    let mut other_grant = false;
    for c in section.children() {
        match c.name.as_str() {
            "sslrequire" if mentions_verify_success(&joined_args(c)) => {
                found = found.or(Some(c.span))
            }
            "require" => {
                let text = joined_args(c);
                if c.arg(0).is_some_and(|a| a.eq_ignore_ascii_case("expr"))
                    && mentions_verify_success(&text)
                    && !text.contains("!=")
                {
                    found = found.or(Some(c.span));
                } else if !text.eq_ignore_ascii_case("all denied") {
                    other_grant = true;
                }
            }
            "requireall" => {
                if let Some(s) = requires_verified(c, true) {
                    found = found.or(Some(s));
                }
            }
            _ => {}
        }
    }
    if other_grant && !all {
        return None;
    }
    found
}

/// `<If "%{SSL_CLIENT_VERIFY} != 'SUCCESS'"> Require all denied </If>` and the like.
pub(crate) fn if_refuses_unverified(section: &Directive) -> Option<Span> {
    if !section.is("if") {
        return None;
    }
    let cond = joined_args(section);
    if !(mentions_verify_success(&cond) && (cond.contains("!=") || cond.contains("!~"))) {
        return None;
    }
    let refuses = denies_all(section).is_some()
        || section
            .children()
            .iter()
            .any(|c| c.name.starts_with("redirect") && redirect_status_rejects(c));
    refuses.then_some(section.span)
}

fn redirect_status_rejects(d: &Directive) -> bool {
    let s = d.arg(0).unwrap_or("").to_ascii_lowercase();
    s == "gone" || s.parse::<u16>().is_ok_and(|n| (400..600).contains(&n))
}

/// Where the server refuses requests whose client certificate did not verify.
pub fn verify_enforcement(own: &Scope, main: &Scope) -> Option<Span> {
    for s in own.sections.iter().chain(main.sections.iter()) {
        if let Some(span) = if_refuses_unverified(s) {
            return Some(span);
        }
        // mod_ssl appends `SSLRequire`s of merged sections: none is replaced by a later one.
        if is_root_location(s) {
            if let Some(span) = s
                .children()
                .iter()
                .find(|c| c.is("sslrequire") && mentions_verify_success(&joined_args(c)))
            {
                return Some(span.span);
            }
        }
    }
    if let Some(span) = effective_root_location(own, main).and_then(|s| requires_verified(s, false))
    {
        return Some(span);
    }
    if own.rewrite_engine {
        let mut checks_verify = false;
        for d in &own.directives {
            match d.name.as_str() {
                "rewritecond" => {
                    let test = joined_args(d);
                    checks_verify |= mentions_verify_success(&test)
                        && d.arg(1).is_some_and(|p| p.starts_with('!'));
                }
                "rewriterule" => {
                    if checks_verify && rewrite_flags(d).split(',').any(|f| f == "F") {
                        return Some(d.span);
                    }
                    checks_verify = false;
                }
                _ => {}
            }
        }
    }
    None
}
