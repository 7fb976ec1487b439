//! Every address:port a fixture names is given a stand-in inside the test's network namespace
//! (namespace.rs). Each distinct original address gets its own address and each distinct
//! original port its own free high port, so the partition of servers among sockets is the
//! one the real addresses give: a server on a specific address still takes that address's
//! connections away from wildcard servers, because it keeps a socket of its own. Addresses
//! reachable from outside stand in as the origin's (198.51.100.10 for `*`, then .11, ...;
//! 2001:db8:100::10, ...), loopback ones as loopback (127.0.0.2, ..., `::1`), so a probe
//! from the internet address meets what an outside client meets.

use std::collections::BTreeMap;
use std::net::TcpListener;

use super::sources::{ORIGIN_V4, ORIGIN_V6};

/// A socket the rewritten configuration listens on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// As the fixture wrote it, normalised: `*:443`, `[::]:443`, `10.0.0.1:80`.
    pub original: String,
    /// Address to connect to: `198.51.100.10`, `127.0.0.2`, `2001:db8:100::10`, `::1`.
    pub host: String,
    pub port: u16,
    pub tls: bool,
    /// Set for `stream {}`/`mail {}` listeners, which are not probed over HTTP.
    pub http: bool,
}

impl Endpoint {
    /// The original address is loopback (`127.0.0.0/8`, `[::1]`, `localhost`): only clients
    /// on the machine itself reach it (test
    /// `nginx_loopback_listeners_are_not_reachable_at_other_addresses`).
    pub fn local_only(&self) -> bool {
        let host = self
            .original
            .rsplit_once(':')
            .map_or(self.original.as_str(), |(h, _)| h);
        loopback(host)
    }

    pub fn v6(&self) -> bool {
        self.host.contains(':')
    }

    /// The authority as curl's `--resolve` and `--connect-to` want it.
    pub fn connect_host(&self) -> String {
        if self.v6() {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }
}

/// A `listen` argument (nginx) or a `Listen`/`<VirtualHost>` address (Apache), parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    Inet { host: String, port: u16 },
    Unix(String),
}

impl Address {
    /// Reads nginx's `listen` forms: `443`, `*:443`, `127.0.0.1`, `[::]:443`, `unix:/p`.
    /// Apache's forms (`*:443`, `_default_:443`, `443`, `[::1]:443`) read the same way.
    pub fn parse(text: &str, default_port: u16) -> Option<Address> {
        if let Some(path) = text.strip_prefix("unix:") {
            return Some(Address::Unix(path.to_string()));
        }
        if let Ok(port) = text.parse::<u16>() {
            return Some(Address::Inet {
                host: "*".into(),
                port,
            });
        }
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let close = rest.find(']')?;
            let host = format!("[{}]", &rest[..close]);
            let port = match rest[close + 1..].strip_prefix(':') {
                Some(p) => p.parse().ok()?,
                None => default_port,
            };
            (host, port)
        } else if let Some((h, p)) = text.rsplit_once(':') {
            (h.to_string(), p.parse().ok()?)
        } else {
            (text.to_string(), default_port)
        };
        let host = match host.to_ascii_lowercase().as_str() {
            "*" | "0.0.0.0" | "_default_" => "*".to_string(),
            "[::]" | "[0:0:0:0:0:0:0:0]" => "[::]".to_string(),
            other => other.to_string(),
        };
        Some(Address::Inet { host, port })
    }
}

/// The origin's stand-in addresses the namespace carries: [`ORIGIN_V4`] for `*`, then the
/// next ones up for specific addresses.
pub fn origin_v4() -> Vec<String> {
    following(ORIGIN_V4, '.', 20)
}

/// [`origin_v4`] for IPv6: [`ORIGIN_V6`] for `[::]`.
pub fn origin_v6() -> Vec<String> {
    following(ORIGIN_V6, ':', 4)
}

/// `first` and the `count - 1` addresses after it (the last group counted up, in decimal
/// digits: a few addresses are all that is needed).
fn following(first: &str, separator: char, count: u16) -> Vec<String> {
    let (net, last) = first.rsplit_once(separator).expect("an address");
    let last: u16 = last.parse().expect("a decimal last group");
    (last..last + count)
        .map(|n| format!("{net}{separator}{n}"))
        .collect()
}

