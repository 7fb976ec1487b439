use aop_model::Finding;

use crate::{declare_rule, Context, Meta, Rule};

declare_rule! {
    /// ## What it does
    /// Reports syntax the server would refuse to load: an unexpected `;`, `{` or `}`, a
    /// missing semicolon, an unclosed block or quote, an invalid value for a directive whose
    /// value decides client verification; and what nginx checks once the file is read: a
    /// duplicate `default_server`, a TLS address:port whose default server (or, behind a
    /// default that refuses handshakes, any server) has no `ssl_certificate`, a variable
    /// that neither nginx nor the tree defines (`unknown "connection_upgrade" variable`).
    /// Messages are nginx's own (docs/semantics.md lists the checks).
    ///
    /// ## Why it matters
    /// A configuration the server rejects does not run: the server keeps its previous
    /// configuration, or does not start. What the rest of the report says about this tree is
    /// then about a configuration that is not in force.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl
    ///     }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl;
    ///         ssl_reject_handshake on;
    ///     }
    /// }
    /// ```
    pub struct ParseError {
        code: "AOP001",
        name: "parse-error",
        severity: Error,
        servers: [Nginx, Apache, Caddy],
        summary: "syntax the server would reject",
    }
}

impl Rule for ParseError {
    fn meta(&self) -> &'static Meta {
        &Self::META
    }

    fn check(&self, _cx: &Context, _out: &mut Vec<Finding>) {}
}
