use aop_model::Finding;

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS request to the running origin, sent by `aop-lint probe` without a client
    /// certificate (with the site's name, with no SNI, or with a name no site has), that got
    /// content back.
    ///
    /// ## Why it matters
    /// The configuration files may require client certificates while the origin does not: it
    /// was never reloaded, another process answers on the port, a load balancer terminates
    /// TLS in front of it, or the deployed files differ from the repository. Whoever finds
    /// the address gets the site without going through Cloudflare.
    ///
    /// ## Example
    /// ```sh
    /// $ aop-lint probe 203.0.113.7 --host shop.example.com
    /// × AOP601 probe-served-without-certificate: TLS :443 SNI shop.example.com, Host
    ///   shop.example.com GET /, no client certificate: HTTP 200, 612 bytes
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl default_server;
    ///         server_name shop.example.com;
    ///         ssl_certificate /etc/ssl/shop.pem;
    ///         ssl_certificate_key /etc/ssl/shop.key;
    ///         ssl_client_certificate /etc/ssl/cloudflare/origin-pull-ca.pem;
    ///         ssl_verify_client on;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    /// and reload the server (`nginx -s reload`), then probe again.
    pub struct ProbeServedWithoutCertificate {
        code: "AOP601",
        name: "probe-served-without-certificate",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: Open,
        summary: "a running origin served content over TLS to a client that sent no certificate",
    }
}

/// Raised by `aop-lint probe` from what the running origin answered, not from the files.
impl ProbeServedWithoutCertificate {
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}
