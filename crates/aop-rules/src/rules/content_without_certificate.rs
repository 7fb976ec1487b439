use aop_model::{Finding, Label, Scenario};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a server that the request simulation shows giving its content to a client
    /// from outside without a trusted client certificate, by a path none of the more specific
    /// rules (AOP101, AOP102, AOP103, AOP202) names. The finding names the request, the
    /// address:port it arrives on, and the server that answered; `aop-lint servers
    /// --scenarios` prints every request and its answer.
    ///
    /// Caddy's sites are judged by the rules alone for now: no Caddy fixture shows a path
    /// they miss.
    ///
    /// Paths found so far (each measured on the real servers): nginx routes a request by
    /// `Host` after the handshake, so a client that completes the handshake of a server that
    /// verifies (nginx asks for the certificate but completes the handshake without one) and
    /// sends a `Host` no server names reaches the catch-all; an `ssl_reject_handshake on`
    /// catch-all with a `root` of its own and no verification then serves it. And Apache
    /// decides TLS for a connection by the default virtual host of its
    /// address:port, so a virtual host without `SSLEngine` on a port whose first virtual host
    /// has it is served over TLS: a client that names it in its SNI makes the handshake with
    /// the first virtual host's settings (which here ask for a certificate without requiring
    /// one) and is served by it, with no client verification of its own.
    ///
    /// ## Why it matters
    /// The simulation follows the server's own order (address:port, handshake, verification,
    /// virtual host, action). Whatever the configuration's shape, a request from outside that
    /// gets content without Cloudflare's certificate is a way around Authenticated Origin
    /// Pulls.
    ///
    /// ## Example
    /// ```apache
    /// Listen 443
    /// <VirtualHost *:443>
    ///     ServerName catch-all.invalid
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/shop.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/shop.key
    ///     SSLVerifyClient optional
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     <Location />
    ///         Require all denied
    ///     </Location>
    /// </VirtualHost>
    /// <VirtualHost *:443>
    ///     ServerName blog.example.com
    ///     DocumentRoot /var/www/blog
    /// </VirtualHost>
    /// ```
    ///
    /// ## Use instead
    /// ```apache
    /// Listen 443
    /// <VirtualHost *:443>
    ///     ServerName catch-all.invalid
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/shop.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/shop.key
    ///     SSLVerifyClient optional
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     <Location />
    ///         Require all denied
    ///     </Location>
    /// </VirtualHost>
    /// <VirtualHost *:443>
    ///     ServerName blog.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/blog.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/blog.key
    ///     SSLVerifyClient require
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     DocumentRoot /var/www/blog
    /// </VirtualHost>
    /// ```
    pub struct ContentWithoutCertificate {
        code: "AOP107",
        name: "content-without-certificate",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: Open,
        summary: "the request simulation gives content to a client without a trusted certificate",
    }
}

impl ContentWithoutCertificate {
    /// Raised by the simulation (crate::simulated) once every other rule has spoken.
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}

/// The finding for server `i`, which the simulated `row` reached.
pub(crate) fn finding(cx: &Context, i: usize, row: &Scenario) -> Finding {
    let s = &cx.config.servers[i];
    let ap = &cx.config.address_ports[row.address_port];
    let listener = s
        .listeners
        .iter()
        .find(|l| l.addr == ap.addr && l.port == ap.port)
        .map_or(s.span, |l| l.span);
    let over = if ap.tls {
        "over TLS"
    } else {
        "over plain HTTP"
    };
    let mut f = Finding::new(
        ContentWithoutCertificate::CODE,
        format!(
            "server `{}` gives its content {over} on {} to a request without a trusted client certificate ({})",
            s.display_name(),
            ap.address_port(),
            row.describe(ap)
        ),
        Label::new(listener, "the request arrives here"),
    )
    .with_help(crate::rules::client_verify_missing::help(s.kind))
    .for_server(s.reference());
    if let Some(span) = s.client_verify.origin.span() {
        f = f.with_label(Label::new(span, "the verification in force"));
    }
    if let Some(span) = s.action_span {
        f = f.with_label(Label::new(span, "content served here"));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::ContentWithoutCertificate;
    use crate::tester::{apache_tls, Tester, APACHE_VERIFIED_SITE};

    /// A first virtual host that asks for a certificate without requiring one, and serves
    /// nothing of its own.
    const ASKING_DEFAULT: &str = "Listen 443\n<VirtualHost *:443>\nServerName catch-all.invalid\nSSLEngine on\nSSLCertificateFile c.pem\nSSLCertificateKeyFile c.key\nSSLVerifyClient optional\nSSLCACertificateFile ca.pem\n<Location />\nRequire all denied\n</Location>\n</VirtualHost>\n";

    #[test]
    fn vectors() {
        let findings = Tester::new(&ContentWithoutCertificate)
            // A second virtual host without TLS of its own, on the default's TLS port.
            .apache_fail(format!(
                "LoadModule ssl_module m.so\n{ASKING_DEFAULT}<VirtualHost *:443>\nServerName blog.example.com\nDocumentRoot /var/www/blog\n</VirtualHost>\n"
            ))
            .apache_pass(format!(
                "LoadModule ssl_module m.so\n{ASKING_DEFAULT}<VirtualHost *:443>\nServerName blog.example.com\nSSLEngine on\nSSLCertificateFile c.pem\nSSLCertificateKeyFile c.key\nSSLVerifyClient require\nSSLCACertificateFile ca.pem\nDocumentRoot /var/www/blog\n</VirtualHost>\n"
            ))
            // A cause another rule names is that rule's finding (AOP101), not this one's.
            .apache_pass(apache_tls("DocumentRoot /var/www/shop"))
            .apache_pass(apache_tls(APACHE_VERIFIED_SITE))
            .run();
        insta::assert_snapshot!(findings);
    }
}
