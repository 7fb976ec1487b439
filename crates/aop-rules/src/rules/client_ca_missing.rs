use aop_model::{CaRefKind, Finding, Label, Server, ServerKind, Severity, Version};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS server that turns client verification on (`on` or `optional`) without
    /// naming the CA to verify against: no `ssl_client_certificate` or
    /// `ssl_trusted_certificate` (nginx), no `SSLCACertificateFile` or `SSLCACertificatePath`
    /// (Apache).
    ///
    /// nginx before 1.27.2 also refuses `ssl_trusted_certificate` alone (measured: 1.22.1 and
    /// 1.26.2 do not start, 1.30.4 starts and verifies against it without sending CA names).
    /// That case depends on the version (`--nginx-version`, or `nginx_version` in
    /// `aop-lint.toml`): an error for an older version, nothing for 1.27.2 and later, and a
    /// warning saying so when no version is given.
    ///
    /// ## Why it matters
    /// nginx refuses to start with this configuration; Apache falls back to whatever CA
    /// settings it inherits or fails every handshake. Either way the lock is not the one
    /// intended: the CA file is what decides who may connect.
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
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///     }
    /// }
    /// ```
    pub struct ClientCaMissing {
        code: "AOP104",
        name: "client-ca-missing",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: None,
        summary: "client verification on, but no CA file or path to verify against",
    }
}

/// nginx verifies against `ssl_trusted_certificate` alone from this release on.
const TRUSTED_ALONE_FROM: Version = Version::new(1, 27, 2);

/// nginx: `ssl_trusted_certificate` without `ssl_client_certificate`.
fn trusted_certificate_only(s: &Server) -> bool {
    s.kind == ServerKind::Nginx
        && s.ca
            .iter()
            .all(|c| c.kind == CaRefKind::NginxTrustedCertificate)
}

fn trusted_only_finding(cx: &Context, s: &Server) -> Option<Finding> {
    let version = cx.versions.nginx;
    if version.is_some_and(|v| v >= TRUSTED_ALONE_FROM) {
        return None;
    }
    let span = s.client_verify.origin.span().unwrap_or(s.span);
    let mut f = Finding::new(
        ClientCaMissing::CODE,
        format!(
            "server `{}` verifies client certificates against `ssl_trusted_certificate` alone, which nginx before 1.27.2 refuses",
            s.display_name()
        ),
        Label::new(span, "verification turned on here, with no ssl_client_certificate"),
    )
    .with_label(Label::new(s.ca[0].span, "nginx 1.27.2 and later verify against this alone"))
    .with_help(format!(
        "name the CA as ssl_client_certificate (it is then also sent to clients as the acceptable CA):\n    ssl_client_certificate {};",
        s.ca[0].path
    ))
    .for_server(s.reference());
    f = match version {
        Some(v) => f.with_note(format!("nginx {v} refuses to start: \"no ssl_client_certificate for ssl_verify_client\"")),
        None => f.severity(Severity::Warning).with_note("no nginx version given (--nginx-version, or nginx_version in aop-lint.toml): nginx before 1.27.2 refuses to start (\"no ssl_client_certificate for ssl_verify_client\"); 1.27.2 and later start and verify"),
    };
    Some(f)
}

impl ClientCaMissing {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        for s in &cx.config.servers {
            if !s.tls() || !s.client_verify.value.checks_chain() {
                continue;
            }
            if !s.ca.is_empty() {
                if trusted_certificate_only(s) {
                    out.extend(trusted_only_finding(cx, s));
                }
                continue;
            }
            let span = s.client_verify.origin.span().unwrap_or(s.span);
            let (help, note) = match s.kind {
                ServerKind::Nginx => (
                    "name the CA that signs Cloudflare's client certificate:\n    ssl_client_certificate /etc/ssl/cloudflare/origin-pull-ca.pem;",
                    "nginx refuses to start: \"no ssl_client_certificate or ssl_trusted_certificate for ssl_verify_client\"",
                ),
                ServerKind::Apache => (
                    "name the CA that signs Cloudflare's client certificate:\n    SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem",
                    "without a CA, mod_ssl cannot verify any client certificate",
                ),
                ServerKind::Caddy => (
                    "name the CA that signs Cloudflare's client certificate:\n    tls {\n        client_auth {\n            mode require_and_verify\n            trust_pool file /etc/caddy/origin-pull-ca.pem\n        }\n    }",
                    "without a trust pool, Caddy cannot verify any client certificate",
                ),
            };
            out.push(
                Finding::new(
                    Self::CODE,
                    format!(
                        "server `{}` verifies client certificates against no CA",
                        s.display_name()
                    ),
                    Label::new(span, "verification turned on here, with no CA named"),
                )
                .with_label(Label::new(s.span, "in this server"))
                .with_help(help)
                .with_note(note)
                .for_server(s.reference()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ClientCaMissing;
    use crate::tester::{apache_tls, nginx_tls, Tester, APACHE_VERIFIED_SITE, PROXY};

    #[test]
    fn vectors() {
        let findings = Tester::new(&ClientCaMissing)
            .nginx_fail(nginx_tls(&format!("ssl_verify_client on; {PROXY}")))
            .nginx_fail(nginx_tls(&format!("ssl_verify_client optional; {PROXY}")))
            .nginx_pass(nginx_tls(&format!(
                "ssl_verify_client on; ssl_client_certificate ca.pem; {PROXY}"
            )))
            // Enough from nginx 1.27.2 on; with no version given, the older answer (a
            // warning) is taken.
            .nginx_fail(nginx_tls(&format!(
                "ssl_verify_client on; ssl_trusted_certificate ca.pem; {PROXY}"
            )))
            // `optional_no_ca` verifies nothing against a CA.
            .nginx_pass(nginx_tls(&format!(
                "ssl_verify_client optional_no_ca; {PROXY}"
            )))
            .apache_fail(apache_tls(
                "SSLVerifyClient require\n DocumentRoot /var/www/shop",
            ))
            .apache_pass(apache_tls(APACHE_VERIFIED_SITE))
            .run();
        insta::assert_snapshot!(findings);
    }
}
