//! What a request gets, decided the way the server decides it: the address:port it arrives
//! on, the virtual server the TLS handshake picks (by SNI, else the default), the client
//! certificate check of that server, the virtual server the request is routed to (by
//! `Host`, else the default), that server's own check of the verification result, and what
//! it does with the request.
//!
//! A scenario the model cannot decide (a regular-expression name, say) is `Undecided`,
//! never a guess.

use crate::{Action, AddressPort, ClientVerify, Config, Server};

/// The client certificate a request comes with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertSent {
    None,
    /// Issued by a CA no server trusts.
    Unrelated,
    /// Issued by the CA the server's client CA file holds (Cloudflare's, for an
    /// origin-pull setup).
    Trusted,
}

impl CertSent {
    pub fn describe(self) -> &'static str {
        match self {
            CertSent::None => "no certificate",
            CertSent::Unrelated => "an unrelated CA's certificate",
            CertSent::Trusted => "a trusted certificate",
        }
    }
}

/// What the client sends as SNI and `Host`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name<'a> {
    /// The same name in SNI and `Host`.
    Both(&'a str),
    /// No SNI (a client talking to the address), this `Host`.
    HostOnly(&'a str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    pub name: Name<'a>,
    pub cert: CertSent,
}

/// The outcome, and the server that decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Content { server: usize },
    Refused { server: usize, why: &'static str },
    Undecided { why: String },
}

impl Answer {
    pub fn is_content(&self) -> bool {
        matches!(self, Answer::Content { .. })
    }
}

/// What the handshake established about the client certificate (`$ssl_client_verify`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verification {
    /// Verified against the handshake server's CA.
    Success,
    /// None was asked for, or none was sent.
    NoCertificate,
    /// One was sent and did not verify.
    Failed,
}

impl Config {
    /// What `request` gets on `ap`.
    pub fn simulate(&self, ap: &AddressPort, request: Request) -> Answer {
        let (sni, host) = match request.name {
            Name::Both(n) => (Some(n), n),
            Name::HostOnly(h) => (None, h),
        };
        if self.kind == crate::ServerKind::Caddy {
            return self.simulate_caddy(ap, sni, host, request.cert);
        }
        let by_name = |name: &str| self.server_for(ap, name);
        let handshake = match sni {
            Some(n) if ap.tls => match by_name(n) {
                Ok(i) => i,
                Err(why) => return Answer::Undecided { why },
            },
            _ => ap.default,
        };
        let hs = &self.servers[handshake];
        if ap.tls && hs.reject_handshake.is_some() {
            return Answer::Refused {
                server: handshake,
                why: "the handshake is rejected",
            };
        }
        let routed = match by_name(host) {
            Ok(i) => i,
            Err(why) => return Answer::Undecided { why },
        };
        let rs = &self.servers[routed];
        // `if ($host != shop.example.com) { return 444; }` at server level: a name the server
        // does not carry is refused before anything else.
        if rs.host_guard.is_some() && !rs.names.iter().any(|(n, _)| n.eq_ignore_ascii_case(host)) {
            return Answer::Refused {
                server: routed,
                why: "the server refuses names other than its own",
            };
        }
        if !ap.tls {
            return action(routed, rs);
        }
        // nginx refuses a request whose `Host` names another server than the SNI when that
        // server verifies clients (421); without SNI it does not check.
        if sni.is_some() && routed != handshake && rs.client_verify.value != ClientVerify::Off {
            return Answer::Refused {
                server: routed,
                why: "421: the Host names a server that verifies clients, other than the SNI's",
            };
        }
        // The certificate is asked for, and checked against a CA, by the handshake's server;
        // the server the request is routed to judges that result.
        let result = handshake_result(hs, request.cert);
        let refused = match (rs.client_verify.value, result) {
            (ClientVerify::On, Verification::NoCertificate) => {
                Some("400: no required client certificate was sent")
            }
            (ClientVerify::On | ClientVerify::Optional, Verification::Failed) => {
                Some("400: the client certificate did not verify")
            }
            _ => None,
        };
        if let Some(why) = refused {
            // An `error_page` for nginx's 495/496 may turn the refusal into content.
            return match rs.verify_bypass {
                Some(_) => Answer::Content { server: routed },
                None => Answer::Refused {
                    server: routed,
                    why,
                },
            };
        }
        if result != Verification::Success && enforces(rs) {
            return match rs.refusal_page.or(rs.verify_bypass) {
                Some(_) => Answer::Content { server: routed },
                None if !rs.regrants.is_empty() => Answer::Content { server: routed },
                None => Answer::Refused {
                    server: routed,
                    why: "the server refuses requests whose certificate did not verify",
                },
            };
        }
        action(routed, rs)
    }

