use aop_model::Finding;

use crate::{declare_rule, Context};

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
        id: aop_model::codes::PARSE_ERROR,
        servers: [Nginx, Apache, Caddy],
        verdict: None,
        summary: "syntax the server would reject",
    }
}

impl ParseError {
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}

#[cfg(test)]
mod tests {
    use super::ParseError;
    use crate::tester::Tester;

    #[test]
    fn vectors() {
        let findings = Tester::new(&ParseError)
            .nginx_fail("http { server { listen 443 ssl } }")
            .nginx_fail("http { server { listen 443 ssl; ssl_verify_client maybe; } }")
            .nginx_pass(
                "http { server { listen 443 ssl default_server; ssl_reject_handshake on; } }",
            )
            .apache_fail(
                "LoadModule ssl_module modules/mod_ssl.so
                <VirtualHost *:443>
                    SSLVerifyClient sometimes
                </VirtualHost>",
            )
            .apache_pass(
                "LoadModule ssl_module modules/mod_ssl.so
                <VirtualHost *:443>
                    SSLVerifyClient require
                </VirtualHost>",
            )
            .run();
        insta::assert_snapshot!(findings);
    }
}
