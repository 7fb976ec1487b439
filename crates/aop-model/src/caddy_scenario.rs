//! The request simulation for Caddy, which decides in steps of its own (measured on Caddy
//! 2.11.7, tests/caddy_server.rs): the TLS handshake asks for and checks a client
//! certificate by the connection policy of the site the SNI names, and a handshake without
//! SNI, or for a name no site has, gets the catch-all site's policy, or none. Then, when
//! a site of the listener has client authentication, Caddy checks strictly that the `Host`
//! is the SNI (421 otherwise), unless `strict_sni_host insecure_off`. No site looks at the
//! handshake's result afterwards: the site the `Host` names serves the request.

use crate::scenario::{action, Answer, CertSent, Router};
use crate::{ClientVerify, Config, Server};

impl Config {
    pub(crate) fn simulate_caddy(
        &self,
        router: &Router,
        sni: Option<&str>,
        host: &str,
        cert: CertSent,
    ) -> Answer {
        let ap = router.ap;
        // A catch-all site's policy has no SNI to match: it takes every other handshake.
        let policy = sni
            .and_then(|n| router.caddy_site(n))
            .or(router.caddy_catch_all);
        if ap.tls {
            if let Some((i, why)) =
                policy.and_then(|i| handshake(&self.servers[i], cert).map(|w| (i, w)))
            {
                return Answer::Refused { server: i, why };
            }
            if router.caddy_strict && !sni.is_some_and(|n| n.eq_ignore_ascii_case(host)) {
                return Answer::Refused {
                    server: policy.unwrap_or(ap.default),
                    why: "421: the Host is not the SNI, which Caddy checks once a site has client authentication",
                };
            }
        }
        let routed = router.caddy_site(host).unwrap_or(ap.default);
        let rs = &self.servers[routed];
        if rs.host_guard.is_some() && !rs.names.iter().any(|(n, _)| host_matches(n, host)) {
            return Answer::Refused {
                server: routed,
                why: "no site takes this name: Caddy's empty 200",
            };
        }
        action(routed, rs)
    }
}

impl Router<'_> {
    /// The site of the address:port whose host matcher takes `name`: an exact name, else the
    /// most specific wildcard (the last of the longest).
    fn caddy_site(&self, name: &str) -> Option<usize> {
        if let Some(&(_, i)) = self.exact.get(&name.to_ascii_lowercase()) {
            return Some(i);
        }
        self.caddy_wildcards
            .iter()
            .filter(|(_, n)| host_matches(n, name))
            .max_by_key(|(_, n)| n.len())
            .map(|&(i, _)| i)
    }
}

/// Why the handshake of a site's connection policy fails for `cert`, if it does.
fn handshake(s: &Server, cert: CertSent) -> Option<&'static str> {
    let verifies = s.client_verify.value.checks_chain();
    match (s.client_verify.value, cert) {
        (ClientVerify::On | ClientVerify::AnyCertificate, CertSent::None) => {
            Some("the handshake requires a client certificate")
        }
        (_, CertSent::Unrelated) if verifies => {
            Some("the handshake refuses a certificate its trust pool did not issue")
        }
        (_, CertSent::Trusted) if verifies && s.ca.is_empty() => {
            Some("the handshake refuses a certificate its trust pool did not issue")
        }
        _ => None,
    }
}

/// Caddy's host matcher: label by label, a `*` label standing for any one label (measured:
/// `*.example.com` answers `x.example.com`, not `a.b.example.com` nor `example.com`, which
/// get the empty 200 of a request no site takes).
fn host_matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<&str>, Vec<&str>) = (pattern.split('.').collect(), name.split('.').collect());
    p.len() == n.len()
        && p.iter()
            .zip(&n)
            .all(|(p, n)| *p == "*" || p.eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_stands_for_one_label() {
        assert!(host_matches("*.example.com", "x.example.com"));
        assert!(host_matches("*.example.com", "X.Example.com"));
        assert!(!host_matches("*.example.com", "a.b.example.com"));
        assert!(!host_matches("*.example.com", "example.com"));
        assert!(host_matches("shop.*.example.com", "shop.eu.example.com"));
    }
}
