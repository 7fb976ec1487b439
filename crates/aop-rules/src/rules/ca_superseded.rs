use aop_model::Finding;
use aop_pki::{
    format_date, format_sha256, Problem, CLOUDFLARE_AOP_2019_NOT_AFTER, CLOUDFLARE_AOP_2019_SHA256,
};

use crate::ca_files::{ca_problems, CLOUDFLARE_AOP_CA_URL};
use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports Cloudflare's origin-pull CA of 2015 in a client CA file. It expired on
    /// 2020-01-12 and was replaced by the certificate of 2019 (valid to 2029-11-01), which
    /// has the same subject, serial and key: only the fingerprint tells them apart.
    ///
    /// ## Why it matters
    /// OpenSSL refuses a chain ending in an expired trust anchor. A file holding only the old
    /// certificate rejects every request from Cloudflare; beside the new one it is dead
    /// weight that hides which certificate is really in use.
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
    ///         ssl_client_certificate certs/origin-pull-ca-2015.pem;
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
    ///         ssl_client_certificate certs/origin-pull-ca.pem;
    ///     }
    /// }
    /// ```
    pub struct CaSuperseded {
        code: "AOP306",
        name: "ca-superseded",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: None,
        summary: "Cloudflare's origin-pull CA of 2015, expired and replaced, is still in the client CA file",
    }
}

impl CaSuperseded {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        for (u, p) in ca_problems(cx) {
            let Problem::Superseded {
                cert,
                replacement_present,
            } = p
            else {
                continue;
            };
            let (consequence, help) = if *replacement_present {
                (
                    "beside its replacement: the dead certificate only hides which one is in use",
                    "remove the 2015 certificate from the file".to_string(),
                )
            } else {
                (
                    "without its replacement: every request from Cloudflare fails client verification",
                    format!(
                        "replace it with the current origin-pull CA (SHA-256 {}, valid until {}):\n    {CLOUDFLARE_AOP_CA_URL}",
                        format_sha256(&CLOUDFLARE_AOP_2019_SHA256),
                        format_date(CLOUDFLARE_AOP_2019_NOT_AFTER)
                    ),
                )
            };
            out.push(
                u.finding(
                    Self::CODE,
                    format!(
                        "`{}` holds Cloudflare's origin-pull CA of 2015, expired on {}, {consequence}",
                        u.ca.path,
                        cert.not_after_date()
                    ),
                    "Cloudflare's superseded origin-pull CA (2015)",
                )
                .severity(p.severity())
                .with_help(help),
            );
        }
    }
}
