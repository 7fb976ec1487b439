use aop_model::{
    handshake_admits, AddressPort, Config, DefaultWhy, Finding, Label, Server, ServerKind, Severity,
};

use crate::apache_sni::{self, Crossing, Why};
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
    /// Apache: a vhost that requires a client certificate from its CA while another vhost of
    /// its TLS address:port verifies against a CA it does not name, where httpd serves a
    /// request for one vhost over the other's handshake. Which releases do depends on
    /// `--apache-version` (or `apache_version` in `aop-lint.toml`):
    ///
    /// - 2.4.66 and later: `SSLVHostSNIPolicy insecure` (set in the main server) lets a
    ///   request for any vhost use any other vhost's handshake (measured on 2.4.71, also
    ///   beside `SSLStrictSNIVHostCheck on`, which only refuses clients that send no SNI: an
    ///   SNI no vhost names still gets in). The default, `secure`, and `authonly` and
    ///   `strict` answer `421 Misdirected Request` when the vhosts' client verification
    ///   differs: nothing is reported.
    /// - 2.4.64 and 2.4.65 compare the two vhosts' SSL settings for every request (the
    ///   CVE-2025-23048 fix; from the changelog, not measured).
    /// - Before 2.4.64: a client that sends no SNI makes its handshake with the default
    ///   (first) vhost, and httpd checks nothing more unless `SSLStrictSNIVHostCheck on` is
    ///   set in either vhost (measured on 2.4.62 built from its source: `200`, and `403` with
    ///   the check on; with an SNI, a request for a vhost with other SSL settings gets `421`).
    ///
    /// On every release, a handshake vhost that only asks for a certificate (`optional`,
    /// `optional_no_ca`) carries nothing to a vhost that requires one: httpd asks again, and
    /// the second vhost's CA refuses the certificate (`403`, measured on 2.4.62 and 2.4.71).
    ///
    /// Without a version, a tree that sets no `SSLVHostSNIPolicy` gets a warning that the
    /// answer depends on the release; one that sets `insecure` runs only on 2.4.66 and
    /// later, and gets the error.
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
    /// ```apache
    /// SSLVHostSNIPolicy insecure
    /// <VirtualHost *:443>
    ///     ServerName partner.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/partner.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/partner.example.com.key
    ///     SSLVerifyClient require
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     DocumentRoot /var/www/partner
    /// </VirtualHost>
    /// <VirtualHost *:443>
    ///     ServerName shop.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/shop.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/shop.example.com.key
    ///     SSLVerifyClient require
    ///     SSLCACertificateFile /etc/ssl/cloudflare/shop-zone-ca.pem
    ///     DocumentRoot /var/www/shop
    /// </VirtualHost>
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
    /// ```apache
    /// SSLStrictSNIVHostCheck on
    /// <VirtualHost *:443>
    ///     ServerName partner.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/partner.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/partner.example.com.key
    ///     SSLVerifyClient require
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     DocumentRoot /var/www/partner
    /// </VirtualHost>
    /// <VirtualHost *:443>
    ///     ServerName shop.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/shop.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/shop.example.com.key
    ///     SSLVerifyClient require
    ///     SSLCACertificateFile /etc/ssl/cloudflare/shop-zone-ca.pem
    ///     DocumentRoot /var/www/shop
    /// </VirtualHost>
    /// ```
    /// (without `SSLVHostSNIPolicy insecure`; `SSLStrictSNIVHostCheck on` closes it on
    /// releases before 2.4.64 too, for clients without SNI).
    pub struct HandshakeCrossesClientCa {
        code: "AOP203",
        name: "handshake-crosses-client-ca",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: None,
        reads: [apache_sni::SNI_POLICY, apache_sni::STRICT_SNI],
        summary: "the default server's (or, under Apache's SSLVHostSNIPolicy insecure, any vhost's) client CA admits clients to a server that trusts another CA",
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

/// Apache: the finding for `target`, whose request httpd serves (or may serve) over the
/// handshake of `handshake`.
fn apache_finding(
    config: &Config,
    ap: &AddressPort,
    handshake: &Server,
    target: &Server,
    crossing: &Crossing,
) -> Finding {
    let address_port = ap.address_port();
    let how = match crossing {
        Crossing::Open(Why::Insecure(_)) => format!(
            "under `SSLVHostSNIPolicy insecure` a client verified by `{}` against another CA gets this vhost's content over that handshake",
            handshake.display_name()
        ),
        _ => format!(
            "a client without SNI is verified by the default vhost of {address_port} against another CA, and httpd before 2.4.64 serves it here"
        ),
    };
    let target_verify = target.client_verify.origin.span().unwrap_or(target.span);
    let mut f = Finding::new(
        HandshakeCrossesClientCa::CODE,
        format!(
            "vhost `{}` requires a client certificate from its CA, but {how}",
            target.display_name()
        ),
        Label::new(
            target_verify,
            "this verification is never made for a client whose handshake was another vhost's",
        ),
    )
    .with_label(Label::new(
        handshake.span,
        if std::ptr::eq(handshake, &config.servers[ap.default]) {
            format!("first vhost for {address_port}, so its default: clients without SNI make their handshake here")
        } else {
            "the handshake a client makes with this vhost's SNI".to_string()
        },
    ))
    .for_server(target.reference());
    if let Some(ca) = apache_sni::ca_not_named_by(handshake, target) {
        f = f.with_label(Label::new(
            ca.span,
            "trusted by that vhost, not by the protected one",
        ));
    }
    f = match crossing {
        Crossing::Open(Why::Insecure(span)) => f
            .with_label(Label::new(*span, "compares nothing: a request may name any vhost"))
            .with_help("remove `SSLVHostSNIPolicy insecure`: the default, `secure`, answers 421 Misdirected Request when the vhost a request names verifies clients otherwise than the handshake's:\n    SSLVHostSNIPolicy secure")
            .with_note("measured on httpd 2.4.71: with the SNI (or no SNI) of one vhost and `Host` of another, a certificate from the first vhost's CA gets the second's content; `SSLStrictSNIVHostCheck on` refuses only clients that send no SNI"),
        Crossing::Open(Why::BeforeFix(v)) => f
            .with_help(strict_help())
            .with_note(format!("httpd {v} checks nothing when the client sent no SNI, unless `SSLStrictSNIVHostCheck on`; 2.4.64 and later answer 421 Misdirected Request")),
        _ => f
            .severity(Severity::Warning)
            .with_help(strict_help())
            .with_note("no Apache version given (--apache-version, or apache_version in aop-lint.toml): httpd before 2.4.64 serves it; 2.4.64 and later answer 421 Misdirected Request"),
    };
    f
}

fn strict_help() -> &'static str {
    "upgrade to httpd 2.4.64 or later; until then refuse clients that send no SNI, in the main server (for every vhost) or in this vhost:\n    SSLStrictSNIVHostCheck on"
}

