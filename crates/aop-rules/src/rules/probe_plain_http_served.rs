use aop_model::Finding;

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a plain-HTTP request to the running origin that got content instead of a
    /// redirect or a refusal.
    ///
    /// ## Why it matters
    /// Plain HTTP has no client certificate at all: content served there is reachable by
    /// anyone, around mutual TLS.
    ///
    /// ## Example
    /// ```sh
    /// $ aop-lint probe 203.0.113.7 --host shop.example.com
    /// × AOP603 probe-plain-http-served: plain HTTP :80 Host shop.example.com GET /: HTTP 200
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
    ///     listen 80 default_server;
    ///     return 301 https://$host$request_uri;
    /// }
    /// ```
    /// then reload and probe again.
    pub struct ProbePlainHttpServed {
        code: "AOP603",
        name: "probe-plain-http-served",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: Open,
        summary: "a running origin served content over plain HTTP",
    }
}

/// Raised by `aop-lint probe` from what the running origin answered, not from the files.
impl ProbePlainHttpServed {
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}
