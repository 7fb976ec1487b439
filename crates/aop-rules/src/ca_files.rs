//! The CA files and directories that client verification depends on, each read and judged
//! once however many servers name it; the AOP3xx rules each report their part of the verdict.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use aop_model::{CaRef, CaRefKind, ClientVerify, Finding, Label, RuleId, Server, Text};
use aop_pki::{
    analyze, parse_ca_bytes, read_ca_source_below, Analysis, AnalysisOptions, CaContent, Problem,
};
use aop_source::Span;

use crate::Context;

/// One directive naming a CA source, the servers that verify with it, and the verdict.
pub(crate) struct CaUse<'a> {
    pub ca: &'a CaRef,
    pub servers: Vec<&'a Server>,
    /// Shared by every use of the same source.
    pub analysis: Arc<Analysis>,
    /// What the source holds, as a finding's note; shared by the uses that write the same
    /// path for the same file.
    note: Text,
}

/// "`certs/ca.pem` (read as /etc/nginx/certs/ca.pem) holds 1 certificate: ...".
fn note(ca: &CaRef, analysis: &Analysis) -> Text {
    let (path, summary) = (&ca.path, &analysis.summary);
    if ca.resolved.as_os_str() != path.as_str() {
        let resolved = ca.resolved.display();
        format!("`{path}` (read as {resolved}) holds {summary}").into()
    } else {
        format!("`{path}` holds {summary}").into()
    }
}

/// A CA source matters when a TLS server verifies clients with it, for the whole server or
/// inside a `<Directory>`/`<Location>` (Apache). `ssl_trusted_certificate` without client
/// verification serves OCSP stapling, which is no concern here.
fn verifies(s: &Server) -> bool {
    s.tls()
        && (s.client_verify.value != ClientVerify::Off
            || s.per_directory_verify
                .iter()
                .any(|d| d.value != ClientVerify::Off))
}

