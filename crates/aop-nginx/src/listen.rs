//! The `listen` directive's address forms and flags.

use std::net::{Ipv4Addr, Ipv6Addr};

use aop_model::{ListenAddr, Listener};

use crate::ast::Directive;

const PARAMS_WITH_VALUE: &[&str] = &[
    "ipv6only=",
    "backlog=",
    "rcvbuf=",
    "sndbuf=",
    "accept_filter=",
    "fastopen=",
    "so_keepalive=",
    "setfib=",
];

/// Parses a `listen` directive; the error is nginx's message.
pub fn parse_listen(d: &Directive, ssl_on: bool) -> Result<Listener, String> {
    let Some(first) = d.args.first() else {
        return Err("invalid number of arguments in \"listen\" directive".into());
    };
    let (addr, port) = parse_address(&first.value)?;
    let mut l = Listener {
        addr,
        port,
        tls: ssl_on,
        default_server: false,
        span: d.head_span(),
    };
    for a in &d.args[1..] {
        let v = a.value.as_str();
        match v {
            "ssl" | "quic" => l.tls = true,
            "default_server" | "default" => l.default_server = true,
            "http2" | "http3" | "proxy_protocol" | "reuseport" | "deferred" | "bind" => {}
            _ if PARAMS_WITH_VALUE.iter().any(|p| v.starts_with(p)) => {}
            _ => return Err(format!("invalid parameter \"{v}\"")),
        }
    }
    Ok(l)
}

fn parse_port(s: &str, whole: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!(
            "invalid port in \"{whole}\" of the \"listen\" directive"
        )),
    }
}

pub fn parse_address(s: &str) -> Result<(ListenAddr, Option<u16>), String> {
    if let Some(path) = s.strip_prefix("unix:") {
        return Ok((ListenAddr::Unix(path.to_string()), None));
    }
    if let Some(rest) = s.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return Err(format!(
                "invalid IPv6 address in \"{s}\" of the \"listen\" directive"
            ));
        };
        let ip: Ipv6Addr = host
            .parse()
            .map_err(|_| format!("invalid IPv6 address in \"{s}\" of the \"listen\" directive"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => parse_port(p, s)?,
            None if after.is_empty() => 80,
            None => {
                return Err(format!(
                    "invalid port in \"{s}\" of the \"listen\" directive"
                ))
            }
        };
        let addr = if ip.is_unspecified() {
            ListenAddr::AnyV6
        } else {
            ListenAddr::V6(ip)
        };
        return Ok((addr, Some(port)));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok((ListenAddr::AnyV4, Some(parse_port(s, s)?)));
    }
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, parse_port(p, s)?),
        None => (s, 80),
    };
    let addr = if host == "*" {
        ListenAddr::AnyV4
    } else if let Ok(ip) = host.parse::<Ipv4Addr>() {
        if ip.is_unspecified() {
            ListenAddr::AnyV4
        } else {
            ListenAddr::V4(ip)
        }
    } else if host.is_empty() {
        return Err(format!("no host in \"{s}\" of the \"listen\" directive"));
    } else {
        ListenAddr::Name(host.to_ascii_lowercase())
    };
    Ok((addr, Some(port)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_forms() {
        assert_eq!(parse_address("443"), Ok((ListenAddr::AnyV4, Some(443))));
        assert_eq!(parse_address("*:443"), Ok((ListenAddr::AnyV4, Some(443))));
        assert_eq!(
            parse_address("0.0.0.0:8443"),
            Ok((ListenAddr::AnyV4, Some(8443)))
        );
        assert_eq!(
            parse_address("127.0.0.1:443"),
            Ok((ListenAddr::V4(Ipv4Addr::LOCALHOST), Some(443)))
        );
        assert_eq!(
            parse_address("127.0.0.1"),
            Ok((ListenAddr::V4(Ipv4Addr::LOCALHOST), Some(80)))
        );
        assert_eq!(
            parse_address("[::]:443"),
            Ok((ListenAddr::AnyV6, Some(443)))
        );
        assert_eq!(
            parse_address("[::1]:443"),
            Ok((ListenAddr::V6(Ipv6Addr::LOCALHOST), Some(443)))
        );
        assert_eq!(
            parse_address("unix:/run/a.sock"),
            Ok((ListenAddr::Unix("/run/a.sock".into()), None))
        );
        assert_eq!(
            parse_address("Example.com:80"),
            Ok((ListenAddr::Name("example.com".into()), Some(80)))
        );
        assert!(parse_address("*:http").is_err());
        assert!(parse_address("[::1").is_err());
        assert!(parse_address("70000").is_err());
    }
}
