use aop_model::Finding;

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a request `aop-lint probe --config PATH` sent whose answer differs from what
    /// the files at PATH say: the files refuse it and the running server served content (an
    /// error), or the files serve it and the server refused (an info).
    ///
    /// ## Why it matters
    /// A clean lint of files the origin does not run proves nothing: the server was never
    /// reloaded after the fix, another process answers on the port, a proxy or load balancer
    /// terminates TLS in front of it, or the deployed tree differs from the repository.
    ///
    /// ## Example
    /// ```sh
    /// $ aop-lint probe 203.0.113.7 --config /etc/nginx
    /// × AOP606 probe-differs-from-files: the files refuse this request but the running
    ///   server served it: HTTP 200, 612 bytes
    /// ```
    ///
    /// ## Use instead
    /// Reload the server so it runs the files that were linted, and probe again:
    /// ```sh
    /// nginx -t && nginx -s reload
    /// ```
    pub struct ProbeDiffersFromFiles {
        code: "AOP606",
        name: "probe-differs-from-files",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: None,
        summary: "a running origin answered a request otherwise than its configuration files say",
    }
}

/// Raised by `aop-lint probe --config` from what the running origin answered.
impl ProbeDiffersFromFiles {
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}