/// Apache: per protected vhost, the first vhost whose handshake crosses over (the default,
/// without SNI; under `SSLVHostSNIPolicy insecure`, any vhost).
fn check_apache(cx: &Context, out: &mut Vec<Finding>) {
    let config = cx.config;
    let version = cx.versions.apache;
    for ap in config.tls_address_ports_from_outside() {
        let default = &config.servers[ap.default];
        // Only `SSLVHostSNIPolicy insecure` (one setting for the whole server) lets another
        // vhost than the default make the handshake: the rest need not be tried.
        let others: &[usize] = if apache_sni::insecure(version, default) {
            &ap.servers
        } else {
            &[]
        };
        for &t in &ap.servers {
            let target = &config.servers[t];
            let crossing = std::iter::once(ap.default)
                .chain(others.iter().copied())
                .filter(|&h| h != t && handshake_admits(&config.servers[h], target))
                .filter(|&h| apache_sni::verification_carries(&config.servers[h], target))
                .find_map(|h| {
                    let handshake = &config.servers[h];
                    match apache_sni::handshake_crossing(version, handshake, target) {
                        Crossing::Closed => None,
                        c @ Crossing::Open(Why::Insecure(_)) => Some((handshake, c)),
                        c if h == ap.default => Some((handshake, c)),
                        _ => None,
                    }
                });
            if let Some((handshake, c)) = crossing {
                out.push(apache_finding(config, ap, handshake, target, &c));
            }
        }
    }
}

