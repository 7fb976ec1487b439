use aop_model::Finding;

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a TLS origin whose CertificateRequest names more CAs than an origin-pull setup
    /// needs (Cloudflare's CA, and perhaps a zone's own): the client CA file is a public
    /// bundle, or the system's trust store.
    ///
    /// ## Why it matters
    /// A public CA issues certificates to anyone who owns a domain. An origin that trusts
    /// them for client authentication lets anyone with such a certificate in.
    ///
    /// ## Example
    /// ```sh
    /// $ aop-lint probe 203.0.113.7 --host shop.example.com
    /// ⚠ AOP604 probe-public-ca-list: the origin asks for client certificates from 142 CAs
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_client_certificate /etc/ssl/cloudflare/origin-pull-ca.pem;
    /// ```
    /// instead of a bundle such as `/etc/ssl/certs/ca-certificates.crt`, then reload and
    /// probe again.
    pub struct ProbePublicCaList {
        code: "AOP604",
        name: "probe-public-ca-list",
        severity: Warning,
        servers: [Nginx, Apache],
        verdict: None,
        summary: "a running origin asks for client certificates from a long list of CAs, as a public bundle gives",
    }
}

/// Raised by `aop-lint probe` from what the running origin answered, not from the files.
impl ProbePublicCaList {
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}
