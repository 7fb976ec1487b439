//! mod_remoteip: which peers may set the client's address through `RemoteIPHeader`.
//!
//! As Debian's httpd 2.4 behaves (checked on loopback with `%a` in a log and `Require ip`):
//! the module acts only where `RemoteIPHeader` is set (own, else the main server's); a
//! virtual host trusts the main server's `RemoteIPTrustedProxy`/`RemoteIPInternalProxy`
//! entries and its own together; with none at all it takes the header from every peer.
//! Sources are parsed as APR's `apr_ipsubnet_create` does (checked with `apache2 -t`, and
//! on loopback for what they trust): `a.b.c.d`, `a.b.c.d/bits`, `a.b.c.d/netmask`, a
//! partial `a.b` (a /16), IPv6 with or without `/bits`; anything else is a host name,
//! resolved once at start-up. A number of bits must be from 1 up, so `/0` makes httpd
//! refuse to start, but any dotted netmask is taken: `/0.0.0.0` trusts every IPv4 peer
//! (no IPv6 one), and a mask with holes (`/255.0.255.0`) only the addresses it matches.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use aop_model::RealIp;
use aop_source::Span;

use crate::ast::Directive;
use crate::inet_pton;

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

/// Why mod_remoteip refuses a source, as APR's `apr_ipsubnet_create` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No address before the `/`.
    Empty,
    /// Not an address (a partial IPv4 address only without a mask), or an IPv4-mapped IPv6
    /// address (`::ffff:a.b.c.d`, which APR wants written as IPv4).
    Address,
    /// A mask that is neither a number of bits from 1 to the address's width (as `strtol`
    /// reads it: `/0` is refused, `/+8` and `/08` are 8) nor, for IPv4, a dotted netmask.
    Mask,
    /// A host name with a subnet.
    HostSubnet,
}

