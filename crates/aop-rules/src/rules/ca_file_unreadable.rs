use aop_model::{CaRefKind, Finding, ServerKind, Severity};
use aop_pki::{CaError, Problem};

use crate::ca_files::{ca_problems, directive_line, CaUse, CLOUDFLARE_AOP_CA_URL};
use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reads every CA file (`ssl_client_certificate`, `ssl_trusted_certificate`,
    /// `SSLCACertificateFile`) and CA directory (`SSLCACertificatePath`) a verifying server
    /// names, and reports those that give it nothing to trust: missing, unreadable, empty,
    /// binary DER where PEM is expected, PEM without a certificate, a certificate block that
    /// does not decode, or a directory whose entries are not named by subject hash.
    ///
    /// ## Why it matters
    /// nginx and Apache refuse to start on a CA file they cannot load, so the change that
    /// broke it takes the site down at the next reload. A hashed directory OpenSSL cannot
    /// find certificates in lets the server start and then refuses every client certificate,
    /// Cloudflare's included.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate     certs/shop.example.com.pem;
    ///         ssl_certificate_key certs/shop.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/origin-pull-ca.der;
    ///     }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate     certs/shop.example.com.pem;
    ///         ssl_certificate_key certs/shop.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/origin-pull-ca.pem;
    ///     }
    /// }
    /// ```
    pub struct CaFileUnreadable {
        code: "AOP301",
        name: "ca-file-unreadable",
        severity: Error,
        servers: [Nginx, Apache, Caddy],
        verdict: None,
        summary: "a CA file or directory that is missing, unreadable, not PEM or holds no certificate",
    }
}

fn server_name(u: &CaUse) -> &'static str {
    match u.servers.first().map(|s| s.kind) {
        Some(ServerKind::Apache) => "Apache",
        Some(ServerKind::Caddy) => "Caddy",
        _ => "nginx",
    }
}

/// What happens at start-up, and how to fix it.
fn unreadable(u: &CaUse, error: &CaError) -> (Severity, String, String) {
    let dir = u.ca.kind == CaRefKind::ApachePath;
    let path = &u.ca.path;
    let refuses = format!("{} refuses to start", server_name(u));
    let pem_help = format!(
        "put the CA in PEM form there; for Cloudflare's shared origin-pull CA:\n    curl -o {path} {CLOUDFLARE_AOP_CA_URL}"
    );
    match error {
        CaError::PermissionDenied => (
            Severity::Warning,
            format!("`{path}` could not be read here (permission denied): its certificates were not checked"),
            "run aop-lint with the rights the server starts with (usually root)".to_string(),
        ),
        CaError::NotFound => (
            Severity::Error,
            format!("`{path}` does not exist: {refuses}"),
            format!(
                "check the path: relative paths are read from {}, and `--root DIR` reads absolute paths below DIR",
                match u.ca.kind {
                    CaRefKind::ApacheFile | CaRefKind::ApachePath => "ServerRoot (by default the directory of apache2.conf, or the parent of conf/ for conf/httpd.conf)",
                    CaRefKind::CaddyTrustPoolFile | CaRefKind::CaddyTrustedCaCertFile | CaRefKind::CaddyInlineCerts => "the directory of the Caddyfile or JSON config (Caddy itself opens them from its working directory: prefer an absolute path)",
                    _ => "the directory of the main configuration",
                }
            ),
        ),
        CaError::Der { .. } => (
            Severity::Error,
            format!("`{path}` {error}: {refuses}"),
            format!("convert it to PEM:\n    openssl x509 -inform der -in {path} -out {path}.new && mv {path}.new {path}"),
        ),
        CaError::NoHashedEntries { .. } | CaError::NoUsableHashedEntry { .. } => (
            Severity::Error,
            format!("`{path}` {error}: every client certificate fails verification, Cloudflare's included"),
            rehash(path),
        ),
        CaError::IsDirectory if !dir => (
            Severity::Error,
            format!("`{path}` {error}: {refuses}"),
            format!("name a PEM file here; a directory of hashed certificates goes in SSLCACertificatePath\n    {}", directive_line(u.ca, "/etc/ssl/cloudflare/origin-pull-ca.pem")),
        ),
        CaError::TooLarge { .. } => (
            Severity::Warning,
            format!("`{path}` {error}: its certificates were not checked"),
            "a CA file for client verification holds a handful of certificates: check that the directive names the right file".to_string(),
        ),
        _ => (
            Severity::Error,
            format!("`{path}` {error}: {refuses}"),
            pem_help,
        ),
    }
}

fn rehash(path: &str) -> String {
    format!("name each certificate by its subject hash:\n    openssl rehash {path}")
}

fn list<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    items.iter().map(show).collect::<Vec<_>>().join("; ")
}

impl CaFileUnreadable {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        for (u, p) in ca_problems(cx) {
            let path = &u.ca.path;
            let (severity, message, label, help) = match p {
                Problem::Unreadable { error } => {
                    let (sev, msg, help) = unreadable(u, error);
                    (sev, msg, "nothing to trust here", help)
                }
                Problem::BadCertificates { in_file, certs } => {
                    let what = list(certs, |(file, index, reason)| {
                        if *in_file {
                            format!("certificate #{index}: {reason}")
                        } else {
                            format!("{}: {reason}", file.display())
                        }
                    });
                    let consequence = if *in_file {
                        format!("OpenSSL gives up on the whole file at a malformed block: {} refuses to start", server_name(u))
                    } else {
                        "those certificates are never trusted".to_string()
                    };
                    (
                        p.severity(),
                        format!("`{path}` holds certificates that do not decode ({what}): {consequence}"),
                        "names a file with a broken certificate",
                        "replace the broken block with the CA certificate in PEM form".to_string(),
                    )
                }
                Problem::UnusableEntries { entries } => (
                    p.severity(),
                    format!(
                        "hashed entries of `{path}` give no certificate ({}): clients whose CA is looked up there fail verification",
                        list(entries, |(name, e)| format!("`{name}` {e}"))
                    ),
                    "names a directory with broken entries",
                    rehash(path),
                ),
                Problem::MisnamedEntries { entries } => (
                    p.severity(),
                    format!(
                        "entries of `{path}` are named after the wrong subject hash ({}): OpenSSL never opens them for those CAs",
                        list(entries, |(name, subject, hash)| match hash {
                            Some(h) => format!("`{name}` holds `{subject}`, whose hash is {h:08x}"),
                            None => format!("`{name}` holds `{subject}`, whose name OpenSSL cannot hash"),
                        })
                    ),
                    "names a directory with misnamed entries",
                    rehash(path),
                ),
                Problem::UnhashedCertificates { entries } => (
                    p.severity(),
                    format!(
                        "`{path}` holds CA certificates under names OpenSSL never opens ({}): they are not trusted",
                        list(entries, |(name, subjects)| format!("`{name}`: {}", subjects.join(", ")))
                    ),
                    "names a directory with certificates that are not hashed",
                    rehash(path),
                ),
                Problem::PrivateKey { label, .. } => (
                    p.severity(),
                    format!("`{path}` also holds a private key ({label}): the server ignores it here, but a CA file is not where a key belongs"),
                    "names a file holding a private key",
                    "remove the key block from the CA file and keep the key readable by the server alone".to_string(),
                ),
                _ => continue,
            };
            out.push(
                u.finding(Self::CODE, message, label)
                    .severity(severity)
                    .with_help(help),
            );
        }
    }
}