    /// The server of `ap` a name selects, or the default. nginx: an exact name first, then
    /// the longest leading wildcard (`*.example.com`, `.example.com`), then the longest
    /// trailing one (`www.example.*`). httpd: the first virtual host whose `ServerName` or
    /// `ServerAlias` matches, in configuration order. A regular expression (nginx `~`) that
    /// could match is undecided.
    fn server_for(&self, ap: &AddressPort, name: &str) -> Result<usize, String> {
        let name = name.to_ascii_lowercase();
        let names = |i: usize| {
            self.servers[i]
                .names
                .iter()
                .map(|(n, _)| n.to_ascii_lowercase())
                .collect::<Vec<_>>()
        };
        if self.kind == crate::ServerKind::Apache {
            let found = ap
                .servers
                .iter()
                .copied()
                .find(|&i| names(i).iter().any(|n| glob_match(n, &name)));
            return Ok(found.unwrap_or(ap.default));
        }
        if let Some(&i) = ap.servers.iter().find(|&&i| names(i).contains(&name)) {
            return Ok(i);
        }
        let best = |matcher: fn(&str, &str) -> Option<usize>| {
            ap.servers
                .iter()
                .flat_map(|&i| names(i).into_iter().map(move |n| (i, n)))
                .filter_map(|(i, n)| matcher(&n, &name).map(|len| (i, len)))
                .max_by_key(|&(_, len)| len)
                .map(|(i, _)| i)
        };
        if let Some(i) = best(leading_wildcard).or_else(|| best(trailing_wildcard)) {
            return Ok(i);
        }
        // Regular expressions, in configuration order. nginx's are PCRE: one the `regex`
        // crate does not read the same way is undecided rather than guessed.
        for &i in &ap.servers {
            for (n, _) in &self.servers[i].names {
                let Some(pattern) = n.strip_prefix('~') else {
                    continue;
                };
                match regex::Regex::new(pattern) {
                    Ok(re) if re.is_match(&name) => return Ok(i),
                    Ok(_) => {}
                    Err(_) => {
                        return Err(format!(
                            "the server name `{n}` on {} may match `{name}`: aop-lint cannot evaluate it",
                            ap.address_port()
                        ))
                    }
                }
            }
        }
        Ok(ap.default)
    }
}

/// `*.example.com` or `.example.com` matching `name`: the length of the part matched.
fn leading_wildcard(pattern: &str, name: &str) -> Option<usize> {
    if let Some(suffix) = pattern.strip_prefix("*.") {
        return name
            .ends_with(&format!(".{suffix}"))
            .then_some(suffix.len());
    }
    let base = pattern.strip_prefix('.')?;
    (name == base || name.ends_with(pattern)).then_some(base.len())
}

/// `www.example.*` matching `name`.
fn trailing_wildcard(pattern: &str, name: &str) -> Option<usize> {
    let prefix = pattern.strip_suffix(".*")?;
    name.starts_with(&format!("{prefix}."))
        .then_some(prefix.len())
}

/// httpd's `ServerAlias` wildcards: `*` any run of characters, `?` one. Backtracks to the
/// last `*` only, so it is linear in practice whatever the pattern.
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// The handshake server asks for a certificate unless its verification is off, and checks
/// it against its own CA file.
fn handshake_result(hs: &Server, cert: CertSent) -> Verification {
    if hs.client_verify.value == ClientVerify::Off {
        return Verification::NoCertificate;
    }
    match cert {
        CertSent::None => Verification::NoCertificate,
        CertSent::Unrelated => Verification::Failed,
        CertSent::Trusted if !hs.ca.is_empty() => Verification::Success,
        CertSent::Trusted => Verification::Failed,
    }
}

/// What the routed server does with a request that passed every check.
pub(crate) fn action(i: usize, s: &Server) -> Answer {
    match s.action {
        Action::Serves => Answer::Content { server: i },
        Action::Redirects => Answer::Refused {
            server: i,
            why: "redirected",
        },
        Action::Rejects => Answer::Refused {
            server: i,
            why: "refused",
        },
    }
}

/// Whether the routed server itself refuses requests whose certificate did not verify:
/// a check of the verification result, or client verification for the whole site asked for
/// after the handshake (Apache per-directory).
fn enforces(s: &Server) -> bool {
    s.verify_enforced.is_some() || s.site_verified_per_directory().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_wildcards_match_as_nginx_matches_them() {
        assert_eq!(leading_wildcard("*.example.com", "a.example.com"), Some(11));
        assert_eq!(leading_wildcard("*.example.com", "example.com"), None);
        assert_eq!(leading_wildcard(".example.com", "example.com"), Some(11));
        assert_eq!(
            leading_wildcard(".example.com", "a.b.example.com"),
            Some(11)
        );
        assert_eq!(
            trailing_wildcard("www.example.*", "www.example.org"),
            Some(11)
        );
        assert_eq!(trailing_wildcard("www.example.*", "www.example"), None);
    }

    #[test]
    fn httpd_alias_wildcards_and_their_cost() {
        assert!(glob_match("*.example.com", "a.example.com"));
        assert!(glob_match("shop?.example.com", "shop1.example.com"));
        assert!(!glob_match("*.example.com", "example.com"));
        assert!(glob_match("*", ""));
        // Many stars against a long name that does not match: linear, not exponential.
        let pattern = "*a".repeat(100);
        assert!(!glob_match(&pattern, &"b".repeat(10_000)));
    }
}
