//! What a route's handlers answer, as `action.rs` decides it for a Caddyfile site: content
//! when any handler can hand some out, else a redirect, else a refusal. The Caddyfile's
//! `respond`, `redir` and `abort` are all `static_response` here.

use aop_model::{codes, Action, Finding, Label};
use aop_source::{FileId, Span};

use crate::action::response;
use crate::json::value::{Kind, Value};
use crate::modules::plugin;

/// Handlers that hand out content.
const CONTENT: &[&str] = &[
    "reverse_proxy",
    "file_server",
    "metrics",
    "acme_server",
    "copy_response",
];

/// Handlers that shape a request or response, or pass it on: no content of their own.
const NO_CONTENT: &[&str] = &[
    "headers",
    "encode",
    "vars",
    "rewrite",
    "request_body",
    "authentication",
    "map",
    "push",
    "tracing",
    "intercept",
    "log_append",
    "copy_response_headers",
    "templates",
    "log_skip",
    "log_name",
];

pub struct Walk<'a> {
    pub file: FileId,
    pub findings: &'a mut Vec<Finding>,
    /// Handlers only a plugin has: refusals under a named build.
    pub plugins: &'a mut Vec<Finding>,
}

impl Walk<'_> {
    fn span(&self, v: &Value) -> Span {
        Span::new(self.file, v.start, v.end)
    }

    /// Every answer the routes' handlers can give, in order.
    pub fn routes(&mut self, routes: &[Value], out: &mut Vec<(Action, Span)>) {
        for r in routes {
            self.handlers(r.get("handle").map_or(&[][..], Value::items), out);
        }
    }

    pub fn handlers(&mut self, handlers: &[Value], out: &mut Vec<(Action, Span)>) {
        for h in handlers {
            let Some(name_value) = h.get("handler") else {
                self.findings.push(
                    Finding::new(
                        codes::PARSE_ERROR,
                        "Caddy refuses to start: module name not specified with key 'handler'",
                        Label::new(self.span(h), "a handler without `\"handler\"`"),
                    )
                    .with_help("name the handler module: `\"handler\": \"reverse_proxy\"`, `\"static_response\"`, `\"subroute\"`, ..."),
                );
                continue;
            };
            let span = self.span(name_value);
            let name = name_value.str().unwrap_or_default();
            let action = match name {
                "subroute" => {
                    self.routes(h.get("routes").map_or(&[][..], Value::items), out);
                    if let Some(errors) = h.get("errors").and_then(|e| e.get("routes")) {
                        self.routes(errors.items(), out);
                    }
                    continue;
                }
                "static_response" => static_response(h),
                "error" => Action::Rejects,
                "invoke" => {
                    self.findings.push(Finding::new(
                        codes::NOT_CHECKED,
                        "`invoke` runs a named route, which is not read: what it answers was not checked",
                        Label::new(span, "named route"),
                    ));
                    continue;
                }
                _ if CONTENT.contains(&name) => Action::Serves,
                _ if NO_CONTENT.contains(&name) => continue,
                _ => {
                    // Taken as serving content: whatever it answers, it may be the site.
                    self.plugins.push(plugin(
                        &format!("\"handler\": \"{name}\""),
                        span,
                        &format!("http.handlers.{name}"),
                        "handler",
                    ));
                    Action::Serves
                }
            };
            out.push((action, span));
        }
    }
}

/// `static_response`: `abort` closes the connection; otherwise its status and body say.
fn static_response(h: &Value) -> Action {
    if h.get("abort").is_some_and(Value::is_true) {
        return Action::Rejects;
    }
    let status = match h.get("status_code").map(|v| &v.kind) {
        Some(Kind::Number(n)) => n.parse().unwrap_or(200),
        Some(Kind::String(s)) => s.parse().unwrap_or(200),
        _ => 200,
    };
    let body = h.get("body").and_then(Value::str).unwrap_or("");
    response(body, status)
}
