use aop_model::{ClientVerify, Finding, Label, Origin, Server, ServerKind};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS server that serves content without requiring a client certificate:
    /// `ssl_verify_client` is `off` or absent (nginx), `SSLVerifyClient none` or absent
    /// (Apache). A server whose TLS listeners are all on loopback or unix sockets is not
    /// reported: neither Cloudflare nor anyone else connects to them. Caddy: also a site whose
    /// `client_auth` has `mode require` (a certificate is required but never verified), and a
    /// site with client authentication under `strict_sni_host insecure_off`.
    ///
    /// ## Why it matters
    /// Authenticated Origin Pulls only protect the origin when the origin refuses clients
    /// without Cloudflare's certificate. Without verification, anyone who finds the origin's
    /// address reaches the site directly, around Cloudflare's firewall, rate limits and cache.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate     certs/shop.pem;
    ///         ssl_certificate_key certs/shop.key;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
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
    ///         ssl_certificate        certs/shop.pem;
    ///         ssl_certificate_key    certs/shop.key;
    ///         ssl_verify_client      on;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    pub struct ClientVerifyMissing {
        code: "AOP101",
        name: "client-verify-missing",
        severity: Error,
        servers: [Nginx, Apache, Caddy],
        verdict: Open,
        summary: "a TLS server that serves content without requiring a client certificate",
    }
}

pub(crate) fn help(kind: ServerKind) -> &'static str {
    match kind {
        ServerKind::Nginx => {
            "require Cloudflare's client certificate in this server:\n    ssl_verify_client on;\n    ssl_client_certificate /etc/ssl/cloudflare/origin-pull-ca.pem;"
        }
        ServerKind::Caddy => {
            "require and verify Cloudflare's client certificate in this site:\n    tls {\n        client_auth {\n            mode require_and_verify\n            trust_pool file /etc/caddy/origin-pull-ca.pem\n        }\n    }"
        }
        ServerKind::Apache => {
            "require Cloudflare's client certificate in this virtual host:\n    SSLVerifyClient require\n    SSLVerifyDepth 1\n    SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem"
        }
    }
}

fn applies(s: &Server) -> bool {
    s.serves_tls_from_outside().is_some()
        && s.client_verify.value == ClientVerify::Off
        // Verification only inside sections is AOP103's finding; a section that turns it
        // off asks for nothing and leaves this server's finding to this rule.
        && s
            .per_directory_verify
            .iter()
            .all(|p| p.value == ClientVerify::Off)
}

impl ClientVerifyMissing {
    fn check(_cx: &Context, out: &mut Vec<Finding>) {
        for s in _cx.config.servers.iter().filter(|s| applies(s)) {
            let listener = s.serves_tls_from_outside().expect("applies() checked");
            let mut f = Finding::new(
                Self::CODE,
                format!(
                    "server `{}` serves over TLS without requiring a client certificate: anyone can reach the origin",
                    s.display_name()
                ),
                Label::new(
                    listener.span,
                    "TLS listener: clients connect here without a certificate",
                ),
            )
            .with_help(help(s.kind))
            .for_server(s.reference());
            match s.client_verify.origin {
                Origin::Own(span) => {
                    f = f.with_label(Label::new(span, "verification turned off here"))
                }
                Origin::Inherited(span) => {
                    f = f.with_label(Label::new(span, "verification turned off here, inherited"))
                }
                Origin::Default => {}
            }
            if let Some(span) = s.action_span {
                f = f.with_label(Label::new(span, "content served here"));
            }
            out.push(f);
        }
        for s in _cx.config.servers.iter().filter(|s| {
            s.serves_tls_from_outside().is_some()
                && s.client_verify.value == ClientVerify::AnyCertificate
        }) {
            out.push(any_certificate(s));
        }
        for s in _cx.config.servers.iter().filter(|s| {
            s.serves_tls_from_outside().is_some()
                && s.client_verify.value != ClientVerify::Off
                && !applies(s)
        }) {
            let Some(bypass) = s.verify_bypass else {
                continue;
            };
            if s.kind == ServerKind::Caddy {
                out.push(strict_sni_off(s, bypass));
                continue;
            }
            let mut f = Finding::new(
                Self::CODE,
                format!(
                    "server `{}` answers a missing or failed client certificate with a page of the site: anyone can reach it",
                    s.display_name()
                ),
                Label::new(
                    bypass,
                    "a client refused for its certificate (495, 496) is sent here instead",
                ),
            )
            .with_help("let the refusal stand: remove 495 and 496 from this error_page, or point them at a static error page outside the site")
            .for_server(s.reference());
            if let Some(span) = s.client_verify.origin.span() {
                f = f.with_label(Label::new(span, "verification required here"));
            }
            out.push(f);
        }
    }
}

