use aop_model::{AddressPort, DefaultWhy, Finding, Label, Scenario, Server, ServerKind, Severity};
use aop_source::Span;

use crate::ca_files::verifies_with_own_ca_only;
use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS address:port whose default server, the one that answers every hostname
    /// not configured there, serves a real site instead of refusing. The default is the
    /// server marked `default_server`, else the first one listed (nginx); the first
    /// `<VirtualHost>` for the address:port (Apache). A warning rather than an error when that
    /// server trusts only CAs declared in `aop-lint.toml` (the zone's own certificate).
    /// Loopback addresses and unix sockets are not judged: nobody outside connects there.
    ///
    /// A default server with `ssl_reject_handshake on` makes no handshake of its own, but a
    /// client that made its handshake with another server's SNI and sends a `Host` no
    /// server names is routed to it by `Host` (nginx 1.22.1 and 1.30.4). When it has content
    /// of its own there (a `root`, a `proxy_pass`, a `return` with a text), that is reported
    /// too; add `return 444;` beside `ssl_reject_handshake on`. nginx's compiled-in root
    /// (`html` under the prefix), which a bare catch-all serves, is not reported yet.
    ///
    /// ## Why it matters
    /// Cloudflare's shared origin-pull certificate proves only that a request came through
    /// some Cloudflare account. Any account can point a hostname at this origin's address;
    /// its requests carry a valid client certificate and land on the default server. When
    /// that server is a real site, it serves them.
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
    ///         listen 443 ssl default_server;
    ///         ssl_reject_handshake on;
    ///         return 444;
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate     certs/shop.example.com.pem;
    ///         ssl_certificate_key certs/shop.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    pub struct DefaultServerMissing {
        code: "AOP201",
        name: "default-server-missing",
        severity: Error,
        servers: [Nginx, Apache, Caddy],
        verdict: Foreign,
        summary: "a TLS address:port whose default server serves a real site",
    }
}

fn help(kind: ServerKind, address_port: &str) -> String {
    match kind {
        ServerKind::Nginx => {
            let listen = if address_port.starts_with("*:") {
                address_port.trim_start_matches("*:").to_string()
            } else {
                address_port.to_string()
            };
            format!(
                "put a catch-all first that refuses unknown hostnames, and every request routed to it by `Host` over another server's handshake:\n    server {{\n        listen {listen} ssl default_server;\n        ssl_reject_handshake on;\n        return 444;\n    }}"
            )
        }
        ServerKind::Caddy => format!(
            "give {address_port} a catch-all site that refuses unknown hostnames (a site without a hostname answers every name the others do not):\n    https://:{port} {{\n        tls internal\n        abort\n    }}",
            port = address_port.rsplit(':').next().unwrap_or("443")
        ),
        ServerKind::Apache => format!(
            "put a catch-all first for {address_port} that refuses unknown hostnames:\n    <VirtualHost {address_port}>\n        ServerName invalid.invalid\n        SSLEngine on\n        SSLCertificateFile /etc/ssl/certs/ssl-cert-snakeoil.pem\n        SSLCertificateKeyFile /etc/ssl/private/ssl-cert-snakeoil.key\n        <Location \"/\">\n            Require all denied\n        </Location>\n    </VirtualHost>"
        ),
    }
}

/// A catch-all that refuses handshakes but has content: a client that made its handshake
/// with another server's SNI and sends a `Host` no server names gets that content.
fn answers_by_host(ap: &AddressPort, s: &Server, reject: Span, content: Span) -> Finding {
    let address_port = ap.address_port();
    Finding::new(
        DefaultServerMissing::CODE,
        format!(
            "the default server for {address_port} refuses handshakes, but serves content to requests routed to it by `Host` over another server's handshake"
        ),
        Label::new(content, "served to any `Host` no server names"),
    )
    .with_label(Label::new(reject, "refuses only clients that make their handshake here"))
    .with_help("refuse every request that reaches the catch-all, too:\n    ssl_reject_handshake on;\n    return 444;")
    .with_note("a client that completes a handshake with the SNI of another server on this address:port (any Cloudflare account can set the SNI and `Host` it sends) and sends a `Host` no server names is answered here")
    .for_server(s.reference())
}

/// A request for a name no server configures, with a trusted certificate, that the request
/// simulation shows getting server `i`'s content by a path the check below does not name.
pub(crate) fn answered_by_simulation(cx: &Context, i: usize, row: &Scenario) -> Finding {
    let s = &cx.config.servers[i];
    let ap = &cx.config.address_ports[row.address_port];
    let address_port = ap.address_port();
    let mut f = Finding::new(
        DefaultServerMissing::CODE,
        format!(
            "a request for a hostname nobody configured gets the content of `{}` on {address_port} ({})",
            s.display_name(),
            row.describe(ap)
        ),
        Label::new(s.span, "this server answers it"),
    )
    .with_help(help(s.kind, &address_port))
    .with_note("any Cloudflare account can point a hostname at this origin; with the shared origin-pull certificate its requests pass client verification")
    .for_server(s.reference());
    if let Some(span) = s.action_span {
        f = f.with_label(Label::new(span, "content served here"));
    }
    f
}

