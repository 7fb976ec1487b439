//! A `listen` address: `[network/]host:port[-port]`, as Caddy's `ParseNetworkAddress` reads
//! it (`:443`, `127.0.0.1:8443`, `tcp6/[::1]:443`, `:8000-8003`, `unix//run/caddy.sock`).

use aop_model::ListenAddr;

use crate::lower::listen_addr;

/// Ports of one range taken before the rest is left out: a range is a handful of ports.
const MAX_RANGE: u32 = 64;

#[derive(Debug, PartialEq, Eq)]
pub enum Listen {
    /// One host, one or more ports; `None` for a unix socket.
    At(ListenAddr, Vec<Option<u16>>),
    /// Known only where Caddy runs (`{env.PORT}`).
    Placeholder,
}

pub fn parse(text: &str) -> Result<Listen, String> {
    if text.contains('{') {
        return Ok(Listen::Placeholder);
    }
    let (network, rest) = match text.split_once('/') {
        Some((n, rest)) if !n.contains(':') => (n.to_ascii_lowercase(), rest),
        _ => ("tcp".to_string(), text),
    };
    if network.starts_with("unix") {
        return Ok(Listen::At(ListenAddr::Unix(rest.to_string()), vec![None]));
    }
    if !matches!(
        network.as_str(),
        "tcp" | "tcp4" | "tcp6" | "udp" | "udp4" | "udp6" | "ip" | "ip4" | "ip6"
    ) {
        return Err(format!("unsupported network type {network}"));
    }
    let Some((host, ports)) = rest.rsplit_once(':') else {
        return Err(format!("address {rest}: missing port in address"));
    };
    let (first, last) = match ports.split_once('-') {
        Some((a, b)) => (port(a)?, port(b)?),
        None => (port(ports)?, port(ports)?),
    };
    if last < first {
        return Err(format!(
            "end port must not be less than start port: {ports}"
        ));
    }
    let count = u32::from(last - first) + 1;
    let ports = (first..=last)
        .take(count.min(MAX_RANGE) as usize)
        .map(Some)
        .collect();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addr = if host.is_empty() {
        ListenAddr::AnyV4
    } else {
        listen_addr(host)
    };
    Ok(Listen::At(addr, ports))
}

fn port(text: &str) -> Result<u16, String> {
    text.parse()
        .map_err(|_| format!("invalid port `{text}` (a number from 0 to 65535)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_caddy_takes() {
        assert_eq!(
            parse(":443"),
            Ok(Listen::At(ListenAddr::AnyV4, vec![Some(443)]))
        );
        assert_eq!(
            parse("tcp/127.0.0.1:8443"),
            Ok(Listen::At(
                ListenAddr::V4("127.0.0.1".parse().unwrap()),
                vec![Some(8443)]
            ))
        );
        assert_eq!(
            parse("[::]:443"),
            Ok(Listen::At(ListenAddr::AnyV6, vec![Some(443)]))
        );
        assert_eq!(
            parse(":8000-8002"),
            Ok(Listen::At(
                ListenAddr::AnyV4,
                vec![Some(8000), Some(8001), Some(8002)]
            ))
        );
        assert_eq!(parse(":{env.PORT}"), Ok(Listen::Placeholder));
        assert!(matches!(
            parse("unix//run/caddy.sock"),
            Ok(Listen::At(ListenAddr::Unix(_), _))
        ));
        assert!(parse("localhost").is_err());
        assert!(parse(":99999").is_err());
        assert!(parse(":9-1").is_err());
        assert!(parse("sctp/:443").is_err());
    }
}
