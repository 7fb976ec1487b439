use aop_model::{Action, ClientVerify, Finding, Label, Origin, Server, ServerKind};

use crate::{declare_rule, Context, Meta, Rule};

declare_rule! {
    /// ## What it does
    /// Reports a TLS server whose client verification is `optional` or `optional_no_ca` while
    /// nothing at server level refuses the clients that did not present a valid certificate:
    /// no `if ($ssl_client_verify != SUCCESS) { return 403; }` (nginx), no
    /// `Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'` or `SSLRequire` (Apache).
    ///
    /// ## Why it matters
    /// `optional` asks for a certificate and carries on without one: the request is served
    /// either way. `optional_no_ca` does not even check who signed the certificate. Without
    /// a refusal, the origin is as open as with verification off.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_verify_client optional;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
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
    ///         ssl_verify_client optional;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///         if ($ssl_client_verify != SUCCESS) { return 403; }
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    pub struct ClientVerifyOptionalUnenforced {
        code: "AOP102",
        name: "client-verify-optional-unenforced",
        severity: Error,
        servers: [Nginx, Apache],
        summary: "optional client verification that nothing enforces",
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

impl Rule for ClientVerifyOptionalUnenforced {
    fn meta(&self) -> &'static Meta {
        &Self::META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for s in cx.config.servers.iter().filter(|s| applies(s)) {
            let value = s.client_verify.value.as_str();
            let span = s.client_verify.origin.span().unwrap_or(s.span);
            let label = match s.client_verify.origin {
                Origin::Inherited(_) => {
                    format!("`{value}`, inherited: asks for a certificate, serves without one")
                }
                _ => format!("`{value}`: asks for a certificate, serves without one"),
            };
            let help = match s.kind {
                ServerKind::Nginx => "refuse unverified clients in this server, or require the certificate outright:\n    if ($ssl_client_verify != SUCCESS) { return 403; }\nor\n    ssl_verify_client on;",
                ServerKind::Apache => "refuse unverified clients in this virtual host, or require the certificate outright:\n    <Location \"/\">\n        Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'\n    </Location>\nor\n    SSLVerifyClient require",
            };
            let mut f = Finding::new(
                Self::CODE,
                format!(
                    "server `{}` asks for a client certificate but serves clients without one: anyone can reach the origin",
                    s.display_name()
                ),
                Label::new(span, label),
            )
            .with_label(Label::new(s.span, "nothing in this server refuses unverified clients"))
            .with_help(help)
            .for_server(s.reference());
            if s.client_verify.value == ClientVerify::OptionalNoCa {
                f = f.with_note("`optional_no_ca` never verifies the certificate chain: a certificate from any issuer is accepted at the handshake");
            }
            out.push(f);
        }
    }
}
