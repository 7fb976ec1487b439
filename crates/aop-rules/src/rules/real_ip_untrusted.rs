use aop_model::{Finding, Label};

use crate::cloudflare_ips::{is_cloudflare, is_internal, is_retired, Cidr};
use crate::{declare_rule, Context, Meta, Rule};

declare_rule! {
    /// ## What it does
    /// Reports `set_real_ip_from` sources wider than Cloudflare's published address ranges:
    /// the whole internet (`0.0.0.0/0`, `::/0`), any public range that is not Cloudflare's,
    /// a range Cloudflare no longer publishes, or a host name. Loopback and private ranges
    /// (a proxy on the same network) are accepted. Apache's `RemoteIPTrustedProxy` is not
    /// checked yet.
    ///
    /// ## Why it matters
    /// With the realip module, nginx replaces the client's address with the one a request
    /// header claims, when the connection comes from a trusted source. Trusting more than
    /// Cloudflare lets anyone who reaches the origin choose the address nginx logs, rate
    /// limits and checks `allow`/`deny` rules against.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     set_real_ip_from 0.0.0.0/0;
    ///     real_ip_header CF-Connecting-IP;
    ///     server {
    ///         listen 443 ssl default_server;
    ///         ssl_reject_handshake on;
    ///     }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     set_real_ip_from 173.245.48.0/20;
    ///     set_real_ip_from 2400:cb00::/32;
    ///     real_ip_header CF-Connecting-IP;
    ///     server {
    ///         listen 443 ssl default_server;
    ///         ssl_reject_handshake on;
    ///     }
    /// }
    /// ```
    pub struct RealIpUntrusted {
        code: "AOP501",
        name: "real-ip-untrusted",
        severity: Warning,
        servers: [Nginx],
        summary: "client addresses taken from a header set by sources wider than Cloudflare",
    }
}

/// Why a source is too wide, or `None` when it is Cloudflare's or internal.
fn too_wide(source: &str) -> Option<String> {
    if source.starts_with("unix:") {
        return None;
    }
    if is_retired(source) {
        return Some(format!(
            "`{source}` was once in Cloudflare's published ranges and is not now"
        ));
    }
    match Cidr::parse(source) {
        None => Some(format!(
            "`{source}` is a host name: which addresses it trusts depends on DNS at start-up"
        )),
        Some(c) if is_cloudflare(&c) || is_internal(&c) => None,
        Some(c) if c.prefix == 0 => Some(format!(
            "`{source}` trusts every address on the internet to set the client's address"
        )),
        Some(_) => Some(format!(
            "`{source}` is neither Cloudflare's nor a private range"
        )),
    }
}

impl Rule for RealIpUntrusted {
    fn meta(&self) -> &'static Meta {
        &Self::META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        // An http-level list is inherited by many servers: report each directive once.
        let mut seen = std::collections::HashSet::new();
        for s in &cx.config.servers {
            let Some(real_ip) = &s.real_ip else { continue };
            let header = real_ip
                .header
                .as_ref()
                .map_or("X-Real-IP", |(h, _)| h.as_str());
            for (source, span) in &real_ip.trusted {
                let Some(why) = too_wide(source) else {
                    continue;
                };
                if !seen.insert(*span) {
                    continue;
                }
                let mut f = Finding::new(
                    Self::CODE,
                    format!("{why}; `{header}` from there is taken as the client's address"),
                    Label::new(*span, "trusted to set the client's address"),
                )
                .with_help(
                    "trust only Cloudflare's ranges (https://www.cloudflare.com/ips/), one line each:\n    set_real_ip_from 173.245.48.0/20;\n    ...\n    set_real_ip_from 2400:cb00::/32;\n    real_ip_header CF-Connecting-IP;",
                )
                .for_server(s.reference());
                if let Some((_, h)) = &real_ip.header {
                    f = f.with_label(Label::new(*h, "header read here"));
                }
                out.push(f);
            }
        }
    }
}
