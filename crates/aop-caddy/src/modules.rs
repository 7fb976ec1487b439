//! Modules a Caddyfile asks for by name: log encoders and DNS providers. The stock Caddy
//! 2.11.7 (`caddy list-modules`) registers the encoders below and no DNS provider at all; a
//! name it does not register makes it refuse the Caddyfile ("module not registered").
//! Encoders Caddy dropped are `AOP001`: no current build has them. Any other name may come
//! from a plugin the build was made with, so it is `AOP004`, unless the build is named
//! (`--build`): Debian's, RHEL's and the upstream release are all the stock Caddy, which
//! refuses it (`AOP001`).

use aop_model::{codes, Build, Finding, Label};
use aop_source::Span;

use crate::ast::{Caddyfile, Directive};

/// `caddy.logging.encoders.*` of the stock Caddy 2.11.7.
const LOG_ENCODERS: &[&str] = &["append", "console", "filter", "journald", "json"];
/// Encoders older Caddy releases had among their standard modules and 2.11 has not.
const DROPPED_LOG_ENCODERS: &[&str] = &["single_field", "logfmt"];

pub fn check(caddyfile: &Caddyfile, build: Option<Build>, findings: &mut Vec<Finding>) {
    let mut found = Vec::new();
    walk(&caddyfile.global, true, &mut found);
    for site in &caddyfile.sites {
        walk(&site.body, false, &mut found);
    }
    // Every packaged Caddy is the stock one: a module only a plugin has stops it.
    under_build(&mut found, build);
    findings.append(&mut found);
}

/// Under a named build, the plugins' modules among `found` are refusals.
pub(crate) fn under_build(found: &mut [Finding], build: Option<Build>) {
    if let Some(build) = build {
        for f in found
            .iter_mut()
            .filter(|f| f.code == codes::NOT_CHECKED.code)
        {
            refused_by_stock(f, build);
        }
    }
}

/// A plugin's module under a named build: the stock Caddy refuses to start on it.
fn refused_by_stock(f: &mut Finding, build: Build) {
    let module = f.note.take().unwrap_or_default();
    let module = module
        .rsplit("module not registered: ")
        .next()
        .unwrap_or_default()
        .to_string();
    let id = codes::PARSE_ERROR;
    f.code = id.code;
    f.name = id.name;
    f.severity = id.severity;
    f.message = format!(
        "Caddy refuses to start: module not registered: {module} ({}: the stock Caddy, without plugins)",
        build.describe()
    )
    .into();
    f.primary.text = "a plugin's module, not in the stock Caddy".into();
    f.help = Some("build Caddy with the plugin (`xcaddy build --with ...`) and lint without `--build`, or remove the directive".into());
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
    let written = format!("{} {}", format.name.text, name.text);
    log_encoder(&name.text, &written, name.span, findings);
    for wrap in format.children().iter().filter(|c| c.is("wrap")) {
        encoder(wrap, findings);
    }
}

/// A log encoder by its name: one Caddy dropped is a refusal, one it never had a plugin's.
pub(crate) fn log_encoder(name: &str, written: &str, span: Span, findings: &mut Vec<Finding>) {
    let module = format!("caddy.logging.encoders.{name}");
    if DROPPED_LOG_ENCODERS.contains(&name) {
        findings.push(
            Finding::new(
                codes::PARSE_ERROR,
                format!(
                    "Caddy refuses to start: module not registered: {module} (Caddy no longer has the `{name}` log encoder)"
                ),
                Label::new(span, "a log encoder Caddy 2.11 does not have"),
            )
            .with_help("write `format console` or `format json`; a line of chosen fields is the transform-encoder plugin's `format transform \"{common_log}\"`"),
        );
    } else if !LOG_ENCODERS.contains(&name) {
        findings.push(plugin(written, span, &module, "log encoder"));
    }
}

fn dns_provider(d: &Directive, findings: &mut Vec<Finding>) {
    if let Some(name) = d.args.first() {
        let written = format!("{} {}", d.name.text, name.text);
        findings.push(plugin(
            &written,
            name.span,
            &format!("dns.providers.{}", name.text),
            "DNS provider",
        ));
    }
}

/// A module only a plugin provides; `written` names it as the user did, without what follows
/// (the arguments after a DNS provider's name may be an API token).
pub(crate) fn plugin(written: &str, span: Span, module: &str, what: &str) -> Finding {
    Finding::new(
        codes::NOT_CHECKED,
        format!("`{written}`: a {what} the stock Caddy does not have (a plugin's), not checked"),
        Label::new(span, "needs a plugin"),
    )
    .with_note(format!(
        "Caddy built without the plugin refuses to start: module not registered: {module}"
    ))
}
