use std::collections::HashMap;
use std::path::Path;

use aop_model::{DirectiveName, Finding, Label, ServerKind};
use aop_pki::{read_server_certificate, CertInfo};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS address:port whose default server (the one that makes the handshake for
    /// a client that sends no SNI, or a name no server has) presents a certificate naming a
    /// site served on the same address:port. The certificate file is read; one aop-lint
    /// cannot read is not judged here (the server would not start on it either).
    ///
    /// ## Why it matters
    /// Part of hiding an origin behind Cloudflare is that its address gives nothing away.
    /// Internet-wide scanners connect to every address without SNI and index the names in
    /// the certificate they get: a default server that presents the site's certificate maps
    /// the origin's address to the site, even where client verification then refuses every
    /// request. Attackers look the hostname up there and go around Cloudflare.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl default_server;
    ///         ssl_certificate     certs/shop.pem;
    ///         ssl_certificate_key certs/shop.key;
    ///         return 444;
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate        certs/shop.pem;
    ///         ssl_certificate_key    certs/shop.key;
    ///         ssl_verify_client      on;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
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
    ///         ssl_certificate        certs/shop.pem;
    ///         ssl_certificate_key    certs/shop.key;
    ///         ssl_verify_client      on;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///     }
    /// }
    /// ```
    pub struct DefaultCertificateNamesSite {
        code: "AOP205",
        name: "default-certificate-names-site",
        severity: Warning,
        servers: [Nginx, Apache],
        verdict: None,
        reads: [CERTIFICATE],
        summary: "the default server's certificate names a site of its address:port, which scanners index",
    }
}

const CERTIFICATE: DirectiveName = DirectiveName {
    nginx: "ssl_certificate",
    apache: "SSLCertificateFile",
};

fn help(kind: ServerKind) -> &'static str {
    match kind {
        ServerKind::Nginx => {
            "make the default server refuse handshakes, so it presents no certificate:\n    ssl_reject_handshake on;\n    return 444;\nor give it a self-signed certificate that names no site"
        }
        _ => {
            "give the first virtual host of this address:port a self-signed certificate that names no site (e.g. `CN=invalid`), and keep the site's certificate in the site's virtual host"
        }
    }
}

/// `*.example.com` names `shop.example.com` (one label), and a name names itself.
fn names(certificate_name: &str, host: &str) -> bool {
    let (c, h) = (
        certificate_name.to_ascii_lowercase(),
        host.to_ascii_lowercase(),
    );
    match c.strip_prefix("*.") {
        Some(suffix) => h
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => c == h,
    }
}

impl DefaultCertificateNamesSite {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        let config = cx.config;
        // A default server is often the default of several address:ports (`*:443` and
        // `[::]:443`): its certificate is read once.
        let mut read: HashMap<&Path, Option<CertInfo>> = HashMap::new();
        for ap in config.tls_address_ports_from_outside() {
            let default = &config.servers[ap.default];
            if default.reject_handshake.is_some() {
                continue;
            }
            let Some(setting) = default.directive(CERTIFICATE) else {
                continue;
            };
            let Some(path) = &setting.value.path else {
                continue;
            };
            let certificate = read
                .entry(path.as_path())
                .or_insert_with(|| read_server_certificate(path, cx.ca.max_file_bytes).ok());
            let Some(certificate) = certificate else {
                continue;
            };
            let hostnames = certificate.hostnames();
            let named: Vec<(&str, aop_source::Span)> = ap
                .servers
                .iter()
                .filter(|&&i| i != ap.default)
                .flat_map(|&i| {
                    config.servers[i]
                        .names
                        .iter()
                        .map(|(n, span)| (n.as_str(), *span))
                })
                .filter(|(n, _)| hostnames.iter().any(|c| names(c, n)))
                .collect();
            let Some((first, _)) = named.first() else {
                continue;
            };
            let mut f = Finding::new(
                Self::CODE,
                format!(
                    "the default server for {} presents a certificate naming `{first}`, a site of this address:port: a client without SNI (every internet-wide scanner) learns the origin serves it",
                    ap.address_port()
                ),
                Label::new(setting.value.span, "presented to every client that names no site"),
            )
            .with_help(help(default.kind))
            .for_server(default.reference());
            for (n, span) in named.iter().take(3) {
                f = f.with_label(Label::new(*span, format!("`{n}` is served here")));
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{names, DefaultCertificateNamesSite};
    use crate::tester::Tester;

    #[test]
    fn certificate_names_match_as_tls_clients_match_them() {
        assert!(names("shop.example.com", "SHOP.example.com"));
        assert!(names("*.example.com", "shop.example.com"));
        assert!(!names("*.example.com", "example.com"));
        assert!(!names("*.example.com", "a.shop.example.com"));
        assert!(!names("invalid", "shop.example.com"));
    }

    /// The snippets are read beside the certificates of the fixture: `certs/shop.pem` holds
    /// `shop.example.com` in its subjectAltName, `certs/invalid.pem` only `CN=invalid`.
    #[test]
    fn vectors() {
        let (shop, neutral) = ("certs/shop.pem", "certs/invalid.pem");
        let tree = |default_cert: &str| {
            format!(
                "http {{
                    server {{ listen 443 ssl default_server; ssl_certificate {default_cert};
                        ssl_certificate_key k.pem; return 444; }}
                    server {{ listen 443 ssl; server_name shop.example.com;
                        ssl_certificate {shop}; ssl_certificate_key k.pem;
                        ssl_verify_client on; ssl_client_certificate ca.pem; }}
                }}"
            )
        };
        let findings = Tester::new(&DefaultCertificateNamesSite)
            .files_in("fixtures/nginx/default-certificate-names-site")
            .nginx_fail(tree(shop))
            .nginx_pass(tree(neutral))
            .nginx_pass(format!(
                "http {{
                    server {{ listen 443 ssl default_server; ssl_reject_handshake on; }}
                    server {{ listen 443 ssl; server_name shop.example.com;
                        ssl_certificate {shop}; ssl_certificate_key k.pem; }}
                }}"
            ))
            .run();
        insta::assert_snapshot!(findings);
    }
}
