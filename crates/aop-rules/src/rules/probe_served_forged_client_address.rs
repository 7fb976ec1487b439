use aop_model::Finding;

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a request to the running origin, sent by `aop-lint probe --config` without a
    /// client certificate, that claimed an address in a forwarding header the files believe
    /// (`X-Forwarded-For: 127.0.0.1`, `CF-Connecting-IP: 173.245.48.1`) and got content back.
    ///
    /// ## Why it matters
    /// A realip module (nginx `set_real_ip_from` with `real_ip_header`) or mod_remoteip
    /// (`RemoteIPHeader`) that believes senders beyond Cloudflare lets any client choose the
    /// address that `allow`, `Require local` or `Require ip` then admits: the certificate
    /// check is skipped by typing a header.
    ///
    /// ## Example
    /// ```sh
    /// $ aop-lint probe 203.0.113.7 --config /etc/nginx --host admin.example.com
    /// × AOP607 probe-served-forged-client-address: TLS :443 SNI admin.example.com, Host
    ///   admin.example.com GET / claiming X-Forwarded-For: 127.0.0.1, no client certificate:
    ///   HTTP 200, 612 bytes
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
    ///         server_name admin.example.com;
    ///         ssl_certificate /etc/ssl/admin.pem;
    ///         ssl_certificate_key /etc/ssl/admin.key;
    ///         ssl_client_certificate /etc/ssl/cloudflare/origin-pull-ca.pem;
    ///         ssl_verify_client on;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    /// (every Cloudflare range, one line each), reload the server, then probe again.
    pub struct ProbeServedForgedClientAddress {
        code: "AOP607",
        name: "probe-served-forged-client-address",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: Open,
        summary: "a running origin served content to a client that claimed another address in a forwarding header",
    }
}

/// Raised by `aop-lint probe` from what the running origin answered, not from the files.
impl ProbeServedForgedClientAddress {
    fn check(_cx: &Context, _out: &mut Vec<Finding>) {}
}
