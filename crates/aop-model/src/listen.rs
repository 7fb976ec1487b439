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
    pub fn address_port(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.addr),
            None => self.addr.to_string(),
        }
    }
}
