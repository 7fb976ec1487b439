use aop_model::Finding;
use aop_pki::{format_date, CertRef, Known, Problem};

use crate::ca_files::{ca_problems, CLOUDFLARE_AOP_CA_URL};
use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a CA in a client CA file or directory that has expired or is not valid yet
    /// (error), or that expires within `--expiry-warn-days` days (warning, default 30). The
    /// time is the clock's, or `--now`.
    ///
    /// ## Why it matters
    /// OpenSSL rejects a client certificate whose chain ends in an expired CA: on that day
    /// every request from Cloudflare fails verification and the site goes down behind it.
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
    ///         ssl_client_certificate certs/zone-ca-2015.pem;
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
    ///         ssl_client_certificate certs/zone-ca-2025.pem;
    ///     }
    /// }
    /// ```
    pub struct CaExpired {
        code: "AOP303",
        name: "ca-expired",
        severity: Error,
        servers: [Nginx, Apache, Caddy],
        verdict: None,
        summary: "a client CA has expired, is not valid yet, or expires within the warning window",
    }
}

fn dated(certs: &[CertRef], date: impl Fn(&CertRef) -> i64) -> String {
    certs
        .iter()
        .map(|c| format!("`{}` ({})", c.name, format_date(date(c))))
        .collect::<Vec<_>>()
        .join(", ")
}

fn renew_help(certs: &[CertRef]) -> String {
    if certs.iter().any(|c| c.known.is_cloudflare_aop()) {
        format!("install the origin-pull CA Cloudflare publishes now ({CLOUDFLARE_AOP_CA_URL}) beside the current one, then remove the old one")
    } else {
        "put the renewed CA certificate in the file (beside the old one until every client certificate is re-issued)".to_string()
    }
}

impl CaExpired {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        for (u, p) in ca_problems(cx) {
            let path = &u.ca.path;
            let (message, label, help) = match p {
                Problem::Expired { certs } => (
                    format!(
                        "`{path}` holds expired CAs: {}: client certificates chaining to them fail verification",
                        dated(certs, |c| c.not_after)
                    ),
                    "names a file with an expired CA",
                    renew_help(certs),
                ),
                Problem::NotYetValid { certs } => (
                    format!(
                        "`{path}` holds CAs that are not valid yet: {}: client certificates chaining to them fail verification until then",
                        dated(certs, |c| c.not_before)
                    ),
                    "names a file with a CA not valid yet",
                    "check the CA's validity dates and the clock of the machine that issued it".to_string(),
                ),
                Problem::ExpiresSoon { certs, days_left } => {
                    let cloudflare = certs.iter().any(|c| c.known == Known::CloudflareAop2019);
                    let note = if cloudflare { " (Cloudflare's origin-pull CA: watch for its successor)" } else { "" };
                    (
                        format!(
                            "`{path}` holds CAs that expire within {} days: {}{note}",
                            days_left.max(&0),
                            dated(certs, |c| c.not_after)
                        ),
                        "names a file with a CA about to expire",
                        renew_help(certs),
                    )
                }
                _ => continue,
            };
            out.push(
                u.finding(Self::CODE, message, label)
                    .severity(p.severity())
                    .with_help(help),
            );
        }
    }
}
