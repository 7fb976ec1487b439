//! Every address:port a fixture names is given a loopback stand-in. Each distinct original
//! address gets its own loopback address and each distinct original port its own free high
//! port, so the partition of servers among sockets is the one the real addresses give: a
//! server on a specific address still takes that address's connections away from wildcard
//! servers, because it keeps a socket of its own.

use std::collections::BTreeMap;
use std::net::TcpListener;

/// A socket the rewritten configuration listens on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// As the fixture wrote it, normalised: `*:443`, `[::]:443`, `10.0.0.1:80`.
    pub original: String,
    /// Loopback address to connect to: `127.0.0.1`, `127.0.0.2`, `::1`.
    pub host: String,
    pub port: u16,
    pub tls: bool,
    /// Set for `stream {}`/`mail {}` listeners, which are not probed over HTTP.
    pub http: bool,
}

impl Endpoint {
    /// The original address is loopback (`127.0.0.0/8`, `[::1]`, `localhost`): only clients
    /// on the machine itself reach it, which probes from 127.0.0.1 cannot tell apart
    /// (test `nginx_loopback_listeners_are_not_reachable_at_other_addresses`).
    pub fn local_only(&self) -> bool {
        let host = self
            .original
            .rsplit_once(':')
            .map_or(self.original.as_str(), |(h, _)| h);
        host.starts_with("127.") || host == "[::1]" || host.eq_ignore_ascii_case("localhost")
    }

    /// The authority as curl's `--resolve` and `--connect-to` want it.
    pub fn connect_host(&self) -> String {
        if self.host.contains(':') {
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

/// Hands out the loopback stand-ins, the same one every time an original is seen again.
#[derive(Default)]
pub struct AddressMap {
    ports: BTreeMap<u16, u16>,
    hosts: BTreeMap<String, String>,
    next_v4: u8,
}

impl AddressMap {
    pub fn new() -> Self {
        AddressMap {
            next_v4: 2,
            ..Default::default()
        }
    }

    /// The loopback host and port standing for `host:port`, or why there is none.
    pub fn map(&mut self, host: &str, port: u16) -> Result<(String, u16), String> {
        let new_port = match self.ports.get(&port) {
            Some(p) => *p,
            None => {
                let p = free_port()?;
                self.ports.insert(port, p);
                p
            }
        };
        if let Some(h) = self.hosts.get(host) {
            return Ok((h.clone(), new_port));
        }
        let loopback = if host == "*" {
            "127.0.0.1".to_string()
        } else if host.starts_with('[') {
            if self.hosts.values().any(|h| h == "::1") {
                return Err(format!(
                    "a second IPv6 address ({host}) has no loopback stand-in left"
                ));
            }
            "::1".to_string()
        } else {
            let h = format!("127.0.0.{}", self.next_v4);
            self.next_v4 = self.next_v4.checked_add(1).ok_or("too many addresses")?;
            h
        };
        self.hosts.insert(host.to_string(), loopback.clone());
        Ok((loopback, new_port))
    }
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
        assert_eq!(a.0, "127.0.0.1");
        assert_eq!(b.0, "127.0.0.2");
        assert_eq!(a.1, b.1);
        assert_eq!(map.map("*", 443).unwrap(), a);
    }
}
