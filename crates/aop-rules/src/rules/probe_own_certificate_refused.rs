use aop_model::Finding;

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports the request made with your own client certificate (`--client-cert`, e.g. the
    /// certificate Cloudflare presents for your zone) that did not get content.
    ///
    /// ## Why it matters
    /// It is the path that must work: if the origin refuses it, Cloudflare's requests are
    /// refused too, or the origin trusts another CA than the one you expect.
    ///
    /// ## Example
    /// ```sh
    /// $ aop-lint probe 203.0.113.7 --host shop.example.com --client-cert zone.pem --client-key zone.key
    /// ⚠ AOP605 probe-own-certificate-refused: ... your client certificate: HTTP 400
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_client_certificate /etc/ssl/cloudflare/shop-zone-ca.pem;
    /// ```
    /// naming the CA that issued the certificate you probe with.
    pub struct ProbeOwnCertificateRefused {
        code: "AOP605",
        name: "probe-own-certificate-refused",
        severity: Warning,
        servers: [Nginx, Apache],
        verdict: None,
        summary: "a running origin refused the client certificate given with --client-cert",
    }
}

/// Raised by `aop-lint probe` from what the running origin answered, not from the files.
impl ProbeOwnCertificateRefused {
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}
