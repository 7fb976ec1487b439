use aop_model::{CaRefKind, Finding, Text};
use aop_pki::{Known, Problem};

use crate::ca_files::ca_problems;
use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Notes a client CA file that trusts Cloudflare's shared origin-pull CA ("Global AOP"),
    /// the certificate every Cloudflare account's requests carry.
    ///
    /// ## Why it matters
    /// Cloudflare's documentation says it: this certificate "only guarantees that a request
    /// is coming from the Cloudflare network", not from your zone. Anyone with a Cloudflare
    /// account can point a hostname at this origin and pass client verification. Only a
    /// certificate of your own, uploaded to Cloudflare for zone-level or per-hostname
    /// Authenticated Origin Pulls, proves the request is yours; with the shared one, a
    /// catch-all default server that refuses unknown hostnames is the remaining guard.
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
    ///         ssl_client_certificate /etc/ssl/cloudflare/origin-pull-ca.pem;
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
    ///         ssl_verify_client on;
    ///         # the CA of the client certificate uploaded to Cloudflare for this zone
    ///         ssl_client_certificate /etc/ssl/cloudflare/shop-zone-ca.pem;
    ///     }
    /// }
    /// ```
    pub struct CaSharedCloudflare {
        code: "AOP305",
        name: "ca-shared-cloudflare",
        severity: Info,
        servers: [Nginx, Apache, Caddy],
        verdict: None,
        summary: "the shared Cloudflare origin-pull CA proves \"some Cloudflare account\", not your zone",
    }
}

const OWN_CA: &str = "for proof that a request comes from your zone, upload a client certificate of your own to Cloudflare (zone-level or per-hostname Authenticated Origin Pulls), verify against its CA, and declare that CA in aop-lint.toml (trusted_ca_sha256); until then, give each TLS address:port a catch-all that refuses unknown hostnames:";

fn help(kind: CaRefKind) -> Text {
    let catch_all = match kind {
        CaRefKind::ApacheFile | CaRefKind::ApachePath => {
            "    <VirtualHost *:443>\n        ServerName invalid.invalid\n        SSLEngine on\n        SSLCertificateFile /etc/ssl/certs/ssl-cert-snakeoil.pem\n        SSLCertificateKeyFile /etc/ssl/private/ssl-cert-snakeoil.key\n        <Location \"/\">\n            Require all denied\n        </Location>\n    </VirtualHost>\n(the first <VirtualHost> of each address:port is its default)"
        }
        CaRefKind::NginxClientCertificate | CaRefKind::NginxTrustedCertificate => {
            "    server {\n        listen 443 ssl default_server;\n        ssl_reject_handshake on;\n    }"
        }
        CaRefKind::CaddyTrustPoolFile
        | CaRefKind::CaddyTrustedCaCertFile
        | CaRefKind::CaddyInlineCerts => {
            "    https:// {\n        tls internal\n        abort\n    }\n(a site without a hostname answers every name its own sites do not)"
        }
    };
    format!("{OWN_CA}\n{catch_all}").into()
}

impl CaSharedCloudflare {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        // Thousands of servers naming one file get findings in the same words: each text is
        // made once per file and kind of directive, and shared.
        let mut said: Option<(&str, bool, CaRefKind, Text, Text)> = None;
        for (u, p) in ca_problems(cx) {
            let Problem::SharedCloudflare { cert } = p else {
                continue;
            };
            let same_key = cert.known == Known::CloudflareAopSameKey;
            let (message, help) = match &said {
                Some((path, key, kind, message, help))
                    if *path == u.ca.path && *key == same_key && *kind == u.ca.kind =>
                {
                    (message.clone(), help.clone())
                }
                _ => {
                    let what = if same_key {
                        "a certificate for Cloudflare's shared origin-pull CA key (not one Cloudflare has published)"
                    } else {
                        "Cloudflare's shared origin-pull CA"
                    };
                    let message: Text = format!(
                        "`{}` trusts {what}: requests from any Cloudflare account pass client verification, not only your zone's",
                        u.ca.path
                    )
                    .into();
                    let help = help(u.ca.kind);
                    said = Some((
                        &u.ca.path,
                        same_key,
                        u.ca.kind,
                        message.clone(),
                        help.clone(),
                    ));
                    (message, help)
                }
            };
            out.push(
                u.finding(
                    Self::CODE,
                    message,
                    "the shared origin-pull CA: proves Cloudflare, not your zone",
                )
                .with_help(help),
            );
        }
    }
}
