use aop_model::{ClientVerify, Finding, Label, Server};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS virtual host whose client verification is set only inside
    /// `<Directory>`, `<Location>` or another per-request section, not for the virtual host
    /// itself, when that leaves some path open: the sections do not cover the whole site,
    /// or the refusal they produce (`403`) carries a page of the site
    /// (`ErrorDocument 403 /page`). Whole-site verification in `<Location />` is
    /// `AOP105`'s finding.
    ///
    /// ## Why it matters
    /// mod_ssl can only ask for a certificate after the request has been read, through a
    /// renegotiation. TLS 1.3 has no renegotiation: such requests fail (or, with post-handshake
    /// authentication, depend on the client's goodwill). And every path outside the section
    /// is served to anyone.
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
    ///     <Location /admin>
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
    pub struct ClientVerifyPerDirectory {
        code: "AOP103",
        name: "client-verify-per-directory",
        severity: Error,
        servers: [Apache],
        verdict: Open,
        summary: "client verification only inside <Directory>/<Location>, leaving some path open",
    }
}

fn applies(s: &Server) -> bool {
    s.serves_tls_from_outside().is_some()
        && s.client_verify.value != ClientVerify::On
        && s.per_directory_verify
            .iter()
            .any(|p| p.value != ClientVerify::Off)
}

/// Verification for the whole site, whose refusal hands out a page of the site anyway: to
/// every client that offers neither renegotiation nor post-handshake authentication.
fn refusal_page(cx: &Context, s: &Server, out: &mut Vec<Finding>) {
    let (Some(p), Some(page)) = (s.site_verified_per_directory(), s.refusal_page) else {
        return;
    };
    // With `optional`, the 403 comes from the `Require` check: AOP102's finding.
    if p.value != ClientVerify::On {
        return;
    }
    let document = cx.map.text(page);
    out.push(
        Finding::new(
            ClientVerifyPerDirectory::CODE,
            format!(
                "server `{}` verifies client certificates only inside `{}`, and its refusal is `{}`, a page of the site: clients that cannot answer a certificate request after the handshake get that page",
                s.display_name(),
                cx.map.text(p.section).trim(),
                document.trim()
            ),
            Label::new(p.directive, "verification asked for here, after the handshake"),
        )
        .with_label(Label::new(page, "the 403 refusal carries this page of the site"))
        .with_label(Label::new(s.span, "the virtual host itself does not verify"))
        .with_help(
            "require the certificate for the whole virtual host, at its top level (no 403 is sent then: the handshake fails):
    SSLVerifyClient require
    SSLVerifyDepth 1
or let the refusal carry a text, not a page:
    ErrorDocument 403 \"client certificate required\"",
        )
        .for_server(s.reference()),
    );
}

impl ClientVerifyPerDirectory {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        for s in cx.config.servers.iter().filter(|s| applies(s)) {
            if s.site_verified_per_directory().is_some() {
                refusal_page(cx, s, out);
                continue;
            }
            let Some(first) = s
                .per_directory_verify
                .iter()
                .find(|p| p.value != ClientVerify::Off)
            else {
                continue;
            };
            let section = cx.map.text(first.section);
            let mut f = Finding::new(
                Self::CODE,
                format!(
                    "server `{}` verifies client certificates only inside `{}`: that needs a renegotiation TLS 1.3 clients refuse, and the rest of the site is open",
                    s.display_name(),
                    section.trim()
                ),
                Label::new(first.directive, "verification asked for here, after the handshake"),
            )
            .with_label(Label::new(first.section, "only for requests in this section"))
            .with_label(Label::new(s.span, "the virtual host itself does not verify"))
            .with_help(
                "require the certificate for the whole virtual host, at its top level:\n    SSLVerifyClient require\n    SSLVerifyDepth 1",
            )
            .for_server(s.reference());
            for p in s.per_directory_verify.iter().skip(1) {
                let text = if p.value == ClientVerify::Off {
                    "turned off again here"
                } else {
                    "also only here"
                };
                f = f.with_label(Label::new(p.directive, text));
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ClientVerifyPerDirectory;
    use crate::tester::{apache_tls, Tester, APACHE_VERIFIED_SITE};

    #[test]
    fn vectors() {
        let findings = Tester::new(&ClientVerifyPerDirectory)
            // Only /admin asks for a certificate: every other path is served to anyone.
            .apache_fail(apache_tls(
                "SSLCACertificateFile ca.pem
                DocumentRoot /var/www/shop
                <Location /admin>
                    SSLVerifyClient require
                </Location>",
            ))
            .apache_pass(apache_tls(APACHE_VERIFIED_SITE))
            .run();
        insta::assert_snapshot!(findings);
    }
}
