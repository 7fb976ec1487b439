use aop_model::{Action, ClientVerify, Finding, Label, Server};

use crate::{declare_rule, Context, Meta, Rule};

declare_rule! {
    /// ## What it does
    /// Reports a TLS virtual host whose client verification is set only inside
    /// `<Directory>`, `<Location>` or another per-request section, not for the virtual host
    /// itself.
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
        summary: "client verification only inside <Directory>/<Location>: renegotiation, rest of the site open",
    }
}

fn applies(s: &Server) -> bool {
    s.tls()
        && s.action == Action::Serves
        && s.client_verify.value != ClientVerify::On
        && s.per_directory_verify
            .iter()
            .any(|p| p.value != ClientVerify::Off)
}

impl Rule for ClientVerifyPerDirectory {
    fn meta(&self) -> &'static Meta {
        &Self::META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for s in cx.config.servers.iter().filter(|s| applies(s)) {
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
                f = f.with_label(Label::new(p.directive, "also only here"));
            }
            out.push(f);
        }
    }
}
