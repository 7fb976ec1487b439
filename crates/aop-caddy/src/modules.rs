//! Modules a Caddyfile asks for by name: log encoders and DNS providers. The stock Caddy
//! 2.11.7 (`caddy list-modules`) registers the encoders below and no DNS provider at all; a
//! name it does not register makes it refuse the Caddyfile ("module not registered").
//! Encoders Caddy dropped are `AOP001`: no current build has them. Any other name may come
//! from a plugin the build was made with, so it is `AOP004`.

use aop_model::{codes, Finding, Label};

use crate::ast::{Caddyfile, Directive};

/// `caddy.logging.encoders.*` of the stock Caddy 2.11.7.
const LOG_ENCODERS: &[&str] = &["append", "console", "filter", "journald", "json"];
/// Encoders older Caddy releases had among their standard modules and 2.11 has not.
const DROPPED_LOG_ENCODERS: &[&str] = &["single_field", "logfmt"];

pub fn check(caddyfile: &Caddyfile, findings: &mut Vec<Finding>) {
    walk(&caddyfile.global, true, findings);
    for site in &caddyfile.sites {
        walk(&site.body, false, findings);
    }
}

fn walk(directives: &[Directive], global: bool, findings: &mut Vec<Finding>) {
    for d in directives {
        if d.is("log") {
            for format in d.children().iter().filter(|c| c.is("format")) {
                encoder(format, findings);
            }
        } else if d.is("acme_dns") || (global && d.is("dns")) {
            dns_provider(d, findings);
        } else if d.is("tls") || d.is("issuer") || d.is("cert_issuer") {
            for c in d.children() {
                if c.is("dns") {
                    dns_provider(c, findings);
                }
            }
            walk(d.children(), false, findings);
        }
    }
}

/// `format NAME ...`, and the encoder a `filter` or `append` wraps.
fn encoder(format: &Directive, findings: &mut Vec<Finding>) {
    let Some(name) = format.args.first() else {
        return;
    };
    let module = format!("caddy.logging.encoders.{}", name.text);
    if DROPPED_LOG_ENCODERS.contains(&name.text.as_str()) {
        findings.push(
            Finding::new(
                codes::PARSE_ERROR,
                format!(
                    "Caddy refuses to start: module not registered: {module} (Caddy no longer has the `{}` log encoder)",
                    name.text
                ),
                Label::new(name.span, "a log encoder Caddy 2.11 does not have"),
            )
            .with_help("write `format console` or `format json`; a line of chosen fields is the transform-encoder plugin's `format transform \"{common_log}\"`"),
        );
    } else if !LOG_ENCODERS.contains(&name.text.as_str()) {
        findings.push(plugin(format, &module, "log encoder"));
    }
    for wrap in format.children().iter().filter(|c| c.is("wrap")) {
        encoder(wrap, findings);
    }
}

fn dns_provider(d: &Directive, findings: &mut Vec<Finding>) {
    if let Some(name) = d.arg(0) {
        findings.push(plugin(d, &format!("dns.providers.{name}"), "DNS provider"));
    }
}

fn plugin(d: &Directive, module: &str, what: &str) -> Finding {
    Finding::new(
        codes::NOT_CHECKED,
        // The name and the module only: the arguments after them may be an API token.
        format!(
            "`{} {}`: a {what} the stock Caddy does not have (a plugin's), not checked",
            d.name.text,
            d.arg(0).unwrap_or("")
        ),
        Label::new(
            d.args.first().map_or(d.name.span, |a| a.span),
            "needs a plugin",
        ),
    )
    .with_note(format!(
        "Caddy built without the plugin refuses to start: module not registered: {module}"
    ))
}
