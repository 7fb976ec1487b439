use aop_model::Finding;

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a part of the configuration aop-lint could not check: a directory it could not
    /// list, a file over the size limit, a variable it cannot resolve, `stream {}` servers,
    /// `.htaccess` files that may change client verification.
    ///
    /// ## Why it matters
    /// A linter that stays silent about what it did not read presents a guess as a clean
    /// result. This finding keeps the gap visible so it can be checked by hand or fixed.
    ///
    /// Input that was not read at all (a file over the size limit, a directory that cannot
    /// be listed, a pattern or the inclusion count over its limit, an absolute path outside
    /// the linted tree with no `--root`) is reported at **error** severity, so that no gate,
    /// not even `--fail-on error`, passes a tree that was not fully read. What was read but
    /// cannot be decided is a warning.
    ///
    /// ## Example
    /// ```nginx
    /// stream {
    ///     server {
    ///         listen 443;
    ///         proxy_pass 127.0.0.1:8443;
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
    pub struct NotChecked {
        id: aop_model::codes::NOT_CHECKED,
        servers: [Nginx, Apache, Caddy],
        verdict: None,
        summary: "part of the configuration could not be checked",
    }
}

impl NotChecked {
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}

#[cfg(test)]
mod tests {
    use super::NotChecked;
    use crate::tester::Tester;

    #[test]
    fn vectors() {
        let findings = Tester::new(&NotChecked)
            .nginx_fail("stream { server { listen 443; proxy_pass 127.0.0.1:8443; } }")
            // A listen parameter this nginx does not know.
            .nginx_fail(
                "http { server { listen 443 ssl default_server http3; ssl_reject_handshake on; } }",
            )
            .nginx_pass(
                "http { server { listen 443 ssl default_server; ssl_reject_handshake on; } }",
            )
            .apache_fail(
                "Listen 80
                <VirtualHost *:80>
                    DocumentRoot /var/www/shop
                    <Directory /var/www/shop>
                        AllowOverride All
                    </Directory>
                </VirtualHost>",
            )
            .apache_pass(
                "Listen 80
                <VirtualHost *:80>
                    DocumentRoot /var/www/shop
                </VirtualHost>",
            )
            .run();
        insta::assert_snapshot!(findings);
    }
}
