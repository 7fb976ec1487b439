use std::collections::HashSet;

use aop_model::{Action, Finding, Label, ListenAddr, Server, ServerKind, Severity};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a plain-HTTP listener whose server serves content instead of redirecting to
    /// https or refusing. A redirect, an error status, a closed connection, `204` and an
    /// empty `200` are not content. A server whose only content is the ACME challenge
    /// directory (`location /.well-known/acme-challenge/ { root ...; }` beside a redirect of
    /// everything else) is reported as an info: those files are for the certificate
    /// authority, not the site's content. When a TLS server of the same name requires the
    /// client certificate, the finding says the protected site is reachable around mutual TLS;
    /// a TLS server of that name without verification protects nothing to go around. Listeners on loopback or unix sockets are not judged: nobody
    /// outside connects there.
    ///
    /// ## Why it matters
    /// Client verification happens in the TLS handshake; plain HTTP has none. A site that is
    /// also served on port 80 is reachable by anyone, around mutual TLS. Other content on a
    /// plain listener (a welcome page, a status page) is still handed to anyone who asks.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 80;
    ///         server_name shop.example.com;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 80;
    ///         server_name shop.example.com;
    ///         return 301 https://$host$request_uri;
    ///     }
    /// }
    /// ```
    pub struct PlaintextServesContent {
        code: "AOP202",
        name: "plaintext-serves-content",
        severity: Error,
        servers: [Nginx, Apache, Caddy],
        verdict: Open,
        summary: "a plain-HTTP listener that serves content instead of redirecting or refusing",
    }
}

impl PlaintextServesContent {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        let config = cx.config;
        // Names of sites that mutual TLS protects: a TLS server that requires the client
        // certificate. A TLS server without verification protects nothing to go around.
        let protected: HashSet<&str> = config
            .servers
            .iter()
            .filter(|s| s.tls() && s.requires_client_certificate())
            .flat_map(|s| s.names.iter().map(|(n, _)| n.as_str()))
            .filter(|n| !n.is_empty())
            .collect();
        // (server, address, port) of every plain-HTTP address:port, so each server is looked
        // up rather than searched for among thousands on port 80.
        let plain: HashSet<(usize, &ListenAddr, Option<u16>)> = config
            .address_ports
            .iter()
            .filter(|ap| !ap.tls)
            .flat_map(|ap| ap.servers.iter().map(move |&i| (i, &ap.addr, ap.port)))
            .collect();
        for (i, s) in config.servers.iter().enumerate() {
            if s.action != Action::Serves {
                continue;
            }
            let Some(listener) = s.listeners.iter().find(|l| {
                !l.tls && l.reachable_from_outside() && plain.contains(&(i, &l.addr, l.port))
            }) else {
                continue;
            };
            let shared = s
                .names
                .iter()
                .map(|(n, _)| n.as_str())
                .find(|n| protected.contains(n));
            let message = match shared {
                _ if s.acme_only => format!(
                    "server `{}` serves only ACME challenge files over plain HTTP on {}: not the site's content, but handed to anyone",
                    s.display_name(),
                    listener.address_port()
                ),
                Some(name) => format!(
                    "`{name}` is served over plain HTTP on {}: the protected site is reachable around mutual TLS",
                    listener.address_port()
                ),
                None => format!(
                    "server `{}` serves content over plain HTTP on {} to anyone",
                    s.display_name(),
                    listener.address_port()
                ),
            };
            let help = match s.kind {
                _ if s.acme_only => "nothing to change while this directory holds challenge files only: the certificate authority fetches them over plain HTTP".to_string(),
                ServerKind::Nginx => "redirect plain HTTP to https, or refuse it:\n    return 301 https://$host$request_uri;\nor\n    return 444;".to_string(),
                ServerKind::Apache => apache_help(s),
                ServerKind::Caddy => "serve this site over HTTPS only: drop the `http://` address (Caddy then redirects plain HTTP to HTTPS by itself), or refuse plain HTTP in its own site:\n    http://shop.example.com {\n        abort\n    }".to_string(),
            };
            let mut f = Finding::new(
                Self::CODE,
                message,
                Label::new(
                    listener.span,
                    "plain-HTTP listener: no client certificate is ever asked for",
                ),
            )
            .with_help(help)
            .for_server(s.reference());
            if s.acme_only {
                f = f
                    .severity(Severity::Info)
                    .with_note("every other request on this listener is redirected or refused");
            }
            if let Some(span) = s.action_span {
                let what = if s.acme_only {
                    "ACME challenge files served here"
                } else {
                    "content served here"
                };
                f = f.with_label(Label::new(span, what));
            }
            out.push(f);
        }
    }
}

/// `Redirect` needs a fixed target: with a name of the vhost's own it is the simplest fix;
/// without one (or with only wildcards) the rewrite keeps whichever name was asked for.
fn apache_help(s: &Server) -> String {
    let name = s
        .names
        .iter()
        .map(|(n, _)| n.as_str())
        .find(|n| !n.is_empty() && !n.contains(['*', '?', '~', '^']));
    let redirect = match name {
        Some(name) => format!("    Redirect permanent / https://{name}/"),
        None => {
            "    RewriteEngine on\n    RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]"
                .to_string()
        }
    };
    format!(
        "redirect plain HTTP to https, or refuse it:\n{redirect}\nor\n    <Location \"/\">\n        Require all denied\n    </Location>"
    )
}

#[cfg(test)]
mod tests {
    use super::PlaintextServesContent;
    use crate::tester::Tester;

    #[test]
    fn vectors() {
        let findings = Tester::new(&PlaintextServesContent)
            .nginx_fail(
                "http { server { listen 80; server_name shop.example.com;
                    location / { proxy_pass http://127.0.0.1:8080; } } }",
            )
            .nginx_fail("http { server { listen 80; return 200 'hello'; } }")
            .nginx_pass(
                "http { server { listen 80; server_name shop.example.com;
                    return 301 https://$host$request_uri; } }",
            )
            .nginx_pass(
                "http { server { listen 127.0.0.1:80;
                    location / { proxy_pass http://127.0.0.1:8080; } } }",
            )
            .apache_fail(
                "Listen 80
                <VirtualHost *:80>
                    ServerName shop.example.com
                    DocumentRoot /var/www/shop
                </VirtualHost>",
            )
            .apache_pass(
                "LoadModule alias_module modules/mod_alias.so
                Listen 80
                <VirtualHost *:80>
                    ServerName shop.example.com
                    Redirect permanent / https://shop.example.com/
                </VirtualHost>",
            )
            .run();
        insta::assert_snapshot!(findings);
    }
}
