//! What a request gets, decided the way the server decides it: the address:port it arrives
//! on, the virtual server the TLS handshake picks (by SNI, else the default), the client
//! certificate check of that server, the virtual server the request is routed to (by
//! `Host`, else the default), that server's own check of the verification result, and what
//! it does with the request.
//!
//! A scenario the model cannot decide (a regular-expression name, say) is `Undecided`,
//! never a guess.

use std::collections::HashMap;
use std::sync::Arc;

use aop_source::Span;

use crate::pcre::Pcre;

use crate::{Action, AddressPort, ClientVerify, Config, Server, ServerKind};

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
    /// The handshake made with one name's SNI, the request sent with another `Host`.
    Crossed { sni: &'a str, host: &'a str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    pub name: Name<'a>,
    pub cert: CertSent,
}

/// The outcome, and the server that decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Content {
        server: usize,
    },
    Refused {
        server: usize,
        why: &'static str,
    },
    /// `at`: the span that stops the simulation (the name it cannot evaluate).
    Undecided {
        why: String,
        at: Span,
    },
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

/// A name no site configures (a reserved top-level domain).
pub const UNKNOWN_NAME: &str = "unknown.invalid";

/// The names a client can send to `ap`'s servers: plain names (not regular expressions,
/// not `_`), a wildcard as one name under it, then a name nobody configured. Shared by the
/// rows that carry them.
fn names(config: &Config, servers: &[usize]) -> Vec<Arc<str>> {
    let mut out: Vec<String> = servers
        .iter()
        .flat_map(|&i| config.servers[i].names.iter().map(|(n, _)| n.as_str()))
        .filter(|n| !n.is_empty() && *n != "_" && !n.starts_with('~') && !n.contains('?'))
        .map(|n| {
            let mut n = n.to_ascii_lowercase();
            if n.contains('*') {
                n = n.replace('*', "wild");
            }
            match n.find(|c| c != '.') {
                Some(0) => n,
                Some(dots) => n.split_off(dots),
                None => String::new(),
            }
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out.push(UNKNOWN_NAME.to_string());
    out.into_iter().map(Arc::from).collect()
}

/// One row of the table.
pub struct Scenario {
    /// Index into the configuration's address:port pairs.
    pub address_port: usize,
    pub name: Arc<str>,
    /// SNI as well as `Host` (else `Host` only).
    pub sni: bool,
    /// The handshake was made with this other name's SNI (nginx: the request crosses to
    /// the server `Host` selects); `sni` is then true.
    pub sni_of: Option<Arc<str>>,
    pub cert: CertSent,
    pub answer: Answer,
}

impl Scenario {
    /// `SNI shop.example.com, Host shop.example.com, no certificate`; `Host x` for plain HTTP.
    pub fn describe(&self, ap: &AddressPort) -> String {
        let n = &self.name;
        let name = match (ap.tls, self.sni, &self.sni_of) {
            (true, true, Some(other)) => format!("SNI {other}, Host {n}"),
            (true, true, None) => format!("SNI {n}, Host {n}"),
            (true, false, _) => format!("no SNI, Host {n}"),
            (false, _, _) => return format!("Host {n}"),
        };
        format!("{name}, {}", self.cert.describe())
    }
}

/// Every request of the table, per address:port reachable from outside.
pub fn scenarios(config: &Config) -> Vec<Scenario> {
    let mut out = Vec::new();
    visit_scenarios(config, |row| out.push(row));
    out
}

/// Where a name takes a request on one address:port: a server, or why that is not decided.
type Route = Result<usize, (String, Span)>;

/// The rows of [`scenarios`], in its order, handed to `visit` one at a time. Each name is
/// routed once for all the requests that carry it: a port of thousands of servers has
/// eight or more requests per name.
pub fn visit_scenarios(config: &Config, mut visit: impl FnMut(Scenario)) {
    for (a, ap) in config.address_ports.iter().enumerate() {
        if !ap.reachable_from_outside() {
            continue;
        }
        let router = Router::new(config, ap);
        let forms: &[bool] = if ap.tls { &[true, false] } else { &[false] };
        let certs: &[CertSent] = if ap.tls {
            &[CertSent::None, CertSent::Unrelated, CertSent::Trusted]
        } else {
            &[CertSent::None]
        };
        let all = names(config, &ap.servers);
        let unknown = all.len() - 1;
        let routes: Vec<Route> = match config.kind {
            ServerKind::Caddy => Vec::new(),
            _ => all.iter().map(|n| router.server_for(n)).collect(),
        };
        // nginx and httpd: the routes worked out above; Caddy decides in steps of its own.
        let ask = |sni: Option<usize>, host: usize, cert: CertSent| {
            if config.kind == ServerKind::Caddy {
                let name = match sni {
                    Some(s) if s == host => Name::Both(&all[host]),
                    Some(s) => Name::Crossed {
                        sni: &all[s],
                        host: &all[host],
                    },
                    None => Name::HostOnly(&all[host]),
                };
                return config.simulate(&router, Request { name, cert });
            }
            let selected = match sni {
                Some(s) if ap.tls => routes[s].as_ref().map(|&i| i),
                _ => Ok(ap.default),
            };
            let sni = sni.map(|s| &*all[s]);
            config.answer(ap, sni, selected, routes[host].as_ref(), &all[host], cert)
        };
        for (k, name) in all.iter().enumerate() {
            for &sni in forms {
                for &cert in certs {
                    visit(Scenario {
                        address_port: a,
                        name: name.clone(),
                        sni,
                        sni_of: None,
                        cert,
                        answer: ask(sni.then_some(k), k, cert),
                    });
                }
            }
        }
        // nginx routes by `Host` after the handshake: a client that completes the handshake
        // of a configured name and sends a `Host` nobody configured reaches the default
        // server's content unless that server verifies too (421). Measured only on nginx.
        if ap.tls && config.kind == crate::ServerKind::Nginx {
            for (k, sni) in all[..unknown].iter().enumerate() {
                for &cert in certs {
                    visit(Scenario {
                        address_port: a,
                        name: all[unknown].clone(),
                        sni: true,
                        sni_of: Some(sni.clone()),
                        cert,
                        answer: ask(Some(k), unknown, cert),
                    });
                }
            }
        }
    }
}

/// What the simulation says about one server: the first request from outside that gets its
/// content without a trusted certificate (`open`), the first that gets it with a trusted
/// certificate and a name no site configures (`foreign`); indices into the scenarios.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exposure {
    pub open: Option<usize>,
    pub foreign: Option<usize>,
}

/// The requests of the scenario table the open and foreign verdicts are decided by: each
/// server's [`Exposure`] and the rows it points to, with every undecided row, in the
/// table's order. The other rows are not kept.
pub struct Simulation {
    pub scenarios: Vec<Scenario>,
    /// By server index.
    pub exposures: Vec<Exposure>,
}

/// The table, reduced to what [`Simulation`] keeps.
pub fn simulation(config: &Config) -> Simulation {
    let mut sim = Simulation {
        scenarios: Vec::new(),
        exposures: vec![Exposure::default(); config.servers.len()],
    };
    visit_scenarios(config, |row| {
        let k = sim.scenarios.len();
        let keep = match row.answer {
            Answer::Undecided { .. } => true,
            Answer::Content { server } => match sim.exposures.get_mut(server) {
                Some(e) if row.cert != CertSent::Trusted => e.open.get_or_insert(k) == &k,
                Some(e) if &*row.name == UNKNOWN_NAME => e.foreign.get_or_insert(k) == &k,
                _ => false,
            },
            Answer::Refused { .. } => false,
        };
        if keep {
            sim.scenarios.push(row);
        }
    });
    sim
}

impl Config {
    /// What `request` gets on the address:port `router` indexes.
    pub fn simulate(&self, router: &Router, request: Request) -> Answer {
        let ap = router.ap;
        let (sni, host) = match request.name {
            Name::Both(n) => (Some(n), n),
            Name::HostOnly(h) => (None, h),
            Name::Crossed { sni, host } => (Some(sni), host),
        };
        if self.kind == ServerKind::Caddy {
            return self.simulate_caddy(router, sni, host, request.cert);
        }
        let selected = match sni {
            Some(n) if ap.tls => router.server_for(n),
            _ => Ok(ap.default),
        };
        let routed = router.server_for(host);
        self.answer(
            ap,
            sni,
            selected.as_ref().map(|&i| i),
            routed.as_ref(),
            host,
            request.cert,
        )
    }

    /// [`Config::simulate`] once the names are routed: `selected`, the server the SNI
    /// selects (the default without SNI, or on plain HTTP), and `routed`, the one `host`
    /// selects.
    fn answer(
        &self,
        ap: &AddressPort,
        sni: Option<&str>,
        selected: Result<usize, &(String, Span)>,
        routed: Result<&usize, &(String, Span)>,
        host: &str,
        cert: CertSent,
    ) -> Answer {
        let undecided = |(why, at): &(String, Span)| Answer::Undecided {
            why: why.clone(),
            at: *at,
        };
        let selected = match selected {
            Ok(i) => i,
            Err(e) => return undecided(e),
        };
        // The server whose settings make the handshake. httpd switches them by SNI only to a
        // virtual host with TLS of its own on this address:port; otherwise the default's
        // stand, while the SNI's virtual host still counts as selected (measured: fixtures
        // content-without-certificate*).
        let handshake = if self.kind == ServerKind::Apache && !tls_on(ap, &self.servers[selected]) {
            ap.default
        } else {
            selected
        };
        let hs = &self.servers[handshake];
        if ap.tls && hs.reject_handshake.is_some() {
            return Answer::Refused {
                server: handshake,
                why: "the handshake is rejected",
            };
        }
        let routed = match routed {
            Ok(&i) => i,
            Err(e) => return undecided(e),
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
        // server verifies clients (421), and only when SNI was sent; httpd when the virtual
        // host `Host` selects is not the one selected for the connection and their TLS
        // settings differ (`ssl_server_compatible`).
        let misdirected = match self.kind {
            // `ssl_hook_ReadReq`: also without SNI, against the default.
            ServerKind::Apache => {
                routed != selected && !same_tls_settings(ap, &self.servers[selected], rs)
            }
            _ => {
                sni.is_some() && routed != handshake && rs.client_verify.value != ClientVerify::Off
            }
        };
        if misdirected {
            return Answer::Refused {
                server: routed,
                why: "421: the Host names another server than the SNI, with other TLS settings",
            };
        }
        // The certificate is asked for, and checked against a CA, by the handshake's server;
        // the server the request is routed to judges that result.
        let result = handshake_result(hs, cert);
        // httpd fails the handshake itself: `require` without a certificate that verifies,
        // `optional` with one that does not.
        if self.kind == ServerKind::Apache {
            let refused = match (hs.client_verify.value, result) {
                (ClientVerify::On, Verification::NoCertificate) => {
                    Some("the handshake requires a client certificate")
                }
                (ClientVerify::On | ClientVerify::Optional, Verification::Failed) => {
                    Some("the handshake refuses a certificate that does not verify")
                }
                _ => None,
            };
            if let Some(why) = refused {
                return Answer::Refused {
                    server: handshake,
                    why,
                };
            }
        }
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
        // Reached by `Host` after another server's handshake: a catch-all that refuses
        // handshakes still answers, from its own content or else nginx's compiled-in page,
        // which is not a site's (docs/semantics.md).
        if rs.reject_handshake.is_some() {
            return match rs.answers_by_host {
                Some(_) => Answer::Content { server: routed },
                None => Answer::Refused {
                    server: routed,
                    why: "only nginx's compiled-in page: the catch-all has no content of its own",
                },
            };
        }
        action(routed, rs)
    }
}

/// The names of one address:port's servers, indexed once for all the requests sent to it:
/// a tree of thousands of servers on one port asks about each of their names.
pub struct Router<'c> {
    pub(crate) ap: &'c AddressPort,
    kind: ServerKind,
    /// Lower-cased exact names: the first server to carry each, with its place in the
    /// address:port's configuration order.
    pub(crate) exact: HashMap<String, (usize, usize)>,
    /// nginx's wildcard names and httpd's `ServerAlias` globs, in configuration order, with
    /// that place.
    patterns: Vec<(usize, usize, String)>,
    /// nginx's regular expressions, in configuration order: `None` when aop-lint cannot
    /// read one.
    regexes: Vec<(usize, String, Span, Option<Pcre>)>,
    /// Caddy's sites with wildcard hosts, in configuration order (their names are in
    /// `exact` too: Caddy takes an equal name first).
    pub(crate) caddy_wildcards: Vec<(usize, String)>,
    /// Caddy: the first site without a host matcher, whose connection policy takes every
    /// handshake no other site's SNI names.
    pub(crate) caddy_catch_all: Option<usize>,
    /// Caddy: some site of the listener has client authentication, so the `Host` must be
    /// the SNI.
    pub(crate) caddy_strict: bool,
}

impl<'c> Router<'c> {
    pub fn new(config: &'c Config, ap: &'c AddressPort) -> Self {
        let mut router = Router {
            ap,
            kind: config.kind,
            exact: HashMap::new(),
            patterns: Vec::new(),
            regexes: Vec::new(),
            caddy_wildcards: Vec::new(),
            caddy_catch_all: None,
            caddy_strict: false,
        };
        if config.kind == ServerKind::Caddy {
            router.index_caddy(config);
            return router;
        }
        for (place, &i) in ap.servers.iter().enumerate() {
            for (n, span) in &config.servers[i].names {
                if let Some(pattern) = n.strip_prefix('~') {
                    let compiled = (config.kind == ServerKind::Nginx)
                        .then(|| Pcre::new(pattern, true))
                        .flatten();
                    router.regexes.push((i, n.clone(), *span, compiled));
                    continue;
                }
                let n = n.to_ascii_lowercase();
                let pattern = match config.kind {
                    ServerKind::Apache => n.contains(['*', '?']),
                    _ => n.starts_with('.') || n.starts_with("*.") || n.ends_with(".*"),
                };
                if pattern {
                    router.patterns.push((place, i, n));
                } else {
                    router.exact.entry(n).or_insert((place, i));
                }
            }
        }
        router
    }

    fn index_caddy(&mut self, config: &Config) {
        for (place, &i) in self.ap.servers.iter().enumerate() {
            let s = &config.servers[i];
            for (n, _) in &s.names {
                if n.contains('*') {
                    self.caddy_wildcards.push((i, n.to_ascii_lowercase()));
                }
                self.exact
                    .entry(n.to_ascii_lowercase())
                    .or_insert((place, i));
            }
            if s.host_guard.is_none() && self.caddy_catch_all.is_none() {
                self.caddy_catch_all = Some(i);
            }
            self.caddy_strict |=
                s.client_verify.value != ClientVerify::Off && s.verify_bypass.is_none();
        }
    }

    /// The server a name selects, or the default. nginx: an exact name first, then the
    /// longest leading wildcard (`*.example.com`, `.example.com`), then the longest trailing
    /// one (`www.example.*`), then regular expressions in order. httpd: the first virtual
    /// host whose `ServerName` or `ServerAlias` matches, in configuration order. A regular
    /// expression aop-lint cannot evaluate that could match is undecided.
    fn server_for(&self, name: &str) -> Result<usize, (String, Span)> {
        let name = name.to_ascii_lowercase();
        let exact = self.exact.get(&name).copied();
        if self.kind == ServerKind::Apache {
            let glob = self
                .patterns
                .iter()
                .find(|(_, _, p)| glob_match(p, &name))
                .map(|&(place, i, _)| (place, i));
            let first = match (exact, glob) {
                (Some(e), Some(g)) => Some(if g.0 < e.0 { g } else { e }),
                (e, g) => e.or(g),
            };
            return Ok(first.map_or(self.ap.default, |(_, i)| i));
        }
        if let Some((_, i)) = exact {
            return Ok(i);
        }
        let best = |matcher: fn(&str, &str) -> Option<usize>| {
            self.patterns
                .iter()
                .filter_map(|(_, i, p)| matcher(p, &name).map(|len| (*i, len)))
                .max_by_key(|&(_, len)| len)
                .map(|(i, _)| i)
        };
        if let Some(i) = best(leading_wildcard).or_else(|| best(trailing_wildcard)) {
            return Ok(i);
        }
        // Regular expressions, in configuration order, without regard to case. nginx's are
        // PCRE: one aop-lint does not read is undecided rather than guessed.
        for (i, n, span, compiled) in &self.regexes {
            match compiled.as_ref().and_then(|re| re.is_match(&name)) {
                Some(true) => return Ok(*i),
                Some(false) => {}
                None => {
                    return Err((
                        format!(
                            "the server name `{n}` on {} may match `{name}`: aop-lint cannot evaluate it",
                            self.ap.address_port()
                        ),
                        *span,
                    ))
                }
            }
        }
        Ok(self.ap.default)
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

/// Whether `s` itself has TLS on `ap` (httpd: `SSLEngine on` in the virtual host).
fn tls_on(ap: &AddressPort, s: &Server) -> bool {
    s.listeners
        .iter()
        .any(|l| l.tls && l.addr == ap.addr && l.port == ap.port)
}

/// httpd's `ssl_server_compatible`, as far as the model holds the settings it compares: TLS
/// on both, the same verification mode and the same client CAs.
fn same_tls_settings(ap: &AddressPort, a: &Server, b: &Server) -> bool {
    let cas = |s: &Server| s.ca.iter().map(|c| c.path.clone()).collect::<Vec<_>>();
    tls_on(ap, a)
        && tls_on(ap, b)
        && a.client_verify.value == b.client_verify.value
        && cas(a) == cas(b)
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
        // A server that verifies against no CA does not start (AOP104); its other verdicts
        // are those it has once its CA is named.
        CertSent::Trusted => Verification::Success,
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
