use aop_model::Finding;

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports an include the server cannot follow: a missing file named without a wildcard
    /// (nginx and Apache's `Include` refuse to start), an include cycle, includes nested too
    /// deep. A wildcard that matches nothing is not reported: both servers accept it.
    ///
    /// ## Why it matters
    /// A missing include stops the server from loading this configuration, and whatever the
    /// missing file holds (often the site's TLS and client-verification settings) was not
    /// checked.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     include sites/shop.conf;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     include sites/*.conf;
    /// }
    /// ```
    pub struct IncludeUnresolved {
        id: aop_model::codes::INCLUDE_UNRESOLVED,
        servers: [Nginx, Apache, Caddy],
        verdict: None,
        summary: "an include the server cannot follow: missing file, cycle, too deep",
    }
}

impl IncludeUnresolved {
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}

#[cfg(test)]
mod tests {
    use super::IncludeUnresolved;
    use crate::tester::Tester;

    #[test]
    fn vectors() {
        let findings = Tester::new(&IncludeUnresolved)
            // Nothing exists below the tester's root: every named file is missing.
            .nginx_fail("http { include sites-enabled/shop.conf; }")
            .nginx_pass("http { include sites-enabled/*.conf; }")
            .apache_fail("Include sites-enabled/shop.conf")
            .apache_pass("IncludeOptional sites-enabled/*.conf")
            .run();
        insta::assert_snapshot!(findings);
    }
}
