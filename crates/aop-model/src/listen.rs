use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use aop_source::Span;

/// The address part of a listener.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ListenAddr {
    /// Every IPv4 address (`443`, `*:443`, `0.0.0.0:443`, Apache's `_default_`).
    AnyV4,
    /// Every IPv6 address (`[::]:443`).
    AnyV6,
    V4(Ipv4Addr),
    V6(Ipv6Addr),
    /// A host name, resolved by the server at start-up.
    Name(String),
    /// A unix-domain socket path.
    Unix(String),
}

impl ListenAddr {
    pub fn is_wildcard(&self) -> bool {
        matches!(self, ListenAddr::AnyV4 | ListenAddr::AnyV6)
    }

    /// Whether a client elsewhere (Cloudflare, anyone on the internet) can connect here at
    /// all. Loopback addresses (`127.0.0.0/8`, `::1`, `localhost`) and unix-domain sockets
    /// take connections from this machine only. Any other name is taken as reachable: what
    /// it resolves to is decided by DNS at start-up.
    pub fn reachable_from_outside(&self) -> bool {
        match self {
            ListenAddr::AnyV4 | ListenAddr::AnyV6 => true,
            ListenAddr::V4(ip) => !ip.is_loopback(),
            ListenAddr::V6(ip) => {
                !ip.is_loopback() && !ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
            ListenAddr::Name(name) => !name.eq_ignore_ascii_case("localhost"),
            ListenAddr::Unix(_) => false,
        }
    }
}

impl fmt::Display for ListenAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenAddr::AnyV4 => write!(f, "*"),
            ListenAddr::AnyV6 => write!(f, "[::]"),
            ListenAddr::V4(a) => write!(f, "{a}"),
            ListenAddr::V6(a) => write!(f, "[{a}]"),
            ListenAddr::Name(n) => write!(f, "{n}"),
            ListenAddr::Unix(p) => write!(f, "unix:{p}"),
        }
    }
}

/// One `listen` directive (nginx) or one address of a `<VirtualHost>` (Apache).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    pub addr: ListenAddr,
    /// `None` for unix sockets.
    pub port: Option<u16>,
    pub tls: bool,
    pub default_server: bool,
    pub span: Span,
}

impl Listener {
    /// See [`ListenAddr::reachable_from_outside`].
    pub fn reachable_from_outside(&self) -> bool {
        self.addr.reachable_from_outside()
    }

    /// `*:443`, `[::1]:8443`, `unix:/run/x.sock`.
    pub fn address_port(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.addr),
            None => self.addr.to_string(),
        }
    }

    /// The listener as `aop-lint servers` prints it: `*:443 ssl default_server`.
    pub fn describe(&self) -> String {
        let mut s = self.address_port();
        if self.tls {
            s.push_str(" ssl");
        }
        if self.default_server {
            s.push_str(" default_server");
        }
        s
    }
}

/// Why a server is the default one of its address:port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultWhy {
    /// It carries `default_server` (nginx).
    Flagged,
    /// It is the first one listed for that address:port.
    FirstListed,
}

/// One address:port the server accepts connections on, the servers that answer there, and the
/// one that answers every name not configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressPort {
    pub addr: ListenAddr,
    pub port: Option<u16>,
    pub tls: bool,
    /// Indexes into [`crate::Config::servers`], in configuration order.
    pub servers: Vec<usize>,
    pub default: usize,
    /// The span that made `default` the default: its `default_server` flag or its listener.
    pub default_span: Span,
    pub default_why: DefaultWhy,
}

impl AddressPort {
    /// The address:port of `listener`, with `server` its first and default server.
    pub fn first_listed(listener: &Listener, server: usize) -> Self {
        AddressPort {
            addr: listener.addr.clone(),
            port: listener.port,
            tls: listener.tls,
            servers: vec![server],
            default: server,
            default_span: listener.span,
            default_why: DefaultWhy::FirstListed,
        }
    }

    /// See [`ListenAddr::reachable_from_outside`].
    pub fn reachable_from_outside(&self) -> bool {
        self.addr.reachable_from_outside()
    }

    pub fn address_port(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.addr),
            None => self.addr.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ListenAddr;

    #[test]
    fn loopback_and_unix_sockets_are_not_reachable_from_outside() {
        let local = [
            ListenAddr::V4("127.0.0.1".parse().unwrap()),
            ListenAddr::V4("127.3.2.1".parse().unwrap()),
            ListenAddr::V6("::1".parse().unwrap()),
            ListenAddr::V6("::ffff:127.0.0.1".parse().unwrap()),
            ListenAddr::Name("localhost".into()),
            ListenAddr::Unix("/run/site.sock".into()),
        ];
        for addr in &local {
            assert!(!addr.reachable_from_outside(), "{addr}");
        }
        let outside = [
            ListenAddr::AnyV4,
            ListenAddr::AnyV6,
            ListenAddr::V4("192.0.2.10".parse().unwrap()),
            ListenAddr::V4("10.0.0.1".parse().unwrap()),
            ListenAddr::V6("2001:db8::1".parse().unwrap()),
            ListenAddr::Name("origin.example.com".into()),
        ];
        for addr in &outside {
            assert!(addr.reachable_from_outside(), "{addr}");
        }
    }
}
