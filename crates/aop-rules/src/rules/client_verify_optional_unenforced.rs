use aop_model::{Action, ClientVerify, Finding, Label, Origin, Server, ServerKind};

use crate::{declare_rule, Context, Meta, Rule};

declare_rule! {
    /// ## What it does
    /// Reports a TLS virtual host that asks for a client certificate without requiring one
    /// (`SSLVerifyClient optional` or `optional_no_ca`) and never refuses the requests whose
    /// certificate did not verify: no `Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'` or
    /// `SSLRequire` covering `/`.
    ///
    /// ## Why it matters
    /// `optional` lets every client finish the handshake, with or without a certificate. Unless
    /// the configuration then turns the unverified ones away, the site is as open as with no
    /// verification at all. `optional_no_ca` does not even check who signed the certificate:
    /// any self-made certificate passes.
    ///
    /// ## Example
    /// ```apache
    /// <VirtualHost *:443>
    ///     ServerName shop.example.com
    ///     SSLEngine on
    ///     SSLVerifyClient optional
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     DocumentRoot /var/www/shop
    /// </VirtualHost>
    /// ```
    ///
    /// ## Use instead
    /// ```apache
    /// <VirtualHost *:443>
    ///     ServerName shop.example.com
    ///     SSLEngine on
    ///     SSLVerifyClient optional
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     DocumentRoot /var/www/shop
    ///     <Location />
    ///         Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'
    ///     </Location>
    /// </VirtualHost>
    /// ```
    pub struct ClientVerifyOptionalUnenforced {
        code: "AOP102",
        name: "client-verify-optional-unenforced",
        severity: Error,
        servers: [Apache],
        summary: "optional client verification that never refuses an unverified client",
    }
}

fn applies(s: &Server) -> bool {
    s.tls()
        && s.action == Action::Serves
        && s.reject_handshake.is_none()
        && matches!(
            s.client_verify.value,
            ClientVerify::Optional | ClientVerify::OptionalNoCa
        )
        && s.verify_enforced.is_none()
}

fn help(kind: ServerKind) -> &'static str {
    match kind {
        ServerKind::Nginx => {
            "require the certificate, or refuse unverified clients in this server:\n    ssl_verify_client on;\nor\n    if ($ssl_client_verify != SUCCESS) { return 403; }"
        }
        ServerKind::Apache => {
            "require the certificate, or refuse unverified clients for the whole site:\n    SSLVerifyClient require\nor\n    <Location />\n        Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'\n    </Location>"
        }
    }
}

impl Rule for ClientVerifyOptionalUnenforced {
    fn meta(&self) -> &'static Meta {
        &Self::META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for s in cx.config.servers.iter().filter(|s| applies(s)) {
            let mode = s.client_verify.value.as_str();
            let span = s.client_verify.origin.span().unwrap_or(s.span);
            let label = match s.client_verify.origin {
                Origin::Inherited(_) => format!(
                    "`{mode}`, inherited here, lets clients without a valid certificate through"
                ),
                _ => format!("`{mode}` lets clients without a valid certificate through"),
            };
            let mut f = Finding::new(
                Self::CODE,
                format!(
                    "server `{}` asks for a client certificate but never refuses a request without a valid one",
                    s.display_name()
                ),
                Label::new(span, label),
            )
            .with_label(Label::new(s.span, "in this server"))
            .with_help(help(s.kind))
            .for_server(s.reference());
            if s.client_verify.value == ClientVerify::OptionalNoCa {
                f = f.with_note(
                    "optional_no_ca never checks who signed the certificate: any self-made certificate passes",
                );
            }
            out.push(f);
        }
    }
}
