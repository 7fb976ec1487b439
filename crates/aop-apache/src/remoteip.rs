//! mod_remoteip: which peers may set the client's address through `RemoteIPHeader`.
//!
//! As Debian's httpd 2.4 behaves (checked on loopback with `%a` in a log and `Require ip`):
//! the module acts only where `RemoteIPHeader` is set (own, else the main server's); a
//! virtual host trusts the main server's `RemoteIPTrustedProxy`/`RemoteIPInternalProxy`
//! entries and its own together; with none at all it takes the header from every peer.
//! Sources are parsed as APR does: `a.b.c.d`, `a.b.c.d/bits`, `a.b.c.d/netmask`, a partial
//! `a.b` (a /16), IPv6 with or without `/bits`; `/0` makes httpd refuse to start; anything
//! else is a host name, resolved once at start-up.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use aop_model::RealIp;
use aop_source::Span;

use crate::ast::Directive;

/// Entries read from each `RemoteIPTrustedProxyList`/`RemoteIPInternalProxyList` file, by
/// the span of the directive naming it; a file that could not be read has no entry.
pub type ProxyLists = HashMap<Span, Vec<(String, Span)>>;

pub fn is_list(name: &str) -> bool {
    matches!(
        name,
        "remoteiptrustedproxylist" | "remoteipinternalproxylist"
    )
}

pub fn is_proxy(name: &str) -> bool {
    matches!(name, "remoteiptrustedproxy" | "remoteipinternalproxy")
}

/// A trusted source as httpd reads it: the CIDR it covers (`10` is `10.0.0.0/8`), a host
/// name, or why httpd refuses it.
#[derive(Debug, PartialEq, Eq)]
pub enum Source {
    Cidr(String),
    Host(String),
    Refused(Refusal),
}

/// Why mod_remoteip refuses a source, as APR's parse of it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No address before the `/`.
    Empty,
    /// Not an address, or a partial IPv4 address with a mask.
    Address,
    /// A mask that is no number of bits in range, or `/0`.
    Mask,
    /// A host name with a subnet.
    HostSubnet,
}

/// mod_remoteip's test: a colon means IPv6, else only digits and dots mean IPv4.
fn looks_like_ip(s: &str) -> bool {
    s.contains(':') || s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

pub fn parse_source(written: &str) -> Source {
    let (ip, mask) = match written.split_once('/') {
        Some((ip, mask)) => (ip, Some(mask)),
        None => (written, None),
    };
    if !looks_like_ip(ip) {
        return match mask {
            Some(_) => Source::Refused(Refusal::HostSubnet),
            None => Source::Host(written.to_string()),
        };
    }
    if ip.is_empty() {
        return Source::Refused(Refusal::Empty);
    }
    let (address, bad_mask) = (
        Source::Refused(Refusal::Address),
        Source::Refused(Refusal::Mask),
    );
    if ip.contains(':') {
        let Ok(addr) = ip.parse::<IpAddr>() else {
            return address;
        };
        return match mask.map(|m| m.parse::<u8>()) {
            None => Source::Cidr(format!("{addr}/128")),
            Some(Ok(bits)) if (1..=128).contains(&bits) => Source::Cidr(format!("{addr}/{bits}")),
            Some(_) => bad_mask,
        };
    }
    let octets: Vec<&str> = ip.split('.').collect();
    let Some(numbers) = octets
        .iter()
        .map(|o| o.parse::<u8>().ok())
        .collect::<Option<Vec<u8>>>()
    else {
        return address;
    };
    // APR takes a mask only after all four octets.
    if numbers.len() > 4 || (numbers.len() < 4 && mask.is_some()) {
        return address;
    }
    let mut full = [0u8; 4];
    full[..numbers.len()].copy_from_slice(&numbers);
    let addr = Ipv4Addr::from(full);
    let bits = match mask {
        // A partial address is a network of its octets; a full one a single host.
        None => 8 * numbers.len() as u32,
        Some(m) if !m.contains('.') => match m.parse::<u32>() {
            Ok(bits) if bits <= 32 => bits,
            _ => return bad_mask,
        },
        Some(m) => match m.parse::<Ipv4Addr>() {
            // A netmask: its leading ones (a mask with holes trusts at least as much).
            Ok(netmask) => u32::from(netmask).leading_ones(),
            _ => return bad_mask,
        },
    };
    if bits == 0 {
        return bad_mask;
    }
    Source::Cidr(format!("{addr}/{bits}"))
}

/// The sources `directives` (one server context, in order) trust, with their spans, and
/// whether a list file among them could not be read or httpd refuses a source (then what
/// they trust is not known in full).
fn sources(directives: &[&Directive], lists: &ProxyLists) -> (Vec<(String, Span)>, bool) {
    let mut out = Vec::new();
    let mut unknown = false;
    for d in directives {
        if is_proxy(&d.name) {
            out.extend(d.args.iter().map(|a| (a.value.clone(), a.span)));
        } else if is_list(&d.name) {
            match lists.get(&d.span) {
                Some(entries) => out.extend(entries.iter().cloned()),
                None => unknown = true,
            }
        }
    }
    let out = out
        .into_iter()
        .filter_map(|(written, span)| match parse_source(&written) {
            // httpd refuses to start (the reader reported it): nothing is known.
            Source::Refused(_) => {
                unknown = true;
                None
            }
            // Kept as written where that is already an address or CIDR; `10` becomes
            // `10.0.0.0/8`.
            Source::Cidr(_) if plain_ip(&written) || plain_cidr(&written) => Some((written, span)),
            Source::Cidr(c) | Source::Host(c) => Some((c, span)),
        })
        .collect();
    (out, unknown)
}

fn plain_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

fn plain_cidr(s: &str) -> bool {
    s.split_once('/')
        .is_some_and(|(ip, bits)| plain_ip(ip) && !bits.contains('.') && bits.parse::<u8>().is_ok())
}

fn proxies<'t>(ds: &[&'t Directive]) -> Vec<&'t Directive> {
    ds.iter()
        .copied()
        .filter(|d| is_proxy(&d.name) || is_list(&d.name))
        .collect()
}

