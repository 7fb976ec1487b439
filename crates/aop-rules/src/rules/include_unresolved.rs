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
        servers: [Nginx, Apache],
        verdict: None,
        summary: "an include the server cannot follow: missing file, cycle, too deep",
    }
}

impl IncludeUnresolved {
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}
