//! The `listen` directive's address forms and flags.

use std::net::{Ipv4Addr, Ipv6Addr};

use aop_model::{ListenAddr, Listener};

use crate::ast::Directive;

use aop_source::Span;

/// Every parameter of `listen` in nginx 1.30 (`ngx_http_core_listen`) that takes no value.
/// `ssl`, `quic`, `default_server` and `default` change the model; the others only tune the
/// socket.
const FLAGS: &[&str] = &[
    "default_server",
    "default",
    "ssl",
    "http2",
    "quic",
    "proxy_protocol",
    "deferred",
    "bind",
    "reuseport",
    "multipath",
];

/// The parameters written `name=value`.
const PARAMS_WITH_VALUE: &[&str] = &[
    "setfib=",
    "fastopen=",
    "backlog=",
    "rcvbuf=",
    "sndbuf=",
    "accept_filter=",
    "ipv6only=",
    "so_keepalive=",
];

/// A `listen` as read: the listener, and the parameters aop-lint does not know. nginx may
/// know them (a newer version, a patched build): the listener is kept, and each is reported
/// as not checked rather than dropping the socket the server listens on.
#[derive(Debug)]
pub struct ParsedListen {
    pub listener: Listener,
    /// `ssl` or `quic` as written on this `listen` (nginx names it in its errors), before
    /// `ssl on` or another server's flag on the same socket make the listener TLS.
    pub tls_flag: Option<&'static str>,
    pub unknown: Vec<UnknownParam>,
}

/// A word after the address that is no `listen` parameter.
#[derive(Debug)]
pub struct UnknownParam {
    pub word: String,
    pub span: Span,
    /// The word before it: a line break between the two means a `;` is missing and the next
    /// directive was read as parameters.
    pub after: Span,
}

/// Parses a `listen` directive; the error is nginx's message.
pub fn parse_listen(d: &Directive, ssl_on: bool) -> Result<ParsedListen, String> {
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
    let mut unknown = Vec::new();
    let mut tls_flag = None;
    for (before, a) in d.args.iter().zip(&d.args[1..]) {
        let v = a.value.as_str();
        match v {
            "ssl" => {
                l.tls = true;
                tls_flag = Some("ssl");
            }
            "quic" => {
                l.tls = true;
                tls_flag = tls_flag.or(Some("quic"));
            }
            "default_server" | "default" => l.default_server = true,
            _ if FLAGS.contains(&v) => {}
            _ if PARAMS_WITH_VALUE.iter().any(|p| v.starts_with(p)) => {}
            _ => unknown.push(UnknownParam {
                word: v.to_string(),
                span: a.span,
                after: before.span,
            }),
        }
    }
    Ok(ParsedListen {
        listener: l,
        tls_flag,
        unknown,
    })
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
    use crate::parse::parse;
    use aop_source::FileId;

    fn listen(src: &str) -> ParsedListen {
        let p = parse(src.as_bytes(), FileId(0), 100);
        assert!(p.error.is_none());
        parse_listen(&p.directives[0], false).expect("nginx accepts it")
    }

    #[test]
    fn every_parameter_of_current_nginx_is_read() {
        let l = listen("listen 443 ssl default_server http2 proxy_protocol setfib=1 fastopen=256 backlog=511 rcvbuf=64k sndbuf=64k accept_filter=dataready deferred bind ipv6only=on reuseport so_keepalive=30m::10 multipath;");
        assert!(l.unknown.is_empty(), "{:?}", l.unknown);
        assert!(l.listener.tls && l.listener.default_server);
        let l = listen("listen [::]:443 quic default;");
        assert!(l.unknown.is_empty());
        assert!(l.listener.tls && l.listener.default_server);
    }

    #[test]
    fn an_unknown_parameter_keeps_the_listener() {
        let l = listen("listen 443 ssl default_server http3 fancy=1;");
        assert!(l.listener.tls && l.listener.default_server);
        let unknown: Vec<&str> = l.unknown.iter().map(|u| u.word.as_str()).collect();
        assert_eq!(unknown, ["http3", "fancy=1"]);
    }

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
