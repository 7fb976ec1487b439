//! What a site does with a request. Conservative: a site serves content when any directive
//! in it can hand out content, whatever path or matcher it applies to; it only redirects or
//! refuses when no directive can. A request no handler takes gets Caddy's empty `200`.

use aop_model::{codes, Action, Finding, Label};
use aop_source::Span;

use crate::ast::Directive;

/// Directives that hand out content.
const CONTENT: &[&str] = &[
    "reverse_proxy",
    "file_server",
    "php_fastcgi",
    "metrics",
    "acme_server",
    "copy_response",
];

/// Directives that only shape a request or response, or configure the site: no content of
/// their own.
const NO_CONTENT: &[&str] = &[
    "tls",
    "bind",
    "header",
    "encode",
    "log",
    "root",
    "uri",
    "rewrite",
    "request_header",
    "basicauth",
    "basic_auth",
    "forward_auth",
    "try_files",
    "vars",
    "map",
    "skip_log",
    "log_skip",
    "request_body",
    "push",
    "tracing",
    "method",
    "intercept",
    "fs",
    "log_append",
    "log_name",
    "templates",
    "copy_response_headers",
];

/// Directives whose block holds more directives, run for some requests.
const NESTING: &[&str] = &["handle", "handle_path", "route", "handle_errors"];

/// The first place of each kind of answer a site has: content wins over redirects, and
/// redirects over refusals.
#[derive(Default)]
pub(crate) struct Seen {
    pub content: Option<Span>,
    pub redirect: Option<Span>,
    pub refusal: Option<Span>,
}

impl Seen {
    pub fn saw(&mut self, action: Action, span: Span) {
        let slot = match action {
            Action::Serves => &mut self.content,
            Action::Redirects => &mut self.redirect,
            Action::Rejects => &mut self.refusal,
        };
        slot.get_or_insert(span);
    }

    pub fn verdict(self) -> (Action, Option<Span>) {
        match self {
            Seen {
                content: Some(s), ..
            } => (Action::Serves, Some(s)),
            Seen {
                redirect: Some(s), ..
            } => (Action::Redirects, Some(s)),
            Seen { refusal, .. } => (Action::Rejects, refusal),
        }
    }
}

pub fn site_action(body: &[Directive], findings: &mut Vec<Finding>) -> (Action, Option<Span>) {
    let mut seen = Seen::default();
    walk(body, &mut seen, findings);
    seen.verdict()
}

fn walk(body: &[Directive], seen: &mut Seen, findings: &mut Vec<Finding>) {
    for d in body {
        let name = d.name.text.as_str();
        if name.starts_with('@') || NO_CONTENT.contains(&name) {
            continue;
        }
        if NESTING.contains(&name) {
            walk(d.children(), seen, findings);
            continue;
        }
        let action = match name {
            _ if CONTENT.contains(&name) => Action::Serves,
            "redir" => Action::Redirects,
            "abort" | "error" => Action::Rejects,
            "respond" => respond(d),
            _ => {
                findings.push(
                    Finding::new(
                        codes::NOT_CHECKED,
                        format!("`{name}` is not a directive aop-lint knows (a plugin's?): taken as serving content"),
                        Label::new(d.span(), "not checked"),
                    )
                    .with_note("Caddy without the plugin that provides it refuses to start: unrecognized directive"),
                );
                Action::Serves
            }
        };
        seen.saw(action, d.span());
    }
}

/// What a response of `status` with `body` is: a 3xx redirects, a 2xx with a body (not a
/// 204) is content, anything else (an empty 200 included) hands out nothing.
pub(crate) fn response(body: &str, status: u16) -> Action {
    match status {
        300..=399 => Action::Redirects,
        200..=299 if !body.is_empty() && status != 204 => Action::Serves,
        _ => Action::Rejects,
    }
}

fn is_matcher(text: &str) -> bool {
    text.starts_with('/') || text.starts_with('@') || text == "*"
}

/// `respond [matcher] [body] [status]`, or a `body` in its block.
fn respond(d: &Directive) -> Action {
    let args: Vec<&str> = d
        .args
        .iter()
        .map(|a| a.text.as_str())
        .skip_while(|a| is_matcher(a))
        .collect();
    let status_like = |s: &str| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit());
    let (mut body, status) = match args.as_slice() {
        [] => ("", 200),
        [one] if status_like(one) => ("", one.parse().unwrap_or(200)),
        [one] => (*one, 200),
        [body, status, ..] => (*body, status.parse().unwrap_or(200)),
    };
    if let Some(b) = d.children().iter().find(|c| c.is("body")) {
        body = b.arg(0).unwrap_or("");
    }
    response(body, status)
}
