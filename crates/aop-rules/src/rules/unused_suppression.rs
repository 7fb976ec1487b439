use aop_model::Finding;

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports an inline suppression, `# aop-lint: ignore CODE -- reason`, that silences
    /// nothing: no finding of the named rule points at the line of the comment or, for a
    /// comment on a line of its own, at the line below it. A suppression that cannot be read
    /// (no reason after `--`, an unknown rule, a word other than `ignore`) is reported too,
    /// and silences nothing. This rule itself is turned off in `aop-lint.toml`
    /// (`ignore = ["AOP003"]`) or with `--ignore`, not inline.
    ///
    /// A suppression is written on the line of the directive a finding points at, or on the
    /// line above it:
    ///
    /// ```text
    /// # aop-lint: ignore AOP201 -- the load balancer only forwards shop.example.com
    /// listen 443 ssl;
    /// ```
    ///
    /// ## Why it matters
    /// A suppression outlives the problem it hid. When the configuration changes, a stale
    /// comment hides the next finding on that line, one nobody reviewed: a server that stops
    /// verifying client certificates would pass the gate silently. A suppression without a
    /// reason leaves the next reader unable to tell a decision from a shortcut.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl default_server;
    ///         # aop-lint: ignore AOP201 -- the catch-all below refuses unknown names
    ///         ssl_reject_handshake on;
    ///     }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl default_server;
    ///         ssl_reject_handshake on;
    ///     }
    /// }
    /// ```
    pub struct UnusedSuppression {
        code: "AOP003",
        name: "unused-suppression",
        severity: Warning,
        servers: [Nginx, Apache],
        verdict: None,
        summary: "an inline suppression that silences nothing, or cannot be read",
    }
}

impl UnusedSuppression {
    /// Suppressions are matched against every other rule's findings after all rules ran, in
    /// `aop-gate`; this rule only declares the code it reports under.
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}