/// Caddy's `mode require`: a certificate must be sent, but nothing checks who issued it.
fn any_certificate(s: &Server) -> Finding {
    let span = s.client_verify.origin.span().unwrap_or(s.span);
    Finding::new(
        ClientVerifyMissing::CODE,
        format!(
            "server `{}` requires a client certificate but never verifies it: any certificate, even one made up on the spot, gets in",
            s.display_name()
        ),
        Label::new(span, "`mode require`: a certificate is required, not verified"),
    )
    .with_help("verify the certificate against Cloudflare's CA:\n    client_auth {\n        mode require_and_verify\n        trust_pool file /etc/caddy/origin-pull-ca.pem\n    }")
    .for_server(s.reference())
}

/// Caddy with `strict_sni_host insecure_off`: the TLS handshake is chosen by SNI, the site
/// by `Host`, so a handshake for another name reaches this site without a certificate.
fn strict_sni_off(s: &Server, bypass: aop_source::Span) -> Finding {
    let mut f = Finding::new(
        ClientVerifyMissing::CODE,
        format!(
            "server `{}` requires a client certificate only for clients that name it in their SNI: a handshake for another name, or none, with `Host: {}` gets its content without one",
            s.display_name(),
            s.display_name()
        ),
        Label::new(bypass, "lets the Host header pick a site other than the one the handshake was for"),
    )
    .with_help("remove `strict_sni_host insecure_off`: with client authentication, Caddy then answers such requests with 421")
    .for_server(s.reference());
    if let Some(span) = s.client_verify.origin.span() {
        f = f.with_label(Label::new(span, "verification for this site's SNI only"));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::ClientVerifyMissing;
    use crate::tester::{apache_tls, nginx_tls, Tester, APACHE_VERIFIED_SITE, PROXY};

    #[test]
    fn vectors() {
        let findings = Tester::new(&ClientVerifyMissing)
            .nginx_fail(nginx_tls(PROXY))
            // Turned off at `http {}` and inherited.
            .nginx_fail(
                "http { ssl_verify_client off;
                    server { listen 443 ssl; ssl_certificate c.pem; ssl_certificate_key c.key; } }",
            )
            // Verification that a 495/496 error page turns back into content.
            .nginx_fail(nginx_tls(
                "ssl_verify_client on; ssl_client_certificate ca.pem;
                error_page 495 496 /index.html;",
            ))
            .nginx_pass(nginx_tls(
                "ssl_verify_client on; ssl_client_certificate ca.pem;",
            ))
            // Inherited from `http {}`.
            .nginx_pass(
                "http { ssl_verify_client on; ssl_client_certificate ca.pem;
                    server { listen 443 ssl; ssl_certificate c.pem; ssl_certificate_key c.key; } }",
            )
            // Nobody elsewhere reaches a loopback listener.
            .nginx_pass(
                "http { server { listen 127.0.0.1:443 ssl; ssl_certificate c.pem;
                    ssl_certificate_key c.key; } }",
            )
            // The standard catch-all: no handshake, nothing served.
            .nginx_pass(
                "http { server { listen 443 ssl default_server; ssl_reject_handshake on; } }",
            )
            .apache_fail(apache_tls("DocumentRoot /var/www/shop"))
            .apache_pass(apache_tls(APACHE_VERIFIED_SITE))
            .run();
        insta::assert_snapshot!(findings);
    }
}
