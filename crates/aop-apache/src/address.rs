//! `<VirtualHost>` addresses and `Listen` arguments.

use std::net::{Ipv4Addr, Ipv6Addr};

use aop_model::ListenAddr;

/// `*:443`, `_default_:443`, `10.0.0.1:443`, `[::1]:443`, `host:80`, `*` (any port: `None`).
pub fn parse_vhost_addr(s: &str) -> (ListenAddr, Option<u16>) {
    let (host, port) = split_host_port(s);
    let port = port.and_then(|p| p.parse().ok());
    (parse_host(host), port)
}

/// `Listen [addr:]port [protocol]`: the address, the port, and whether it speaks https.
pub fn parse_listen(addr: &str, protocol: Option<&str>) -> Option<(ListenAddr, u16, bool)> {
    let (host, port) = match split_host_port(addr) {
        (h, Some(p)) => (h, p),
        (h, None) => ("*", h),
    };
    let port: u16 = port.parse().ok()?;
    let https = match protocol {
        Some(p) => p.eq_ignore_ascii_case("https"),
        None => port == 443,
    };
    Some((parse_host(host), port, https))
}

fn split_host_port(s: &str) -> (&str, Option<&str>) {
    if let Some(rest) = s.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((h, tail)) => (h, tail.strip_prefix(':')),
            None => (s, None),
        };
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, Some(p)),
        _ => (s, None),
    }
}

fn parse_host(h: &str) -> ListenAddr {
    match h {
        "*" | "_default_" | "" | "0.0.0.0" => ListenAddr::AnyV4,
        "::" => ListenAddr::AnyV6,
        _ => {
            if let Ok(v4) = h.parse::<Ipv4Addr>() {
                ListenAddr::V4(v4)
            } else if let Ok(v6) = h.parse::<Ipv6Addr>() {
                ListenAddr::V6(v6)
            } else {
                ListenAddr::Name(h.to_ascii_lowercase())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vhost_addresses() {
        assert_eq!(parse_vhost_addr("*:443"), (ListenAddr::AnyV4, Some(443)));
        assert_eq!(
            parse_vhost_addr("_default_:443"),
            (ListenAddr::AnyV4, Some(443))
        );
        assert_eq!(
            parse_vhost_addr("[2001:db8::1]:8443"),
            (ListenAddr::V6("2001:db8::1".parse().unwrap()), Some(8443))
        );
        assert_eq!(
            parse_vhost_addr("10.0.0.1"),
            (ListenAddr::V4("10.0.0.1".parse().unwrap()), None)
        );
        assert_eq!(parse_vhost_addr("*:*"), (ListenAddr::AnyV4, None));
    }

    #[test]
    fn listen_forms() {
        assert_eq!(
            parse_listen("443", None),
            Some((ListenAddr::AnyV4, 443, true))
        );
        assert_eq!(
            parse_listen("80", None),
            Some((ListenAddr::AnyV4, 80, false))
        );
        assert_eq!(
            parse_listen("127.0.0.1:8443", Some("https")),
            Some((ListenAddr::V4("127.0.0.1".parse().unwrap()), 8443, true))
        );
        assert_eq!(
            parse_listen("[::]:80", None),
            Some((ListenAddr::AnyV6, 80, false))
        );
    }
}
