use aop_model::{ClientVerify, Finding, Label, Server};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS virtual host that requires a client certificate for every path, but
    /// through a per-directory section (`<Location />`) instead of at its own top level:
    /// `SSLVerifyClient require` there, or `optional` with a `Require` check.
    ///
    /// ## Why it matters
    /// The site is not open: a request without a certificate is refused. But mod_ssl asks
    /// for the certificate only after it has read the request, through a renegotiation
    /// (TLS 1.2) or post-handshake authentication (TLS 1.3). Many clients offer neither, and
    /// they are refused even with a good certificate (`403`, `AH10158: cannot perform
    /// post-handshake authentication`): Cloudflare's origin pulls may fail that way. Asked
    /// for during the handshake, the certificate needs neither.
    ///
    /// ## Example
    /// ```apache
    /// <VirtualHost *:443>
    ///     ServerName shop.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/shop.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/shop.example.com.key
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     DocumentRoot /var/www/shop
    ///     <Location />
    ///         SSLVerifyClient require
    ///     </Location>
    /// </VirtualHost>
    /// ```
    ///
    /// ## Use instead
    /// ```apache
    /// <VirtualHost *:443>
    ///     ServerName shop.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/shop.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/shop.example.com.key
    ///     SSLVerifyClient require
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     DocumentRoot /var/www/shop
    /// </VirtualHost>
    /// ```
    pub struct ClientVerifyRenegotiation {
        code: "AOP105",
        name: "client-verify-renegotiation",
        severity: Warning,
        servers: [Apache],
        verdict: None,
        summary: "client verification for the whole site, but per directory: asked for after the handshake",
    }
}

/// Verification covering the whole site from a section, with nothing that turns the
/// refusal into content (AOP103's finding for `require`, AOP102's for `optional` and its
/// `Require` check, which a later section may also replace).
fn applies(s: &Server) -> bool {
    s.serves_tls_from_outside().is_some()
        && s.client_verify.value != ClientVerify::On
        && s.refusal_page.is_none()
        && s.site_verified_per_directory()
            .is_some_and(|p| p.value == ClientVerify::On || s.regrants.is_empty())
}

impl ClientVerifyRenegotiation {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        for s in cx.config.servers.iter().filter(|s| applies(s)) {
            let Some(p) = s.site_verified_per_directory() else {
                continue;
            };
            let section = cx.map.text(p.section);
            out.push(
                Finding::new(
                    Self::CODE,
                    format!(
                        "server `{}` requires client certificates only per directory, in `{}`: each request asks for one after the handshake, and clients that cannot answer are refused (Cloudflare's pulls may fail)",
                        s.display_name(),
                        section.trim()
                    ),
                    Label::new(
                        p.directive,
                        "asked for after the request is read (renegotiation or post-handshake authentication)",
                    ),
                )
                .with_label(Label::new(p.section, "covers every path of the site"))
                .with_label(Label::new(s.span, "the virtual host itself does not verify"))
                .with_help(
                    "ask for the certificate during the handshake: move the verification to the virtual host's top level (and remove it from the section):\n    SSLVerifyClient require\n    SSLVerifyDepth 1",
                )
                .with_note("clients that offer neither renegotiation nor post-handshake authentication are refused even with a valid certificate (403, AH10158)")
                .for_server(s.reference()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ClientVerifyRenegotiation;
    use crate::tester::{apache_tls, Tester, APACHE_VERIFIED_SITE};

    #[test]
    fn vectors() {
        let findings = Tester::new(&ClientVerifyRenegotiation)
            .apache_fail(apache_tls(
                "SSLCACertificateFile ca.pem
                DocumentRoot /var/www/shop
                <Location />
                    SSLVerifyClient require
                </Location>",
            ))
            .apache_pass(apache_tls(APACHE_VERIFIED_SITE))
            .run();
        insta::assert_snapshot!(findings);
    }
}
