use aop_model::{
    ClientVerify, Finding, Handshakes, Label, Origin, Server, ServerKind, Severity, Version,
    VersionRange,
};

use crate::apache_sni::{self, Crossing};
use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports, for nginx versions with CVE-2025-23419 (1.11.4 up to 1.26.2, and 1.27.0 to
    /// 1.27.3), a server that requires a client certificate from its CA while another server
    /// of its TLS address:port completes handshakes verifying client certificates against a
    /// CA it does not name, and the default server of that address:port resumes TLS sessions:
    /// session tickets (on unless `ssl_session_tickets off`) or a session cache
    /// (`ssl_session_cache builtin` or `shared:`). The default server counts even when it
    /// refuses handshakes (`ssl_reject_handshake on`): its settings resume every session made
    /// on the address:port.
    ///
    /// The version is `--nginx-version` or `nginx_version` in `aop-lint.toml`. Without it the
    /// server is assumed affected and the finding is a warning that says so; with a fixed
    /// version (1.26.3 and later 1.26, 1.27.4 and later) nothing is reported.
    /// Distributions backport fixes: Debian 12's 1.22.1 refused these resumptions when
    /// measured (a session made without SNI still resumed there, which
    /// `handshake-crosses-client-ca` reports on every version).
    ///
    /// Apache: CVE-2025-23048 (httpd 2.4.35 up to 2.4.63, fixed in 2.4.64): a vhost that
    /// requires a client certificate from its CA while another vhost of its TLS
    /// address:port (not the default one: `handshake-crosses-client-ca` reports that)
    /// verifies against a CA it does not name, and neither vhost sets
    /// `SSLStrictSNIVHostCheck on`. The version is `--apache-version` or `apache_version`; a
    /// tree that sets `SSLVHostSNIPolicy` (2.4.66 and later) is judged fixed. Always a
    /// warning: the facts come from the advisory, which says "some configurations", and the
    /// resumption was not reproduced. httpd 2.4.62 (built from its source) never resumed a
    /// session of one vhost at another, with session tickets, a shared session cache or a
    /// shared ticket key, TLS 1.3 or 1.2; neither did 2.4.71.
    ///
    /// ## Why it matters
    /// A client with a certificate from the other server's CA makes a full TLS 1.3 handshake
    /// there, then resumes that session with the SNI and `Host` of the protected server. The
    /// resumed session keeps the first verification's result, so the protected server serves
    /// it without ever seeing a certificate from its own CA (measured on nginx 1.26.2; 1.30.4
    /// makes a full handshake and refuses with `400`).
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl default_server;
    ///         ssl_reject_handshake on;
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name partner.example.com;
    ///         ssl_certificate     certs/partner.example.com.pem;
    ///         ssl_certificate_key certs/partner.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8081; }
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate     certs/shop.example.com.pem;
    ///         ssl_certificate_key certs/shop.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/shop-zone-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    /// ```apache
    /// <VirtualHost *:443>
    ///     ServerName default.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/shop.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/shop.example.com.key
    ///     <Location "/">
    ///         Require all denied
    ///     </Location>
    /// </VirtualHost>
    /// <VirtualHost *:443>
    ///     ServerName partner.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/partner.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/partner.example.com.key
    ///     SSLVerifyClient require
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     DocumentRoot /var/www/partner
    /// </VirtualHost>
    /// <VirtualHost *:443>
    ///     ServerName shop.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/shop.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/shop.example.com.key
    ///     SSLVerifyClient require
    ///     SSLCACertificateFile /etc/ssl/cloudflare/shop-zone-ca.pem
    ///     DocumentRoot /var/www/shop
    /// </VirtualHost>
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl default_server;
    ///         ssl_reject_handshake on;
    ///         ssl_session_tickets off;
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name partner.example.com;
    ///         ssl_certificate     certs/partner.example.com.pem;
    ///         ssl_certificate_key certs/partner.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8081; }
    ///     }
    ///     server {
    ///         listen 443 ssl;
    ///         server_name shop.example.com;
    ///         ssl_certificate     certs/shop.example.com.pem;
    ///         ssl_certificate_key certs/shop.example.com.key;
    ///         ssl_verify_client on;
    ///         ssl_client_certificate certs/shop-zone-ca.pem;
    ///         location / { proxy_pass http://127.0.0.1:8080; }
    ///     }
    /// }
    /// ```
    /// or upgrade to nginx 1.26.3, 1.27.4 or later. Apache: the same vhosts after
    /// `SSLStrictSNIVHostCheck on` in the main server, or httpd 2.4.64 or later:
    /// ```apache
    /// SSLStrictSNIVHostCheck on
    /// <VirtualHost *:443>
    ///     ServerName partner.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/partner.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/partner.example.com.key
    ///     SSLVerifyClient require
    ///     SSLCACertificateFile /etc/ssl/cloudflare/origin-pull-ca.pem
    ///     DocumentRoot /var/www/partner
    /// </VirtualHost>
    /// <VirtualHost *:443>
    ///     ServerName shop.example.com
    ///     SSLEngine on
    ///     SSLCertificateFile /etc/ssl/certs/shop.example.com.pem
    ///     SSLCertificateKeyFile /etc/ssl/private/shop.example.com.key
    ///     SSLVerifyClient require
    ///     SSLCACertificateFile /etc/ssl/cloudflare/shop-zone-ca.pem
    ///     DocumentRoot /var/www/shop
    /// </VirtualHost>
    /// ```
    pub struct SessionResumptionCrossesClientCa {
        code: "AOP204",
        name: "session-resumption-crosses-client-ca",
        severity: Error,
        servers: [Nginx, Apache],
        verdict: None,
        reads: [apache_sni::SNI_POLICY, apache_sni::STRICT_SNI],
        summary: "CVE-2025-23419 (nginx), CVE-2025-23048 (Apache): a TLS session verified by one server resumes in another that trusts another CA",
    }
}

