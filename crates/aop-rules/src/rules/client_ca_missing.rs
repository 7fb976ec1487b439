use aop_model::{ClientVerify, Finding, Label, ServerKind};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS server that turns client verification on (`on` or `optional`) without
    /// naming the CA to verify against: no `ssl_client_certificate` or
    /// `ssl_trusted_certificate` (nginx), no `SSLCACertificateFile` or `SSLCACertificatePath`
    /// (Apache).
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

impl ClientCaMissing {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        for s in &cx.config.servers {
            let verifying = matches!(
                s.client_verify.value,
                ClientVerify::On | ClientVerify::Optional
            );
            if !s.tls() || !verifying || !s.ca.is_empty() {
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
            .nginx_pass(nginx_tls(&format!(
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