/// Hands out the stand-ins, the same one every time an original is seen again.
#[derive(Default)]
pub struct AddressMap {
    ports: BTreeMap<u16, u16>,
    hosts: BTreeMap<String, String>,
}

impl AddressMap {
    pub fn new() -> Self {
        AddressMap::default()
    }

    /// The stand-in host and port for `host:port`, or why there is none.
    pub fn map(&mut self, host: &str, port: u16) -> Result<(String, u16), String> {
        let new_port = match self.ports.get(&port) {
            Some(p) => *p,
            None => {
                // The kernel may hand a port just released to the next bind: a port already
                // given to another original port is asked again (a bounded number of times).
                let mut p = free_port()?;
                for _ in 0..100 {
                    if !self.ports.values().any(|&taken| taken == p) {
                        break;
                    }
                    p = free_port()?;
                }
                if self.ports.values().any(|&taken| taken == p) {
                    return Err("no free port distinct from those already mapped".into());
                }
                self.ports.insert(port, p);
                p
            }
        };
        if let Some(h) = self.hosts.get(host) {
            return Ok((h.clone(), new_port));
        }
        let pool = match (host.starts_with('['), loopback(host)) {
            (true, true) => vec!["::1".to_string()],
            (true, false) => origin_v6(),
            (false, true) => (2..=254).map(|n| format!("127.0.0.{n}")).collect(),
            // The wildcard takes the origin's first address, a specific address the next.
            (false, false) if host == "*" => origin_v4()[..1].to_vec(),
            (false, false) => origin_v4()[1..].to_vec(),
        };
        let stand_in = pool
            .into_iter()
            .find(|a| !self.hosts.values().any(|h| h == a))
            .ok_or_else(|| format!("no stand-in address left for {host}"))?;
        self.hosts.insert(host.to_string(), stand_in.clone());
        Ok((stand_in, new_port))
    }
}

/// `127.0.0.0/8`, `[::1]` or `localhost`.
fn loopback(host: &str) -> bool {
    host.starts_with("127.") || host == "[::1]" || host.eq_ignore_ascii_case("localhost")
}

/// A port nobody listens on right now. Another process may take it before the server binds
/// it; the server's start-up then fails loudly rather than probing the wrong process.
pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// `*:443`-style key for an original address.
pub fn key(host: &str, port: u16) -> String {
    format!("{host}:{port}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_listen_forms() {
        let inet = |h: &str, p| {
            Some(Address::Inet {
                host: h.into(),
                port: p,
            })
        };
        assert_eq!(Address::parse("443", 80), inet("*", 443));
        assert_eq!(Address::parse("*:443", 80), inet("*", 443));
        assert_eq!(Address::parse("0.0.0.0:8443", 80), inet("*", 8443));
        assert_eq!(Address::parse("10.0.0.1", 80), inet("10.0.0.1", 80));
        assert_eq!(Address::parse("[::]:443", 80), inet("[::]", 443));
        assert_eq!(Address::parse("_default_:443", 80), inet("*", 443));
        assert_eq!(
            Address::parse("unix:/run/a.sock", 80),
            Some(Address::Unix("/run/a.sock".into()))
        );
    }

    #[test]
    fn same_original_same_stand_in() {
        let mut map = AddressMap::new();
        let a = map.map("*", 443).unwrap();
        let b = map.map("10.0.0.1", 443).unwrap();
        assert_eq!(a.0, "198.51.100.10");
        assert_eq!(b.0, "198.51.100.11");
        assert_eq!(a.1, b.1);
        assert_eq!(map.map("*", 443).unwrap(), a);
        assert_eq!(map.map("127.0.0.1", 80).unwrap().0, "127.0.0.2");
        assert_eq!(map.map("localhost", 80).unwrap().0, "127.0.0.3");
        assert_eq!(map.map("[::]", 80).unwrap().0, "2001:db8:100::10");
        assert_eq!(map.map("[::1]", 80).unwrap().0, "::1");
    }
}
