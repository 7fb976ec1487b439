use aop_model::Finding;
use aop_pki::{hex_sha256, Problem};

use crate::ca_files::{ca_problems, directive_line, name_list, CLOUDFLARE_AOP_CA_URL};
use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a CA file or directory used for client verification that trusts a
    /// certificate which is neither Cloudflare's origin-pull CA nor one of the user's own CAs
    /// declared in `aop-lint.toml` (`trusted_ca_sha256`). The message counts them and names a
    /// few. Cloudflare's *Origin CA* roots get their own explanation: they sign origin server
    /// certificates, not the client certificate Cloudflare presents.
    ///
    /// ## Why it matters
    /// Client verification admits anyone holding a certificate signed by any CA in the file.
    /// A system trust bundle (`/etc/ssl/certs/ca-certificates.crt`) in its place lets every
    /// holder of a publicly issued certificate past the lock, straight to the origin.
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
    ///         ssl_client_certificate /etc/ssl/certs/ca-certificates.crt;
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
    ///         ssl_client_certificate /etc/ssl/cloudflare/origin-pull-ca.pem;
    ///     }
    /// }
    /// ```
    pub struct CaUntrusted {
        code: "AOP302",
        name: "ca-untrusted",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: None,
        summary: "the client CA file trusts certificates that are neither Cloudflare's origin-pull CA nor declared",
    }
}

impl CaUntrusted {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        for (u, p) in ca_problems(cx) {
            let path = &u.ca.path;
            let replace = directive_line(u.ca, "/etc/ssl/cloudflare/origin-pull-ca.pem");
            match p {
                Problem::Untrusted {
                    total,
                    untrusted,
                    examples,
                } => {
                    let names: Vec<String> = examples.iter().map(|c| c.name.clone()).collect();
                    let of_total = if total > untrusted {
                        format!(" ({untrusted} of its {total} certificates)")
                    } else {
                        String::new()
                    };
                    let message = format!(
                        "`{path}` trusts CAs that are neither Cloudflare's origin-pull CA nor declared as yours{of_total}: {}: anyone holding a certificate they issued passes client verification",
                        name_list(&names, *untrusted)
                    );
                    let first = examples
                        .first()
                        .map(|c| hex_sha256(&c.sha256))
                        .unwrap_or_default();
                    let help = format!(
                        "verify against Cloudflare's origin-pull CA alone ({CLOUDFLARE_AOP_CA_URL}):\n    {replace}\nor, if a CA listed here is your own (Authenticated Origin Pulls with your certificate), declare it in aop-lint.toml:\n    trusted_ca_sha256 = [\n        \"{first}\",\n    ]"
                    );
                    out.push(
                        u.finding(
                            Self::CODE,
                            message,
                            "trusts CAs that are not Cloudflare's origin-pull CA",
                        )
                        .with_help(help),
                    );
                }
                Problem::OriginCaConfusion { certs } => {
                    let which: Vec<&str> = certs.iter().map(|c| c.known.describe()).collect();
                    let with_aop = u
                        .analysis
                        .problems
                        .iter()
                        .any(|p| matches!(p, Problem::SharedCloudflare { .. }));
                    let consequence = if with_aop {
                        "it has no place in a client CA file"
                    } else {
                        "Cloudflare's requests fail verification"
                    };
                    let message = format!(
                        "`{path}` holds {}, which signs origin server certificates, not the client certificate Cloudflare presents: {consequence}",
                        which.join(" and ")
                    );
                    let help = format!(
                        "Authenticated Origin Pulls verify against Cloudflare's origin-pull CA ({CLOUDFLARE_AOP_CA_URL}), not the Origin CA:\n    {replace}"
                    );
                    out.push(
                        u.finding(
                            Self::CODE,
                            message,
                            "Cloudflare's Origin CA, not its origin-pull CA",
                        )
                        .with_help(help),
                    );
                }
                _ => {}
            }
        }
    }
}