impl HandshakeCrossesClientCa {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        let config = cx.config;
        if config.kind == ServerKind::Apache {
            return check_apache(cx, out);
        }
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

#[cfg(test)]
mod tests {
    use super::HandshakeCrossesClientCa;
    use crate::tester::Tester;

    /// Apache: a default vhost verifying against Cloudflare's CA and `shop.example.com`
    /// requiring its zone's own, with `main` in the main server and `shop` in the shop's vhost.
    fn apache(main: &str, shop: &str) -> String {
        format!(
            "LoadModule ssl_module modules/mod_ssl.so\nListen 443\n{main}\n\
             <VirtualHost *:443>\n ServerName partner.example.com\n SSLEngine on\n SSLCertificateFile c.pem\n \
             SSLVerifyClient require\n SSLCACertificateFile cf.pem\n DocumentRoot /var/www/partner\n</VirtualHost>\n\
             <VirtualHost *:443>\n ServerName shop.example.com\n SSLEngine on\n SSLCertificateFile c.pem\n \
             SSLVerifyClient require\n SSLCACertificateFile zone.pem\n DocumentRoot /var/www/shop\n {shop}\n</VirtualHost>\n"
        )
    }

    #[test]
    fn vectors() {
        let nginx = |default: &str| {
            format!(
                "http {{\n server {{ listen 443 ssl default_server; ssl_certificate c.pem; ssl_certificate_key c.key; {default} return 444; }}\n \
                 server {{ listen 443 ssl; server_name shop; ssl_certificate c.pem; ssl_certificate_key c.key; \
                 ssl_verify_client on; ssl_client_certificate zone.pem; location / {{ proxy_pass http://127.0.0.1:8080; }} }}\n}}\n"
            )
        };
        let findings = Tester::new(&HandshakeCrossesClientCa)
            .nginx_fail(nginx(
                "ssl_verify_client on; ssl_client_certificate cf.pem;",
            ))
            .nginx_pass(nginx("ssl_reject_handshake on;"))
            // Without a version: the release decides, said as a warning.
            .apache_fail(apache("", ""))
            .apache_fail(apache("SSLVHostSNIPolicy insecure", ""))
            .apache_fail(apache(
                "SSLVHostSNIPolicy insecure\nSSLStrictSNIVHostCheck on",
                "",
            ))
            .apache_pass(apache("SSLVHostSNIPolicy secure", ""))
            .apache_pass(apache("SSLVHostSNIPolicy authonly", ""))
            .apache_pass(apache("", "SSLStrictSNIVHostCheck on"))
            .apache_pass(apache("SSLStrictSNIVHostCheck on", ""))
            .versions("apache/2.4.62")
            .apache_fail(apache("", ""))
            .apache_pass(apache("", "SSLStrictSNIVHostCheck on"))
            // The handshake only asked for a certificate that the shop requires: httpd asks
            // again, against the shop's CA (403).
            .apache_pass(apache("", "").replacen("SSLVerifyClient require", "SSLVerifyClient optional", 1))
            // A shop that checks `optional` with `Require` takes the handshake's word.
            .apache_fail(apache("", "").replacen("SSLVerifyClient require", "SSLVerifyClient optional", 1).replace(
                "DocumentRoot /var/www/shop",
                "DocumentRoot /var/www/shop\n SSLVerifyClient optional\n <Location />\n Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'\n </Location>",
            ))
            .versions("apache/2.4.64")
            .apache_pass(apache("", ""))
            .versions("apache/2.4.71")
            .apache_pass(apache("", ""))
            .apache_pass(apache("SSLVHostSNIPolicy strict", ""))
            .apache_fail(apache("SSLVHostSNIPolicy insecure", ""))
            .run();
        insta::assert_snapshot!(findings);
    }
}
