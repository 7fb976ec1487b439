use aop_model::{
    handshake_admits, Finding, Label, Origin, Server, Severity, Version, VersionRange,
};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports, for nginx versions with CVE-2025-23419 (1.11.4 up to 1.26.2, and 1.27.0 to
    /// 1.27.3), a server that requires a client certificate from its CA while another server
    /// of its TLS address:port completes handshakes verifying client certificates against a
    /// CA it does not name, and the default server of that address:port resumes TLS sessions:
    /// session tickets (on unless `ssl_session_tickets off`) or a session cache
    /// (`ssl_session_cache builtin` or `shared:`). The default server counts even when it
    /// refuses handshakes (`ssl_reject_handshake on`): its settings resume every session made
    /// on the address:port.
    ///
    /// The version is `--nginx-version` or `nginx_version` in `aop-lint.toml`. Without it the
    /// server is assumed affected and the finding is a warning that says so; with a fixed
    /// version (1.26.3 and later 1.26, 1.27.4 and later) nothing is reported.
    /// Distributions backport fixes: Debian 12's 1.22.1 refused these resumptions when
    /// measured (a session made without SNI still resumed there, which
    /// `handshake-crosses-client-ca` reports on every version).
    ///
    /// ## Why it matters
    /// A client with a certificate from the other server's CA makes a full TLS 1.3 handshake
    /// there, then resumes that session with the SNI and `Host` of the protected server. The
    /// resumed session keeps the first verification's result, so the protected server serves
    /// it without ever seeing a certificate from its own CA (measured on nginx 1.26.2; 1.30.4
    /// makes a full handshake and refuses with `400`).
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl default_server;
    ///         ssl_reject_handshake on;
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name partner.example.com;
    ///         ssl_certificate     certs/partner.example.com.pem;
    ///         ssl_certificate_key certs/partner.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8081; }
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate     certs/shop.example.com.pem;
    ///         ssl_certificate_key certs/shop.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/shop-zone-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl default_server;
    ///         ssl_reject_handshake on;
    ///         ssl_session_tickets off;
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name partner.example.com;
    ///         ssl_certificate     certs/partner.example.com.pem;
    ///         ssl_certificate_key certs/partner.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8081; }
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate     certs/shop.example.com.pem;
    ///         ssl_certificate_key certs/shop.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/shop-zone-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    /// or upgrade to nginx 1.26.3, 1.27.4 or later.
    pub struct SessionResumptionCrossesClientCa {
        code: "AOP204",
        name: "session-resumption-crosses-client-ca",
        severity: Error,
        servers: [Nginx],
        verdict: None,
        summary: "CVE-2025-23419: a TLS session verified by one server resumes in another that trusts another CA",
    }
}

/// nginx releases with CVE-2025-23419.
const AFFECTED: [VersionRange; 2] = [
    VersionRange::new(Version::new(1, 11, 4), Version::new(1, 26, 3)),
    VersionRange::new(Version::new(1, 27, 0), Version::new(1, 27, 4)),
];

fn affected(v: Version) -> bool {
    AFFECTED.iter().any(|r| r.contains(v))
}

/// What makes the default server resume sessions, for a label.
fn resumption_label(default: &Server) -> Label {
    if let Some(span) = default.session_cache {
        return Label::new(span, "a session cache: sessions resume by id");
    }
    match default.session_tickets.origin {
        Origin::Own(span) | Origin::Inherited(span) => {
            Label::new(span, "session tickets on: sessions resume from tickets")
        }
        Origin::Default => Label::new(
            default.span,
            "the default server: its session tickets (on by default) resume every session on this address:port",
        ),
    }
}

impl SessionResumptionCrossesClientCa {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        let version = cx.versions.nginx;
        if version.is_some_and(|v| !affected(v)) {
            return;
        }
        let config = cx.config;
        for ap in config.tls_address_ports_from_outside() {
            let default = &config.servers[ap.default];
            if !default.resumes_sessions() {
                continue;
            }
            let address_port = ap.address_port();
            for &t in &ap.servers {
                let target = &config.servers[t];
                // The default server's own handshakes cross over on every version:
                // handshake-crosses-client-ca reports those.
                let Some(&h) = ap.servers.iter().find(|&&h| {
                    h != t && h != ap.default && handshake_admits(&config.servers[h], target)
                }) else {
                    continue;
                };
                let other = &config.servers[h];
                let mut f = Finding::new(
                    Self::CODE,
                    format!(
                        "server `{}` requires a client certificate, but a TLS session verified by `{}` against another CA on {address_port} resumes here (CVE-2025-23419)",
                        target.display_name(),
                        other.display_name()
                    ),
                    Label::new(
                        target.client_verify.origin.span().unwrap_or(target.span),
                        "not checked again when a session resumes",
                    ),
                )
                .with_label(Label::new(other.span, "verifies against a CA the protected server does not name"))
                .with_label(resumption_label(default))
                .with_help(format!(
                    "upgrade to nginx 1.26.3, 1.27.4 or later; until then turn session resumption off in the default server of {address_port}:\n    ssl_session_tickets off;\nand give it no `ssl_session_cache builtin` or `shared:` (turning them off in the protected server alone does not help)"
                ))
                .for_server(target.reference());
                f = match version {
                    Some(v) => f.with_note(format!("nginx {v} is affected: fixed in 1.26.3 and 1.27.4")),
                    None => f.severity(Severity::Warning).with_note("no nginx version given (--nginx-version, or nginx_version in aop-lint.toml): assumed affected; nginx 1.26.3 and 1.27.4 fixed it"),
                };
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::affected;
    use aop_model::Version;

    #[test]
    fn affected_releases_are_those_before_each_fix() {
        for v in ["1.22.1", "1.26.2", "1.27.0", "1.27.3", "1.11.4"] {
            assert!(affected(Version::parse(v).unwrap()), "{v}");
        }
        for v in ["1.26.3", "1.27.4", "1.28.0", "1.30.4", "1.11.3"] {
            assert!(!affected(Version::parse(v).unwrap()), "{v}");
        }
    }
}