fn ca_uses<'c, 'a>(cx: &'c Context<'a>) -> &'c [CaUse<'a>] {
    cx.ca_uses.get_or_init(|| {
        let options = AnalysisOptions {
            trusted_sha256: &cx.ca.trusted_sha256,
            now: cx.ca.now,
            expiry_warn_days: cx.ca.expiry_warn_days,
        };
        let mut verdicts: HashMap<(&'a Path, bool), Arc<Analysis>> = HashMap::new();
        let mut uses: Vec<CaUse<'a>> = Vec::new();
        // Thousands of servers may name one inherited directive: find its use by the
        // directive's span (cheap to hash), then by path among the few uses of that span.
        let mut index: HashMap<Span, Vec<usize>> = HashMap::new();
        // The source of the last new use: thousands of servers each with their own directive
        // usually name one file, found again without hashing its path.
        let mut last: Option<(&'a Path, bool, Arc<Analysis>)> = None;
        let config: &'a aop_model::Config = cx.config;
        for server in config.servers.iter().filter(|s| verifies(s)) {
            for ca in &server.ca {
                let resolved = ca.resolved.as_path();
                let same_span = index.entry(ca.span).or_default();
                if let Some(&i) = same_span.iter().find(|&&i| uses[i].ca.resolved == resolved) {
                    uses[i].servers.push(server);
                    continue;
                }
                same_span.push(uses.len());
                let is_dir = ca.kind == CaRefKind::ApachePath;
                let analysis = match (&ca.inline, &last) {
                    (Some(pem), _) => Arc::new(analyze(&inline_content(pem, resolved), &options)),
                    (None, Some((path, dir, a))) if *path == resolved && *dir == is_dir => {
                        a.clone()
                    }
                    _ => verdicts
                        .entry((resolved, is_dir))
                        .or_insert_with(|| {
                            let content = read_ca_source_below(
                                cx.ca.root.as_deref(),
                                resolved,
                                is_dir,
                                cx.ca.max_file_bytes,
                            );
                            Arc::new(analyze(&content, &options))
                        })
                        .clone(),
                };
                last = Some((resolved, is_dir, analysis.clone()));
                let note = match uses.last() {
                    Some(prev)
                        if prev.ca.path == ca.path
                            && prev.ca.resolved == ca.resolved
                            && Arc::ptr_eq(&prev.analysis, &analysis) =>
                    {
                        prev.note.clone()
                    }
                    _ => note(ca, &analysis),
                };
                uses.push(CaUse {
                    ca,
                    servers: vec![server],
                    analysis,
                    note,
                });
            }
        }
        uses
    })
}

/// Certificates the configuration holds itself, read as a CA file of that content would be.
fn inline_content(pem: &str, label: &Path) -> CaContent {
    let (certs, issues, error) = match parse_ca_bytes(pem.as_bytes(), label) {
        Ok((certs, issues)) => (certs, issues, None),
        Err(e) => (Vec::new(), Vec::new(), Some(e)),
    };
    CaContent {
        path: label.to_path_buf(),
        is_dir: false,
        certs,
        error,
        issues,
    }
}

/// Whether `server` verifies clients and trusts only CAs the user declared: then another
/// Cloudflare account's requests fail verification, whatever hostname they carry.
pub(crate) fn verifies_with_own_ca_only(cx: &Context, server: &Server) -> bool {
    if server.client_verify.value != ClientVerify::On || server.ca.is_empty() {
        return false;
    }
    let mut uses = ca_uses(cx)
        .iter()
        .filter(|u| u.servers.iter().any(|s| std::ptr::eq(*s, server)))
        .peekable();
    uses.peek().is_some()
        && uses.all(|u| {
            !u.analysis.problems.iter().any(|p| {
                matches!(
                    p,
                    Problem::Unreadable { .. }
                        | Problem::BadCertificates { .. }
                        | Problem::Untrusted { .. }
                        | Problem::OriginCaConfusion { .. }
                        | Problem::SharedCloudflare { .. }
                        | Problem::Superseded { .. }
                )
            })
        })
}

/// Every problem of every CA source, with the directive it concerns.
/// What the file trusts matters only where a chain is verified against it: with nginx's
/// `optional_no_ca` any certificate passes (AOP102 says so), and only loading the file
/// (AOP301) is at stake.
pub(crate) fn ca_problems<'c, 'a>(
    cx: &'c Context<'a>,
) -> impl Iterator<Item = (&'c CaUse<'a>, &'c Problem)> {
    ca_uses(cx).iter().flat_map(|u| {
        let chain = u.servers.iter().any(|s| s.checks_client_chains());
        u.analysis
            .problems
            .iter()
            .filter(move |p| chain || p.code() == "AOP301")
            .map(move |p| (u, p))
    })
}

impl CaUse<'_> {
    /// A finding on the directive, with what the file holds as its note and, when one server
    /// inherits the directive, that server as a second label.
    pub fn finding(&self, code: RuleId, message: impl Into<Text>, label: &'static str) -> Finding {
        let mut f = Finding::new(code, message, Label::new(self.ca.span, label));
        if let [server] = self.servers.as_slice() {
            if self.ca.inherited {
                f = f.with_label(Label::new(server.span, "verifies clients with it"));
            }
            f = f.for_server(server.reference());
        }
        let nothing_read = self
            .analysis
            .problems
            .iter()
            .any(|p| matches!(p, Problem::Unreadable { .. }));
        if nothing_read {
            return f;
        }
        f.with_note(self.note.clone())
    }
}

/// "A, B, C and 4 more".
pub(crate) fn name_list(names: &[String], total: usize) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match total.saturating_sub(names.len()) {
        0 => quoted.join(", "),
        more => format!("{} and {more} more", quoted.join(", ")),
    }
}

/// Where Cloudflare publishes the origin-pull CA, for help texts.
pub(crate) const CLOUDFLARE_AOP_CA_URL: &str =
    "https://developers.cloudflare.com/ssl/static/authenticated_origin_pull_ca.pem";

/// The directive to paste, in the server's own syntax.
pub(crate) fn directive_line(ca: &CaRef, path: &str) -> String {
    match ca.kind {
        CaRefKind::ApacheFile | CaRefKind::ApachePath => format!("SSLCACertificateFile {path}"),
        CaRefKind::NginxClientCertificate | CaRefKind::NginxTrustedCertificate => {
            format!("ssl_client_certificate {path};")
        }
        CaRefKind::CaddyTrustPoolFile
        | CaRefKind::CaddyTrustedCaCertFile
        | CaRefKind::CaddyInlineCerts => format!("trust_pool file {path}"),
    }
}