/// nginx releases with CVE-2025-23419.
const AFFECTED: [VersionRange; 2] = [
    VersionRange::new(Version::new(1, 11, 4), Version::new(1, 26, 3)),
    VersionRange::new(Version::new(1, 27, 0), Version::new(1, 27, 4)),
];

fn affected(v: Version) -> bool {
    AFFECTED.iter().any(|r| r.contains(v))
}

/// What makes the default server resume sessions, for a label.
fn resumption_label(default: &Server) -> Label {
    if let Some(span) = default.session_cache {
        return Label::new(span, "a session cache: sessions resume by id");
    }
    match default.session_tickets.origin {
        Origin::Own(span) | Origin::Inherited(span) => {
            Label::new(span, "session tickets on: sessions resume from tickets")
        }
        Origin::Default => Label::new(
            default.span,
            "the default server: its session tickets (on by default) resume every session on this address:port",
        ),
    }
}

/// Apache: CVE-2025-23048, per protected vhost, from the first other non-default vhost
/// whose sessions would resume there.
fn check_apache(cx: &Context, out: &mut Vec<Finding>) {
    let config = cx.config;
    let version = cx.versions.apache;
    for ap in config.tls_address_ports_from_outside() {
        let address_port = ap.address_port();
        // The vhosts whose sessions may resume elsewhere; for a target that asks again for a
        // certificate, only those whose handshake required one
        // (`apache_sni::verification_carries`).
        let resuming = |h: &Server| apache_sni::strict_sni(h).is_none();
        let any = Handshakes::new(config, &ap.servers, resuming);
        let requiring = Handshakes::new(config, &ap.servers, |h| {
            resuming(h) && h.client_verify.value == ClientVerify::On
        });
        for &t in &ap.servers {
            let target = &config.servers[t];
            // Open for the release given, or for some release when none was.
            if apache_sni::resumption_crossing_to(version, target) == Crossing::Closed {
                continue;
            }
            let index = if apache_sni::asks_again(target) {
                &requiring
            } else {
                &any
            };
            let Some(h) = index.first_admitting(target, &[t, ap.default]) else {
                continue;
            };
            let other = &config.servers[h];
            let mut f = Finding::new(
                SessionResumptionCrossesClientCa::CODE,
                format!(
                    "vhost `{}` requires a client certificate, but a TLS 1.3 session verified by `{}` against another CA on {address_port} resumes here (CVE-2025-23048)",
                    target.display_name(),
                    other.display_name()
                ),
                Label::new(
                    target.client_verify.origin.span().unwrap_or(target.span),
                    "not checked again when a session resumes",
                ),
            )
            .with_label(Label::new(other.span, "its sessions resume at every vhost of this address:port"))
            .with_help("upgrade to httpd 2.4.64 or later; until then set, in the main server (for every vhost) or in this vhost:\n    SSLStrictSNIVHostCheck on")
            .for_server(target.reference());
            if let Some(ca) = apache_sni::ca_not_named_by(other, target) {
                f = f.with_label(Label::new(
                    ca.span,
                    "trusted by that vhost, not by the protected one",
                ));
            }
            // The advisory's configuration was not found: a warning, not an error.
            out.push(f.severity(Severity::Warning).with_note(match version {
                Some(v) => format!("httpd {v} is in CVE-2025-23048's range (2.4.35 to 2.4.63, fixed in 2.4.64); the advisory says some configurations resume sessions across vhosts, which 2.4.62 did not do when measured (session tickets, a shared session cache, a shared ticket key)"),
                None => "no Apache version given (--apache-version, or apache_version in aop-lint.toml): assumed in CVE-2025-23048's range (2.4.35 to 2.4.63, fixed in 2.4.64); the advisory says some configurations resume sessions across vhosts, which 2.4.62 did not do when measured".to_string(),
            }));
        }
    }
}