/// mod_remoteip's test: a colon means IPv6, else only digits and dots mean IPv4.
fn looks_like_ip(s: &str) -> bool {
    s.contains(':') || s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// APR's `parse_network`: the legacy `a`, `a.b.`, `a.b.c` forms, a network of the octets
/// written (at most four, each up to 255, in fewer than 16 characters).
fn partial_v4(s: &str) -> Option<(Ipv4Addr, u32)> {
    if s.len() > "255.255.255.255".len() {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut count = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let after = &rest[digits..];
        if digits == 0 || !(after.is_empty() || after.starts_with('.')) || count == 4 {
            return None;
        }
        octets[count] = rest[..digits].parse::<u8>().ok()?;
        count += 1;
        rest = after.strip_prefix('.').unwrap_or(after);
    }
    Some((Ipv4Addr::from(octets), 8 * count as u32))
}

/// A mask of `bits` leading ones in an address `width` bits wide.
fn prefix_mask(bits: u32, width: u32) -> u128 {
    u128::MAX.checked_shl(128 - bits).unwrap_or(0) >> (128 - width)
}

/// The mask after the `/`: a number of bits up to `width`, else (IPv4 only) a dotted
/// netmask, which may be `0.0.0.0` (every address) or have holes.
fn mask_bits(mask: &str, width: u32) -> Option<u128> {
    match inet_pton::whole_number(mask) {
        Some(bits) if bits > 0 && bits <= i64::from(width) => Some(prefix_mask(bits as u32, width)),
        _ if width == 32 => inet_pton::v4(mask).map(|m| u128::from(u32::from(m))),
        _ => None,
    }
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
    // IPv6 first, then IPv4, then (without a mask) the partial IPv4 forms.
    let (addr, width, default_mask): (IpAddr, u32, u128) = if let Some(a) = inet_pton::v6(ip) {
        if a.to_ipv4_mapped().is_some() {
            return Source::Refused(Refusal::Address);
        }
        (a.into(), 128, u128::MAX)
    } else if let Some(a) = inet_pton::v4(ip) {
        (a.into(), 32, u128::from(u32::MAX))
    } else {
        match mask.is_none().then(|| partial_v4(ip)).flatten() {
            Some((a, bits)) => (a.into(), 32, prefix_mask(bits, 32)),
            None => return Source::Refused(Refusal::Address),
        }
    };
    let netmask = match mask {
        None => default_mask,
        Some(m) => match mask_bits(m, width) {
            Some(netmask) => netmask,
            None => return Source::Refused(Refusal::Mask),
        },
    };
    Source::Cidr(covering_cidr(addr, netmask, width))
}

/// The range a subnet covers, as CIDR: its network (APR clears the bits the mask leaves out)
/// and the mask's leading ones. A netmask with holes (`255.0.255.0`) matches only part of
/// that range, which is the smallest CIDR holding all it matches.
fn covering_cidr(addr: IpAddr, netmask: u128, width: u32) -> String {
    let prefix = (netmask << (128 - width)).leading_ones().min(width);
    let kept = prefix_mask(prefix, width);
    match addr {
        IpAddr::V4(a) => {
            let network = Ipv4Addr::from(u32::from(a) & kept as u32);
            format!("{network}/{prefix}")
        }
        IpAddr::V6(a) => {
            let network = std::net::Ipv6Addr::from(u128::from(a) & kept);
            format!("{network}/{prefix}")
        }
    }
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
        .is_some_and(|(ip, bits)| plain_ip(ip) && bits.bytes().all(|b| b.is_ascii_digit()))
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

/// Sources `apache2 -t` accepts, with the range each trusts (errors/tests.rs asks httpd).
#[cfg(test)]
pub(crate) const ACCEPTED: &[(&str, &str)] = &[
    ("10", "10.0.0.0/8"),
    ("10.1", "10.1.0.0/16"),
    ("10.", "10.0.0.0/8"),
    ("1.2.3.4.", "1.2.3.4/32"),
    ("000000000000010", "10.0.0.0/8"),
    ("0", "0.0.0.0/8"),
    ("010.1.2.3", "10.1.2.3/32"),
    ("10.0.0.0/255.0.0.0", "10.0.0.0/8"),
    ("0.0.0.0/1", "0.0.0.0/1"),
    ("1.2.3.4/8", "1.0.0.0/8"),
    ("1.2.3.4/+8", "1.0.0.0/8"),
    ("1.2.3.4/ +8", "1.0.0.0/8"),
    ("1.2.3.4/032", "1.2.3.4/32"),
    // 00001010...: a quarter of the internet, spread over all of it.
    ("1.2.3.4/010.0.0.0", "0.0.0.0/0"),
    ("0.0.0.0", "0.0.0.0/32"),
    // A dotted mask of zero trusts every IPv4 address, as `0.0.0.0/0` would.
    ("1.2.3.4/0.0.0.0", "0.0.0.0/0"),
    ("0.0.0.0/0.0.0.0", "0.0.0.0/0"),
    // Holes: APR matches 10.x.0.y only; the range holding them is 10.0.0.0/8.
    ("10.0.0.0/255.0.255.0", "10.0.0.0/8"),
    ("1.2.3.4/255.255.255.255", "1.2.3.4/32"),
    ("2400:cb00::/32", "2400:cb00::/32"),
    ("2400:cb00::/+32", "2400:cb00::/32"),
    ("::/00128", "::/128"),
    ("::1", "::1/128"),
    ("::1.2.3.4", "::102:304/128"),
    ("2001:db8::00001", "2001:db8::1/128"),
    // APR's inet_pton6 lets a trailing colon pass.
    ("1::2:", "1::2/128"),
    ("::1.2.3.4/96", "::/96"),
];

/// Sources `apache2 -t` refuses, and why.
#[cfg(test)]
pub(crate) const REFUSED: &[(&str, Refusal)] = &[
    ("/24", Refusal::Empty),
    ("1.2.3.400", Refusal::Address),
    ("10.1/16", Refusal::Address),
    ("10./8", Refusal::Address),
    ("10..", Refusal::Address),
    ("0000000000000010", Refusal::Address),
    ("10.1/255.255.0.0", Refusal::Address),
    ("::ffff:1.2.3.4", Refusal::Address),
    ("::ffff:0:0/96", Refusal::Address),
    (":::", Refusal::Address),
    ("fe80::1%eth0", Refusal::Address),
    ("0.0.0.0/0", Refusal::Mask),
    ("1.2.3.4/00", Refusal::Mask),
    ("1.2.3.4/+0", Refusal::Mask),
    ("1.2.3.4/-8", Refusal::Mask),
    ("1.2.3.4/0x8", Refusal::Mask),
    ("1.2.3.4/", Refusal::Mask),
    ("1.2.3.4/33", Refusal::Mask),
    ("1.2.3.4/255.255.255", Refusal::Mask),
    ("1.2.3.4/255.255.255.0.0", Refusal::Mask),
    ("1.2.3.4/ 0.0.0.0", Refusal::Mask),
    ("::/0", Refusal::Mask),
    ("::/129", Refusal::Mask),
    ("::/0.0.0.0", Refusal::Mask),
    ("2001:db8::/255.255.0.0", Refusal::Mask),
    ("proxy.lan/24", Refusal::HostSubnet),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Source {
        Source::Cidr(s.to_string())
    }

    /// Each form as `apache2 -t` takes it: accepted (with the range it trusts), or refused
    /// at start-up. errors/tests.rs asks the real httpd about the same forms.
    #[test]
    fn sources_parse_as_apr_does() {
        for &(written, range) in ACCEPTED {
            assert_eq!(parse_source(written), cidr(range), "{written}");
        }
        for &(written, why) in REFUSED {
            assert_eq!(parse_source(written), Source::Refused(why), "{written}");
        }
        assert_eq!(
            parse_source("proxy.lan"),
            Source::Host("proxy.lan".to_string())
        );
    }
}
