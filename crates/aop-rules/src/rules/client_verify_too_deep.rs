use aop_model::{DirectiveName, Finding, Label, Origin, Server, ServerKind};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS server that verifies client certificates with a verification depth
    /// above 1: `ssl_verify_depth` (nginx) or `SSLVerifyDepth` (Apache) set to 2 or more,
    /// in the server or inherited from `http {}` or the main server. 1 is both servers'
    /// default. A depth that is not a number is left to nginx and httpd, which refuse it.
    ///
    /// ## Why it matters
    /// Cloudflare's origin-pull certificate is issued by the origin-pull CA itself, with no
    /// intermediate CA between them, so depth 1 accepts it. Each level above lets clients
    /// present certificates issued by intermediate CAs below a trusted CA: certificates
    /// Cloudflare never sends, which the origin then accepts as Cloudflare's. With httpd, 1
    /// means "issued by a CA of `SSLCACertificateFile` itself"; nginx counts through
    /// OpenSSL, where 1 already admits one intermediate CA and each level one more.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate        certs/shop.pem;
    ///         ssl_certificate_key    certs/shop.key;
    ///         ssl_verify_client      on;
    ///         ssl_verify_depth       3;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    ///
    /// ```apache
    /// <VirtualHost *:443>
    ///     ServerName shop.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/shop.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/shop.example.com.key
    ///     SSLVerifyClient require
    ///     SSLVerifyDepth 10
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     DocumentRoot /var/www/shop
    /// </VirtualHost>
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
    ///         ssl_verify_depth       1;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    ///
    /// ```apache
    /// <VirtualHost *:443>
    ///     ServerName shop.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/shop.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/shop.example.com.key
    ///     SSLVerifyClient require
    ///     SSLVerifyDepth 1
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     DocumentRoot /var/www/shop
    /// </VirtualHost>
    /// ```
    pub struct ClientVerifyTooDeep {
        code: "AOP106",
        name: "client-verify-too-deep",
        severity: Warning,
        servers: [Nginx, Apache],
        verdict: None,
        reads: [DEPTH],
        summary: "client certificates verified through intermediate CAs Cloudflare does not use",
    }
}

const DEPTH: DirectiveName = DirectiveName {
    nginx: "ssl_verify_depth",
    apache: "SSLVerifyDepth",
};

/// What Cloudflare's chain needs, and both servers' default.
const ENOUGH: u64 = 1;

/// A server that serves over TLS and checks client chains, for the whole server or in a
/// section: `optional_no_ca` accepts any chain, so its depth decides nothing.
fn verifies(s: &Server) -> bool {
    s.serves_tls_from_outside().is_some() && s.checks_client_chains()
}

fn help(kind: ServerKind) -> &'static str {
    match kind {
        ServerKind::Nginx => "remove it, or set nginx's default:\n    ssl_verify_depth 1;",
        ServerKind::Apache => "remove it, or set httpd's default:\n    SSLVerifyDepth 1",
        // Caddy has no depth setting; its directives are never read for this rule.
        ServerKind::Caddy => "remove it",
    }
}

impl ClientVerifyTooDeep {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        for s in cx.config.servers.iter().filter(|s| verifies(s)) {
            let Some(depth) = s.directive(DEPTH) else {
                continue;
            };
            let Some(value) = depth.value.arg(0).and_then(|v| v.parse::<u64>().ok()) else {
                continue;
            };
            if value <= ENOUGH {
                continue;
            }
            let directive = match s.kind {
                ServerKind::Nginx => DEPTH.nginx,
                ServerKind::Apache | ServerKind::Caddy => DEPTH.apache,
            };
            let where_ = match depth.origin {
                Origin::Inherited(_) => "inherited: ",
                _ => "",
            };
            let mut f = Finding::new(
                Self::CODE,
                format!(
                    "server `{}` verifies client certificates {value} levels deep (`{directive} {value}`): certificates issued through intermediate CAs are accepted, and Cloudflare's is issued by its CA directly (depth 1)",
                    s.display_name(),
                ),
                Label::new(
                    depth.value.span,
                    format!("{where_}accepts chains deeper than Cloudflare's"),
                ),
            )
            .with_help(help(s.kind))
            .for_server(s.reference());
            if let Some(span) = s.client_verify.origin.span() {
                f = f.with_label(Label::new(span, "client certificates verified here"));
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ClientVerifyTooDeep;
    use crate::tester::{apache_tls, nginx_tls, Tester, APACHE_VERIFIED_SITE, PROXY};

    const VERIFIED: &str = "ssl_verify_client on; ssl_client_certificate ca.pem;";

    #[test]
    fn vectors() {
        let findings = Tester::new(&ClientVerifyTooDeep)
            .nginx_fail(nginx_tls(&format!(
                "{VERIFIED} ssl_verify_depth 3; {PROXY}"
            )))
            // Inherited from `http {}`, with `optional` and a check.
            .nginx_fail(
                "http { ssl_verify_depth 2;
                    server { listen 443 ssl; ssl_certificate c.pem; ssl_certificate_key c.key;
                        ssl_verify_client optional; ssl_client_certificate ca.pem;
                        if ($ssl_client_verify != SUCCESS) { return 403; } } }",
            )
            .nginx_pass(nginx_tls(&format!(
                "{VERIFIED} ssl_verify_depth 1; {PROXY}"
            )))
            .nginx_pass(nginx_tls(&format!("{VERIFIED} {PROXY}")))
            // The server's own value replaces the inherited one.
            .nginx_pass(
                "http { ssl_verify_depth 5;
                    server { listen 443 ssl; ssl_certificate c.pem; ssl_certificate_key c.key;
                        ssl_verify_client on; ssl_client_certificate ca.pem;
                        ssl_verify_depth 1; } }",
            )
            // Nothing verified, nothing to be deep about (AOP101's finding).
            .nginx_pass(nginx_tls(&format!("ssl_verify_depth 9; {PROXY}")))
            // `optional_no_ca` accepts any chain.
            .nginx_pass(nginx_tls(&format!(
                "ssl_verify_client optional_no_ca; ssl_verify_depth 4; {PROXY}"
            )))
            .apache_fail(apache_tls(&format!(
                "{APACHE_VERIFIED_SITE}\n SSLVerifyDepth 10"
            )))
            // Inherited from the main server.
            .apache_fail(format!(
                "SSLVerifyDepth 2\n{}",
                apache_tls(APACHE_VERIFIED_SITE)
            ))
            .apache_pass(apache_tls(&format!(
                "{APACHE_VERIFIED_SITE}\n SSLVerifyDepth 1"
            )))
            .apache_pass(apache_tls(APACHE_VERIFIED_SITE))
            .run();
        insta::assert_snapshot!(findings);
    }
}
