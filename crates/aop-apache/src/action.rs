//! What a virtual host does with a request for `/`: mod_rewrite runs first (server-level
//! rules), then mod_alias's `Redirect`, then authorization in `<Location />`, else the
//! `<Directory>` authorization of the `DocumentRoot` (httpd always has one); anything not
//! stopped there is served.

use aop_model::Action;
use aop_source::Span;

use crate::access::{self, has_authz};
use crate::ast::Directive;
use crate::scope::Scope;

/// Patterns that match every request path.
fn matches_everything(pattern: &str) -> bool {
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

fn status_action(status: u16) -> Option<Action> {
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

/// Conditions that hold for every request reaching the vhost, or that only look at which
/// name or scheme was asked for (a vhost answers only its own names anyway).
fn neutral_condition(d: &Directive) -> bool {
    let test = d.arg(0).unwrap_or("").to_ascii_uppercase();
    [
        "%{HTTPS}",
        "%{SERVER_NAME}",
        "%{HTTP_HOST}",
        "%{SERVER_PORT}",
        "%{REQUEST_SCHEME}",
    ]
    .iter()
    .any(|v| test.contains(v))
}

fn rewrite_flags(d: &Directive) -> String {
    d.arg(2)
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_uppercase()
}

fn rewrite_rule(d: &Directive) -> Option<Action> {
    if !matches_everything(d.arg(0)?) {
        return None;
    }
    let target = d.arg(1)?;
    let flags = rewrite_flags(d);
    let flags: Vec<&str> = flags.split(',').map(str::trim).collect();
    for f in &flags {
        if *f == "F" || *f == "FORBIDDEN" || *f == "G" || *f == "GONE" {
            return Some(Action::Rejects);
        }
        if let Some(code) = f.strip_prefix("R=").or_else(|| f.strip_prefix("REDIRECT=")) {
            return match code {
                "PERMANENT" => Some(Action::Redirects),
                "TEMP" | "SEEOTHER" => Some(Action::Redirects),
                n => status_action(n.parse().ok()?),
            };
        }
        if *f == "R" || *f == "REDIRECT" {
            return Some(Action::Redirects);
        }
    }
    if target.starts_with("https://") || target.starts_with("http://") {
        // An absolute URL to another host is a redirect even without `R`.
        return Some(Action::Redirects);
    }
    None
}

/// The first server-level rewrite rule that decides for every request.
fn rewrite_decision(own: &Scope) -> Option<(Action, Span)> {
    if !own.rewrite_engine {
        return None;
    }
    let mut conditional = false;
    for d in &own.directives {
        match d.name.as_str() {
            "rewritecond" => conditional |= !neutral_condition(d),
            "rewriterule" => {
                if !conditional {
                    if let Some(a) = rewrite_rule(d) {
                        return Some((a, d.span));
                    }
                }
                conditional = false;
            }
            _ => {}
        }
    }
    None
}

pub(crate) fn is_root_location(d: &Directive) -> bool {
    match d.name.as_str() {
        "location" => matches!(d.arg(0), Some("/") | Some("")),
        "locationmatch" => d.arg(0).is_some_and(matches_everything),
        _ => false,
    }
}

pub(crate) fn denies_all(section: &Directive) -> Option<Span> {
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
                // Under the default RequireAny, any other grant opens the section.
                _ => return None,
            }
        }
    }
    denied
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

pub fn classify(own: &Scope, main: &Scope) -> (Action, Option<Span>) {
    if let Some(d) = rewrite_decision(own) {
        return (d.0, Some(d.1));
    }
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
            if let Some(span) = denies_all(location) {
                return (Action::Rejects, Some(span));
            }
        }
        None => {
            let root = access::document_root(own, main);
            if let Some(span) = access::denied(&root, own, main) {
                return match access::served_elsewhere(&root, own, main) {
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
