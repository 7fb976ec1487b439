//! The `tls` directive's `client_auth` block: the mode and the CAs clients are verified
//! against. Without `mode`, Caddy verifies against the trust given (`require_and_verify`);
//! a block with neither turns client authentication off.

use std::path::Path;

use aop_model::{
    codes, CaRef, CaRefKind, ClientVerify, Finding, Label, LoadOptions, Origin, Setting,
};
use aop_source::{SourceMap, Span};

use crate::ast::Directive;

pub struct ClientAuth {
    pub verify: Setting<ClientVerify>,
    pub ca: Vec<CaRef>,
}

impl Default for ClientAuth {
    fn default() -> Self {
        ClientAuth {
            verify: Setting::default_value(ClientVerify::Off),
            ca: Vec::new(),
        }
    }
}

/// Reads every `client_auth` in a site's `tls` directives.
pub fn client_auth(
    body: &[Directive],
    map: &SourceMap,
    opts: &LoadOptions,
    findings: &mut Vec<Finding>,
) -> ClientAuth {
    let mut out = ClientAuth::default();
    for tls in body.iter().filter(|d| d.is("tls")) {
        for block in tls.children().iter().filter(|d| d.is("client_auth")) {
            // Caddy opens relative paths from its working directory, which the Caddyfile
            // does not say; the Caddyfile's own directory is taken (docs/caddy.md).
            let dir = map
                .file(block.name.span.file)
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            read_block(block, &dir, opts, findings, &mut out);
        }
    }
    out
}

fn read_block(
    block: &Directive,
    dir: &Path,
    opts: &LoadOptions,
    findings: &mut Vec<Finding>,
    out: &mut ClientAuth,
) {
    let mut mode: Option<(ClientVerify, Span)> = None;
    let mut trusted = false;
    let mut named: Vec<(CaRefKind, &str, Span)> = Vec::new();
    for d in block.children() {
        match d.name.text.as_str() {
            "mode" => match d.arg(0).and_then(mode_of) {
                Some(v) => mode = Some((v, d.span())),
                None => findings.push(not_checked(d, "an unknown client authentication mode")),
            },
            "trusted_ca_cert_file" => {
                trusted = true;
                for a in &d.args {
                    named.push((CaRefKind::CaddyTrustedCaCertFile, &a.text, d.span()));
                }
            }
            "trust_pool" if d.arg(0) == Some("file") => {
                trusted = true;
                for a in &d.args[1..] {
                    named.push((CaRefKind::CaddyTrustPoolFile, &a.text, d.span()));
                }
                for p in d.children().iter().filter(|p| p.is("pem_file")) {
                    for a in &p.args {
                        named.push((CaRefKind::CaddyTrustPoolFile, &a.text, p.span()));
                    }
                }
            }
            "trust_pool" if d.arg(0) == Some("system") => {
                trusted = true;
                findings.push(
                    not_checked(d, "the system's store of public roots").with_note(
                        "every public certificate authority is trusted for client certificates: a certificate any of them issued passes",
                    ),
                );
            }
            "trust_pool" | "trusted_ca_cert" | "trusted_leaf_cert" | "trusted_leaf_cert_file" => {
                trusted = true;
                findings.push(not_checked(d, "a trust source other than PEM files"));
            }
            _ => findings.push(not_checked(d, "a client_auth setting not read by aop-lint")),
        }
    }
    add_ca_files(named, dir, "the Caddyfile", opts, findings, &mut out.ca);
    out.verify = verify_setting(mode, trusted, block.name.span);
}

/// The CA files a client_auth names, each resolved from `dir`; a relative one that is not
/// there is not checked (see [`relative_not_found`]).
pub(crate) fn add_ca_files(
    named: Vec<(CaRefKind, &str, Span)>,
    dir: &Path,
    config: &str,
    opts: &LoadOptions,
    findings: &mut Vec<Finding>,
    out: &mut Vec<CaRef>,
) {
    for (kind, path, span) in named {
        let resolved = opts
            .resolve(dir, Path::new(path))
            .unwrap_or_else(|_| dir.join(path));
        if Path::new(path).is_relative() && !resolved.exists() {
            findings.push(relative_not_found(path, span, config));
            continue;
        }
        out.push(CaRef {
            kind,
            path: path.to_string(),
            resolved,
            span,
            inherited: false,
            inline: None,
        });
    }
}

/// Without a mode, Caddy verifies against the trust given (`require_and_verify`), and
/// asks for no certificate when none is given.
pub(crate) fn verify_setting(
    mode: Option<(ClientVerify, Span)>,
    trusted: bool,
    block: Span,
) -> Setting<ClientVerify> {
    match (mode, trusted) {
        (Some((v, span)), _) => Setting {
            value: v,
            origin: Origin::Own(span),
        },
        (None, true) => Setting {
            value: ClientVerify::On,
            origin: Origin::Own(block),
        },
        (None, false) => Setting {
            value: ClientVerify::Off,
            origin: Origin::Own(block),
        },
    }
}

/// Caddy opens a relative path from its working directory, which the Caddyfile does not
/// give (`/` under systemd, `/srv` in the official image, the shell's directory for
/// `caddy run`): not found beside the Caddyfile, it may well be there.
fn relative_not_found(path: &str, span: Span, config: &str) -> Finding {
    Finding::new(
        codes::NOT_CHECKED,
        format!("`{path}` is relative and not beside {config}: Caddy opens it from its working directory, which {config} does not say; the CA was not checked"),
        Label::new(span, "relative to Caddy's working directory"),
    )
    .with_help(format!(
        "name it by its absolute path, which does not depend on where Caddy is started (e.g. `/etc/caddy/{}`)",
        Path::new(path).file_name().map_or(path.into(), |n| n.to_string_lossy())
    ))
}

pub(crate) fn mode_of(text: &str) -> Option<ClientVerify> {
    Some(match text {
        "request" => ClientVerify::OptionalNoCa,
        "require" => ClientVerify::AnyCertificate,
        "verify_if_given" => ClientVerify::Optional,
        "require_and_verify" => ClientVerify::On,
        _ => return None,
    })
}

fn not_checked(d: &Directive, what: &str) -> Finding {
    Finding::new(
        codes::NOT_CHECKED,
        format!("`{}`: {what}, not checked", d.name.text),
        Label::new(d.span(), "not checked"),
    )
}
