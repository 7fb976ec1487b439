use aop_model::{
    ClientVerify, Finding, Label, Origin, PerDirectoryVerify, Regrant, Server, ServerKind,
};
use aop_source::Span;

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS server whose client verification is `optional` or `optional_no_ca` while
    /// nothing at server level refuses the clients that did not present a valid certificate:
    /// no `if ($ssl_client_verify != SUCCESS) { return 403; }` (nginx), no
    /// `Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'` or `SSLRequire` (Apache). Apache: also
    /// when the refusal exists but lets clients through anyway: its `403` carries a page of
    /// the site (`ErrorDocument 403 /index.html`), or a section merged after the check
    /// replaces it for some paths (`<Location /public/>` with `Require all granted`).
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
    ///         ssl_certificate     certs/shop.example.com.pem;
    ///         ssl_certificate_key certs/shop.example.com.key;
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
    ///         ssl_certificate     certs/shop.example.com.pem;
    ///         ssl_certificate_key certs/shop.example.com.key;
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
        servers: [Nginx, Apache, Caddy],
        verdict: Open,
        summary: "optional client verification that nothing enforces",
    }
}

fn optional(s: &Server) -> bool {
    s.serves_tls_from_outside().is_some()
        && matches!(
            s.client_verify.value,
            ClientVerify::Optional | ClientVerify::OptionalNoCa
        )
}

fn applies(s: &Server) -> bool {
    optional(s) && s.verify_enforced.is_none() && s.site_verified_per_directory().is_none()
}

/// `optional` for the whole site from a section (`<Location />`), beside a `Require` check.
fn optional_per_directory(s: &Server) -> Option<&PerDirectoryVerify> {
    s.site_verified_per_directory()
        .filter(|p| p.value != ClientVerify::On)
}

fn verify_label(s: &Server) -> Label {
    if let (false, Some(p)) = (optional(s), optional_per_directory(s)) {
        return Label::new(
            p.directive,
            format!(
                "`{}` for the whole site: the certificate is asked for, not required",
                p.value.as_str()
            ),
        );
    }
    let value = s.client_verify.value.written(s.kind);
    let span = s.client_verify.origin.span().unwrap_or(s.span);
    match s.client_verify.origin {
        Origin::Inherited(_) => Label::new(
            span,
            format!("`{value}`, inherited: the certificate is asked for, not required"),
        ),
        _ => Label::new(
            span,
            format!("`{value}`: the certificate is asked for, not required"),
        ),
    }
}

/// The check refuses with a 403 whose body is a page of the site.
fn refusal_page(cx: &Context, s: &Server, check: Span, page: Span) -> Finding {
    let document = cx.map.text(page);
    Finding::new(
        ClientVerifyOptionalUnenforced::CODE,
        format!(
            "server `{}` refuses clients without a valid certificate, but `{}` makes the refusal a page of the site: anyone gets that page",
            s.display_name(),
            document.trim()
        ),
        verify_label(s),
    )
    .with_label(Label::new(check, "refuses unverified clients with a 403"))
    .with_label(Label::new(page, "the 403 carries this page of the site"))
    .with_help("let the refusal carry a text, not a page of the site (or remove this ErrorDocument):\n    ErrorDocument 403 \"client certificate required\"")
    .for_server(s.reference())
}

/// `<Location /public/>` is closed by `</Location>`.
fn section_name(opener: &str) -> &str {
    opener
        .trim_start_matches('<')
        .split(|c: char| c.is_whitespace() || c == '>')
        .next()
        .unwrap_or("Location")
}

/// The `Require` to keep beside `AuthMerging And` (an `AuthMerging Off` grant has none).
fn grant_line(cx: &Context, grant: Span) -> String {
    let text = cx.map.text(grant).trim().to_string();
    if text.to_ascii_lowercase().starts_with("authmerging") {
        "Require all granted".to_string()
    } else {
        text
    }
}