/// Whether mod_remoteip may take a loopback address from the header as the client's: only
/// from a peer named by `RemoteIPInternalProxy`(`List`). Trusted proxies, and every peer when
/// none is named, have private and loopback addresses refused (a client claiming 127.0.0.1
/// in `X-Forwarded-For` stays itself: fixture `client-verify-missing-ok-require-local-remoteip`).
pub fn believes_loopback_claims(own: &[&Directive], main: &[&Directive]) -> bool {
    let header = |ds: &[&Directive]| ds.iter().any(|d| d.is("remoteipheader"));
    let internal = |ds: &[&Directive]| {
        ds.iter().any(|d| {
            matches!(
                d.name.as_str(),
                "remoteipinternalproxy" | "remoteipinternalproxylist"
            )
        })
    };
    (header(own) || header(main)) && (internal(own) || internal(main))
}

/// What mod_remoteip does for a virtual host (`own`) under the main server (`main`), or for
/// the main server itself (`own` is the main server's, `main` empty).
pub fn real_ip(own: &[&Directive], main: &[&Directive], lists: &ProxyLists) -> Option<RealIp> {
    let header_of = |ds: &[&Directive]| {
        ds.iter()
            .rev()
            .find(|d| d.is("remoteipheader"))
            .and_then(|d| Some((d.arg(0)?.to_string(), d.span)))
    };
    let header = header_of(own).or_else(|| header_of(main))?;
    let (mine, inherited) = (proxies(own), proxies(main));
    let (mut trusted, unknown_main) = sources(&inherited, lists);
    let (own_trusted, unknown_own) = sources(&mine, lists);
    trusted.extend(own_trusted);
    // An unreadable list or a refused source (both reported) is not "no proxy named".
    if trusted.is_empty() && (unknown_main || unknown_own) {
        return None;
    }
    Some(RealIp {
        header: Some(header),
        inherited: mine.is_empty() && !trusted.is_empty(),
        trusted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Source {
        Source::Cidr(s.to_string())
    }

    /// Each form as `apache2 -t` takes it: accepted, or refused at start-up.
    #[test]
    fn sources_parse_as_apr_does() {
        assert_eq!(parse_source("10"), cidr("10.0.0.0/8"));
        assert_eq!(parse_source("10.1"), cidr("10.1.0.0/16"));
        assert_eq!(parse_source("10.0.0.0/255.0.0.0"), cidr("10.0.0.0/8"));
        assert_eq!(parse_source("0.0.0.0/1"), cidr("0.0.0.0/1"));
        assert_eq!(parse_source("1.2.3.4/8"), cidr("1.2.3.4/8"));
        assert_eq!(parse_source("0.0.0.0"), cidr("0.0.0.0/32"));
        assert_eq!(parse_source("2400:cb00::/32"), cidr("2400:cb00::/32"));
        assert_eq!(parse_source("::1"), cidr("::1/128"));
        assert!(matches!(parse_source("0.0.0.0/0"), Source::Refused(_)));
        assert!(matches!(parse_source("::/0"), Source::Refused(_)));
        assert!(matches!(parse_source("1.2.3.4/33"), Source::Refused(_)));
        assert!(matches!(parse_source("1.2.3.400"), Source::Refused(_)));
        assert!(matches!(parse_source("proxy.lan/24"), Source::Refused(_)));
        assert!(matches!(parse_source("10.1/16"), Source::Refused(_)));
        assert!(matches!(
            parse_source("10.1/255.255.0.0"),
            Source::Refused(_)
        ));
        assert_eq!(parse_source("10.0.0.0/255.0.255.0"), cidr("10.0.0.0/8"));
        assert_eq!(
            parse_source("proxy.lan"),
            Source::Host("proxy.lan".to_string())
        );
    }
}
