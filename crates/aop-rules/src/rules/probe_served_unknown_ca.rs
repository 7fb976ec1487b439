use aop_model::Finding;

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS request with a client certificate from a CA `aop-lint probe` made on the
    /// spot that got content: the origin asks for a certificate but does not verify it
    /// (nginx `optional_no_ca`, Caddy `mode require`), or ignores the result.
    ///
    /// ## Why it matters
    /// Any client can make such a certificate in a second, so an origin that accepts it is as
    /// open as one that asks for nothing.
    ///
    /// ## Example
    /// ```sh
    /// $ aop-lint probe 203.0.113.7 --host shop.example.com
    /// × AOP602 probe-served-unknown-ca: TLS :443 SNI shop.example.com, Host shop.example.com
    ///   GET /, a certificate from an unknown CA: HTTP 200, 612 bytes
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_client_certificate /etc/ssl/cloudflare/origin-pull-ca.pem;
    /// ssl_verify_client on;
    /// ```
    /// in the TLS server, then reload and probe again.
    pub struct ProbeServedUnknownCa {
        code: "AOP602",
        name: "probe-served-unknown-ca",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: Open,
        summary: "a running origin served content to a client certificate from a CA it cannot trust",
    }
}

/// Raised by `aop-lint probe` from what the running origin answered, not from the files.
impl ProbeServedUnknownCa {
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}