/// A later section replaces the check for its paths.
fn regranted(cx: &Context, s: &Server, check: Span, regrants: &[Regrant]) -> Option<Finding> {
    let first = regrants.first()?;
    let section = cx.map.text(first.section).trim().to_string();
    let mut f = Finding::new(
        ClientVerifyOptionalUnenforced::CODE,
        format!(
            "server `{}` refuses clients without a valid certificate, but `{section}` replaces that check: its paths are served to anyone",
            s.display_name()
        ),
        verify_label(s),
    )
    .with_label(Label::new(check, "the check, for the rest of the site"))
    .with_label(Label::new(first.section, "merged after the check: its authorization replaces it"))
    .with_label(Label::new(first.grant, "lets clients without a certificate in"))
    .with_help(format!(
        "let this section add to the check instead of replacing it:\n    {section}\n        AuthMerging And\n        {grant}\n    </{name}>",
        grant = grant_line(cx, first.grant),
        name = section_name(&section),
    ))
    .for_server(s.reference());
    for r in &regrants[1..] {
        f = f.with_label(Label::new(r.section, "replaces the check too"));
    }
    Some(f)
}

impl ClientVerifyOptionalUnenforced {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        let asks_optionally = |s: &&Server| {
            optional(s)
                || (s.serves_tls_from_outside().is_some()
                    && s.client_verify.value != ClientVerify::On
                    && optional_per_directory(s).is_some())
        };
        for s in cx.config.servers.iter().filter(asks_optionally) {
            let Some(check) = s.verify_enforced else {
                continue;
            };
            if let Some(page) = s.refusal_page {
                out.push(refusal_page(cx, s, check, page));
            }
            out.extend(regranted(cx, s, check, &s.regrants));
        }
        for s in cx.config.servers.iter().filter(|s| applies(s)) {
            let value = s.client_verify.value.written(s.kind);
            let span = s.client_verify.origin.span().unwrap_or(s.span);
            let label = match s.client_verify.origin {
                Origin::Inherited(_) => {
                    format!("`{value}`, inherited: asks for a certificate, serves without one")
                }
                _ => format!("`{value}`: asks for a certificate, serves without one"),
            };
            let help = match s.kind {
                ServerKind::Nginx => "refuse unverified clients in this server, or require the certificate outright:\n    if ($ssl_client_verify != SUCCESS) { return 403; }\nor\n    ssl_verify_client on;",
                ServerKind::Caddy => "verify and require the certificate at the handshake:\n    tls {\n        client_auth {\n            mode require_and_verify\n            trust_pool file /etc/caddy/origin-pull-ca.pem\n        }\n    }",
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
            if s.client_verify.value == ClientVerify::OptionalNoCa && s.kind == ServerKind::Caddy {
                f = f.with_note("`mode request` never verifies the certificate: a certificate from any issuer, or none, is accepted");
            } else if s.client_verify.value == ClientVerify::OptionalNoCa {
                f = f.with_note("`optional_no_ca` never verifies the certificate chain: a certificate from any issuer is accepted at the handshake");
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ClientVerifyOptionalUnenforced;
    use crate::tester::{apache_tls, nginx_tls, Tester, PROXY};

    #[test]
    fn vectors() {
        let findings = Tester::new(&ClientVerifyOptionalUnenforced)
            .nginx_fail(nginx_tls(&format!(
                "ssl_verify_client optional; ssl_client_certificate ca.pem; {PROXY}"
            )))
            // Checked in one location only: the others serve anyone.
            .nginx_fail(nginx_tls(&format!(
                "ssl_verify_client optional; ssl_client_certificate ca.pem;
                location /admin {{ if ($ssl_client_verify != SUCCESS) {{ return 403; }} }}
                {PROXY}"
            )))
            .nginx_pass(nginx_tls(&format!(
                "ssl_verify_client optional; ssl_client_certificate ca.pem;
                if ($ssl_client_verify != SUCCESS) {{ return 403; }}
                {PROXY}"
            )))
            .apache_fail(apache_tls(
                "SSLVerifyClient optional
                SSLCACertificateFile ca.pem
                DocumentRoot /var/www/shop",
            ))
            .apache_pass(apache_tls(
                "SSLVerifyClient optional
                SSLCACertificateFile ca.pem
                DocumentRoot /var/www/shop
                <Location />
                    Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'
                </Location>",
            ))
            .run();
        insta::assert_snapshot!(findings);
    }
}
