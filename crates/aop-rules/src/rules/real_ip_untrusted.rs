use aop_model::{Finding, Label, Server, ServerKind};

use crate::cloudflare_ips::{is_cloudflare, is_internal, is_retired, parse_range, V4, V6};
use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports sources trusted to set the client's address that are wider than Cloudflare's
    /// published address ranges: nginx's `set_real_ip_from`, Apache's `RemoteIPTrustedProxy`
    /// and `RemoteIPInternalProxy` (and the files of their `...List` forms). Too wide are the
    /// whole internet (`0.0.0.0/0`, `::/0`; Apache refuses a `/0` but takes `/0.0.0.0`), any public
    /// range that is not Cloudflare's, a range Cloudflare no longer publishes, and a host name.
    /// Loopback, private ranges and the shared address space `100.64.0.0/10` (a proxy on the
    /// same network; none is routed on the internet) are accepted. Apache's
    /// `RemoteIPHeader` with no trusted proxy at all is reported too: mod_remoteip then takes
    /// the header from every peer. A virtual host trusts the main server's proxies and its
    /// own together. Caddy: the global `servers { trusted_proxies static ... }`.
    ///
    /// ## Why it matters
    /// With nginx's realip module or Apache's mod_remoteip, the server replaces the client's
    /// address with the one a request header claims, when the connection comes from a
    /// trusted source. Trusting more than Cloudflare lets anyone who reaches the origin choose
    /// the address the server logs, rate limits and checks `allow`/`deny` or `Require ip`
    /// rules against.
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
    /// ```apache
    /// LoadModule remoteip_module modules/mod_remoteip.so
    /// RemoteIPHeader CF-Connecting-IP
    /// RemoteIPTrustedProxy 0.0.0.0/1 128.0.0.0/1
    /// <VirtualHost *:80>
    ///     ServerName www.example.com
    ///     Redirect permanent / https://www.example.com/
    /// </VirtualHost>
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
    ///
    /// ```apache
    /// LoadModule remoteip_module modules/mod_remoteip.so
    /// LoadModule alias_module modules/mod_alias.so
    /// RemoteIPHeader CF-Connecting-IP
    /// RemoteIPTrustedProxy 173.245.48.0/20 103.21.244.0/22 2400:cb00::/32
    /// <VirtualHost *:80>
    ///     ServerName www.example.com
    ///     Redirect permanent / https://www.example.com/
    /// </VirtualHost>
    /// ```
    pub struct RealIpUntrusted {
        code: "AOP501",
        name: "real-ip-untrusted",
        severity: Warning,
        servers: [Nginx, Apache, Caddy],
        verdict: None,
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
    match parse_range(source) {
        None => Some(format!(
            "`{source}` is a host name: which addresses it trusts depends on DNS at start-up"
        )),
        Some(c) if is_cloudflare(&c) || is_internal(&c) => None,
        Some(c) if c.prefix_len() == 0 => Some(format!(
            "`{source}` trusts every address on the internet to set the client's address"
        )),
        Some(_) => Some(format!(
            "`{source}` is neither Cloudflare's nor a private range"
        )),
    }
}

/// The directives to paste: Cloudflare's ranges and the header it sets.
fn help(kind: ServerKind) -> String {
    match kind {
        ServerKind::Caddy => "trust only Cloudflare's ranges (https://www.cloudflare.com/ips/) in the global options:\n    {\n        servers {\n            trusted_proxies static 173.245.48.0/20 ... 2400:cb00::/32\n            client_ip_headers CF-Connecting-IP\n        }\n    }".into(),
        ServerKind::Nginx => "trust only Cloudflare's ranges (https://www.cloudflare.com/ips/), one line each:\n    set_real_ip_from 173.245.48.0/20;\n    ...\n    set_real_ip_from 2400:cb00::/32;\n    real_ip_header CF-Connecting-IP;".into(),
        ServerKind::Apache => {
            // Each `RemoteIPTrustedProxy` adds to the list: short lines stay pasteable.
            let lines: Vec<String> = V4
                .chunks(4)
                .chain(V6.chunks(3))
                .map(|c| format!("\n    RemoteIPTrustedProxy {}", c.join(" ")))
                .collect();
            format!(
                "trust only Cloudflare's ranges (https://www.cloudflare.com/ips/):\n    RemoteIPHeader CF-Connecting-IP{}",
                lines.concat()
            )
        }
    }
}

/// Apache's `RemoteIPHeader` with no proxy named: mod_remoteip believes every peer.
fn trusts_every_peer(s: &Server, header: &str, span: aop_source::Span) -> Finding {
    Finding::new(
        RealIpUntrusted::CODE,
        format!(
            "`RemoteIPHeader {header}` without `RemoteIPTrustedProxy`: mod_remoteip takes the client's address from every peer that sends `{header}`"
        ),
        Label::new(span, "believed from every peer"),
    )
    .with_help(help(s.kind))
    .for_server(s.reference())
}

impl RealIpUntrusted {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        // An http-level (main server) list is inherited by many servers: report each
        // directive once.
        let mut seen = std::collections::HashSet::new();
        for s in &cx.config.servers {
            let Some(real_ip) = &s.real_ip else { continue };
            let default_header = match s.kind {
                ServerKind::Caddy => "X-Forwarded-For",
                _ => "X-Real-IP",
            };
            let header = real_ip
                .header
                .as_ref()
                .map_or(default_header, |(h, _)| h.as_str());
            if real_ip.trusted.is_empty() {
                if let Some((_, span)) = &real_ip.header {
                    if seen.insert(*span) {
                        out.push(trusts_every_peer(s, header, *span));
                    }
                }
                continue;
            }
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
                .with_help(help(s.kind))
                .for_server(s.reference());
                if let Some((_, h)) = &real_ip.header {
                    f = f.with_label(Label::new(*h, "header read here"));
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RealIpUntrusted;
    use crate::tester::Tester;

    #[test]
    fn vectors() {
        let findings = Tester::new(&RealIpUntrusted)
            .nginx_fail(
                "http { set_real_ip_from 0.0.0.0/0; real_ip_header CF-Connecting-IP;
                    server { listen 443 ssl default_server; ssl_reject_handshake on; } }",
            )
            // A range Cloudflare no longer uses.
            .nginx_fail(
                "http { set_real_ip_from 104.16.0.0/12; real_ip_header CF-Connecting-IP;
                    server { listen 443 ssl default_server; ssl_reject_handshake on; } }",
            )
            .nginx_pass(
                "http { set_real_ip_from 173.245.48.0/20; set_real_ip_from 10.0.0.0/8;
                    real_ip_header CF-Connecting-IP;
                    server { listen 443 ssl default_server; ssl_reject_handshake on; } }",
            )
            .apache_fail(
                "LoadModule remoteip_module modules/mod_remoteip.so
                Listen 80
                RemoteIPHeader CF-Connecting-IP
                RemoteIPTrustedProxy 0.0.0.0/1 128.0.0.0/1
                <VirtualHost *:80>
                    DocumentRoot /var/www/shop
                </VirtualHost>",
            )
            .apache_pass(
                "LoadModule remoteip_module modules/mod_remoteip.so
                Listen 80
                RemoteIPHeader CF-Connecting-IP
                RemoteIPTrustedProxy 173.245.48.0/20
                <VirtualHost *:80>
                    DocumentRoot /var/www/shop
                </VirtualHost>",
            )
            .run();
        insta::assert_snapshot!(findings);
    }
}
