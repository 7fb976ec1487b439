use aop_model::{handshake_admits, DefaultWhy, Finding, Label, Server};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a server that requires a client certificate from its own CA while the default
    /// server of its TLS address:port completes handshakes and verifies client certificates
    /// against another CA (`ssl_verify_client on`, `optional` or `optional_no_ca`, with an
    /// `ssl_client_certificate` or `ssl_trusted_certificate` the protected server does not
    /// name). Every nginx version does this (measured on 1.22.1, 1.26.2 and 1.30.4).
    /// Loopback addresses and unix sockets are not judged.
    ///
    /// ## Why it matters
    /// A client that sends no SNI, or an SNI no server names, makes its handshake with the
    /// default server, and the default server's CA decides whether its certificate verifies.
    /// The request is then routed by `Host`: with the protected server's name, that server
    /// answers, since nginx only checks that the handshake's verification succeeded. Its
    /// misdirected-request check (`421`) runs only when SNI was sent. With Cloudflare's shared
    /// origin-pull CA on the default server, any Cloudflare account (which can send any SNI
    /// and `Host` to an origin) reaches the server locked to your zone's own CA.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl default_server;
    ///         ssl_certificate     certs/default.pem;
    ///         ssl_certificate_key certs/default.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///         return 444;
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate     certs/shop.example.com.pem;
    ///         ssl_certificate_key certs/shop.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/shop-zone-ca.pem;
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
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate     certs/shop.example.com.pem;
    ///         ssl_certificate_key certs/shop.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/shop-zone-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    pub struct HandshakeCrossesClientCa {
        code: "AOP203",
        name: "handshake-crosses-client-ca",
        severity: Error,
        servers: [Nginx],
        verdict: None,
        summary: "without SNI, the default server's client CA admits clients to a server that trusts another CA",
    }
}

fn listen_port(address_port: &str) -> &str {
    address_port.strip_prefix("*:").unwrap_or(address_port)
}

fn finding(address_port: &str, default: &Server, why: DefaultWhy, target: &Server) -> Finding {
    let verify_span = default.client_verify.origin.span().unwrap_or(default.span);
    let default_label = match why {
        DefaultWhy::Flagged => format!("default server for {address_port}: clients without SNI make their handshake here"),
        DefaultWhy::FirstListed => format!("first server on {address_port}, so its default: clients without SNI make their handshake here"),
    };
    let target_verify = target.client_verify.origin.span().unwrap_or(target.span);
    let mut f = Finding::new(
        HandshakeCrossesClientCa::CODE,
        format!(
            "server `{}` requires a client certificate from its CA, but a client without SNI is verified by the default server of {address_port} against another CA",
            target.display_name()
        ),
        Label::new(
            target_verify,
            "this verification is never made for a client whose handshake was the default server's",
        ),
    )
    .with_label(Label::new(default.span, default_label))
    .with_help(format!(
        "make the default server of {address_port} a catch-all that refuses handshakes, so every client must name the server it wants:\n    server {{\n        listen {} ssl default_server;\n        ssl_reject_handshake on;\n    }}",
        listen_port(address_port)
    ))
    .with_note("a certificate from the default server's CA, sent without SNI (or with an SNI no server names) and with `Host` of this server, gets this server's content: nginx routes by `Host` after the handshake and checks only that verification succeeded; its 421 check runs only when SNI was sent")
    .for_server(target.reference());
    // One `ssl_verify_client` in `http {}` may stand for both servers.
    if verify_span != target_verify {
        f = f.with_label(Label::new(
            verify_span,
            "verifies against CAs the protected server does not name",
        ));
    }
    for ca in &target.ca {
        f = f.with_label(Label::new(ca.span, "the protected server's own CA"));
    }
    for ca in default
        .ca
        .iter()
        .filter(|c| !target.ca.iter().any(|t| t.resolved == c.resolved))
    {
        f = f.with_label(Label::new(
            ca.span,
            "trusted by the default server, not by the protected one",
        ));
    }
    f
}

impl HandshakeCrossesClientCa {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        let config = cx.config;
        for ap in config.tls_address_ports_from_outside() {
            let default = &config.servers[ap.default];
            let address_port = ap.address_port();
            for &i in ap.servers.iter().filter(|&&i| i != ap.default) {
                let target = &config.servers[i];
                if handshake_admits(default, target) {
                    out.push(finding(&address_port, default, ap.default_why, target));
                }
            }
        }
    }
}
