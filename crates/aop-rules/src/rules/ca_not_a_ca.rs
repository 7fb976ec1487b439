use aop_model::Finding;
use aop_pki::{NotCaReason, Problem};

use crate::ca_files::ca_problems;
use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a certificate in a client CA file that cannot sign client certificates: no
    /// basicConstraints `CA:TRUE`, or a keyUsage without `keyCertSign`. A leaf certificate
    /// (often the client's own, or the origin's server certificate) put where its issuer
    /// belongs is the usual cause.
    ///
    /// ## Why it matters
    /// OpenSSL does not accept a chain through a certificate that is not a CA, so verification
    /// fails for the clients this file was meant to admit, Cloudflare's included.
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
    ///         ssl_client_certificate certs/shop.example.com.pem;
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
    pub struct CaNotACa {
        code: "AOP304",
        name: "ca-not-a-ca",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: None,
        summary: "a certificate in the client CA file is not a CA (no CA:TRUE or no keyCertSign)",
    }
}

fn reason(r: NotCaReason) -> &'static str {
    match r {
        NotCaReason::NoBasicConstraints => "no basicConstraints CA:TRUE",
        NotCaReason::CaFalse => "basicConstraints CA:FALSE",
        NotCaReason::NoKeyCertSign => "keyUsage without keyCertSign",
    }
}

impl CaNotACa {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        for (u, p) in ca_problems(cx) {
            let path = &u.ca.path;
            let Problem::NotACa { certs } = p else {
                continue;
            };
            let what: Vec<String> = certs
                .iter()
                .map(|(c, r)| format!("`{}` ({})", c.name, reason(*r)))
                .collect();
            let issuers: Vec<String> = certs
                .iter()
                .filter(|(c, _)| c.issuer != c.subject)
                .map(|(c, _)| format!("`{}`", c.issuer))
                .collect();
            let help = if issuers.is_empty() {
                "name the CA certificate that signs the client certificates instead".to_string()
            } else {
                format!("name the CA that issued it instead: {}", issuers.join(", "))
            };
            let message = match what.as_slice() {
                [one] => format!(
                    "`{path}` holds {one}, which is not a CA: no client certificate can chain to it"
                ),
                many => format!(
                    "`{path}` holds certificates that are not CAs: {}: no client certificate can chain to them",
                    many.join(", ")
                ),
            };
            out.push(
                u.finding(
                    Self::CODE,
                    message,
                    "names a file with a certificate that is not a CA",
                )
                .with_help(help),
            );
        }
    }
}