impl SessionResumptionCrossesClientCa {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        if cx.config.kind == ServerKind::Apache {
            return check_apache(cx, out);
        }
        let version = cx.versions.nginx;
        if version.is_some_and(|v| !affected(v)) {
            return;
        }
        let config = cx.config;
        for ap in config.tls_address_ports_from_outside() {
            let default = &config.servers[ap.default];
            if !default.resumes_sessions() {
                continue;
            }
            let address_port = ap.address_port();
            let handshakes = Handshakes::new(config, &ap.servers, |_| true);
            for &t in &ap.servers {
                let target = &config.servers[t];
                // The default server's own handshakes cross over on every version:
                // handshake-crosses-client-ca reports those.
                let Some(h) = handshakes.first_admitting(target, &[t, ap.default]) else {
                    continue;
                };
                let other = &config.servers[h];
                let mut f = Finding::new(
                    Self::CODE,
                    format!(
                        "server `{}` requires a client certificate, but a TLS session verified by `{}` against another CA on {address_port} resumes here (CVE-2025-23419)",
                        target.display_name(),
                        other.display_name()
                    ),
                    Label::new(
                        target.client_verify.origin.span().unwrap_or(target.span),
                        "not checked again when a session resumes",
                    ),
                )
                .with_label(Label::new(other.span, "verifies against a CA the protected server does not name"))
                .with_label(resumption_label(default))
                .with_help(format!(
                    "upgrade to nginx 1.26.3, 1.27.4 or later; until then turn session resumption off in the default server of {address_port}:\n    ssl_session_tickets off;\nand give it no `ssl_session_cache builtin` or `shared:` (turning them off in the protected server alone does not help)"
                ))
                .for_server(target.reference());
                f = match version {
                    Some(v) => f.with_note(format!("nginx {v} is affected: fixed in 1.26.3 and 1.27.4")),
                    None => f.severity(Severity::Warning).with_note("no nginx version given (--nginx-version, or nginx_version in aop-lint.toml): assumed affected; nginx 1.26.3 and 1.27.4 fixed it"),
                };
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{affected, SessionResumptionCrossesClientCa};
    use crate::tester::Tester;
    use aop_model::Version;

    /// Apache: a refusing default vhost, then `partner` verifying against Cloudflare's CA
    /// and `shop` requiring its zone's own; `main` in the main server.
    fn apache(main: &str) -> String {
        format!(
            "LoadModule ssl_module modules/mod_ssl.so\nListen 443\n{main}\n\
             <VirtualHost *:443>\n ServerName default.example.com\n SSLEngine on\n SSLCertificateFile c.pem\n \
             <Location />\n Require all denied\n </Location>\n</VirtualHost>\n\
             <VirtualHost *:443>\n ServerName partner.example.com\n SSLEngine on\n SSLCertificateFile c.pem\n \
             SSLVerifyClient require\n SSLCACertificateFile cf.pem\n DocumentRoot /var/www/partner\n</VirtualHost>\n\
             <VirtualHost *:443>\n ServerName shop.example.com\n SSLEngine on\n SSLCertificateFile c.pem\n \
             SSLVerifyClient require\n SSLCACertificateFile zone.pem\n DocumentRoot /var/www/shop\n</VirtualHost>\n"
        )
    }

    #[test]
    fn apache_vectors() {
        let findings = Tester::new(&SessionResumptionCrossesClientCa)
            .apache_fail(apache(""))
            .apache_pass(apache("SSLStrictSNIVHostCheck on"))
            .apache_pass(apache("SSLVHostSNIPolicy insecure"))
            .versions("apache/2.4.62")
            .apache_fail(apache(""))
            .versions("apache/2.4.35")
            .apache_fail(apache(""))
            .versions("apache/2.4.34")
            .apache_pass(apache(""))
            .versions("apache/2.4.64")
            .apache_pass(apache(""))
            .versions("apache/2.4.71")
            .apache_pass(apache(""))
            .run();
        insta::assert_snapshot!(findings);
    }

    #[test]
    fn affected_releases_are_those_before_each_fix() {
        for v in ["1.22.1", "1.26.2", "1.27.0", "1.27.3", "1.11.4"] {
            assert!(affected(Version::parse(v).unwrap()), "{v}");
        }
        for v in ["1.26.3", "1.27.4", "1.28.0", "1.30.4", "1.11.3"] {
            assert!(!affected(Version::parse(v).unwrap()), "{v}");
        }
    }
}