impl DefaultServerMissing {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        let config = cx.config;
        for ap in config.tls_address_ports_from_outside() {
            // A regular-expression name that matches any hostname answers unknown names
            // before the default server does (nginx tries regexes in configuration order).
            let regex = ap
                .servers
                .iter()
                .find_map(|&i| config.servers[i].catch_all_name.map(|span| (i, span)));
            let answering = regex.map_or(ap.default, |(i, _)| i);
            let s = &config.servers[answering];
            if let (Some(reject), Some(content)) = (s.reject_handshake, s.answers_by_host) {
                let handshakes_elsewhere = ap
                    .servers
                    .iter()
                    .any(|&i| i != answering && config.servers[i].reject_handshake.is_none());
                if handshakes_elsewhere && s.host_guard.is_none() {
                    out.push(answers_by_host(ap, s, reject, content));
                }
                continue;
            }
            if !s.serves_content_over_tls() || s.host_guard.is_some() {
                continue;
            }
            let address_port = ap.address_port();
            let (primary, message) = match regex {
                Some((_, span)) => (
                    Label::new(span, "this regular expression matches hostnames nobody configured: they land here"),
                    format!(
                        "`{}` answers every hostname on {address_port} through a regular-expression server_name and serves a real site",
                        s.display_name()
                    ),
                ),
                None => (
                    Label::new(
                        ap.default_span,
                        match ap.default_why {
                            DefaultWhy::Flagged => format!("default server for {address_port}: it answers every hostname not configured here"),
                            DefaultWhy::FirstListed => format!("first server listening on {address_port}: it answers every hostname not configured here"),
                        },
                    ),
                    format!(
                        "the default server for {address_port} serves a real site (`{}`)",
                        s.display_name()
                    ),
                ),
            };
            let mut f = Finding::new(Self::CODE, message, primary)
                .with_help(help(s.kind, &address_port))
                .for_server(s.reference());
            f = if verifies_with_own_ca_only(cx, s) {
                f.severity(Severity::Warning).with_note("this server trusts only your own CA, so other Cloudflare accounts fail client verification; it still answers hostnames it was not configured for")
            } else {
                f.with_note("any Cloudflare account can point a hostname at this origin; with the shared origin-pull certificate its requests pass client verification")
            };
            if let Some(span) = s.action_span {
                f = f.with_label(Label::new(span, "content served here"));
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DefaultServerMissing;
    use crate::tester::{apache_tls, nginx_tls, Tester, PROXY};

    const VERIFIED: &str = "ssl_verify_client on; ssl_client_certificate ca.pem;";

    /// A default server holding `body` before the site.
    fn catch_all(body: &str) -> String {
        format!(
            "http {{
                server {{ listen 443 ssl default_server; {body} }}
                server {{ listen 443 ssl; server_name shop.example.com;
                    ssl_certificate c.pem; ssl_certificate_key c.key; {VERIFIED} {PROXY} }}
            }}"
        )
    }

    #[test]
    fn vectors() {
        let findings = Tester::new(&DefaultServerMissing)
            // The only server on the port is the default: it answers every name.
            .nginx_fail(nginx_tls(&format!("{VERIFIED} {PROXY}")))
            .nginx_pass(catch_all("ssl_reject_handshake on;"))
            .nginx_pass(catch_all(
                "ssl_certificate c.pem; ssl_certificate_key c.key; return 444;",
            ))
            // The first virtual host of an address:port is its default.
            .apache_fail(apache_tls(
                "ServerName shop.example.com
                SSLVerifyClient require
                SSLCACertificateFile ca.pem
                DocumentRoot /var/www/shop",
            ))
            .apache_pass(
                "LoadModule ssl_module modules/mod_ssl.so
                Listen 443
                <VirtualHost *:443>
                    ServerName catch-all.invalid
                    SSLEngine on
                    SSLCertificateFile c.pem
                    <Location />
                        Require all denied
                    </Location>
                </VirtualHost>
                <VirtualHost *:443>
                    ServerName shop.example.com
                    SSLEngine on
                    SSLCertificateFile c.pem
                    DocumentRoot /var/www/shop
                </VirtualHost>",
            )
            .run();
        insta::assert_snapshot!(findings);
    }
}
