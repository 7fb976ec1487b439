//! Cloudflare's published address ranges (cloudflare.com/ips-v4 and /ips-v6, unchanged from
//! 2025-04-27 to at least 2026-05-04), and ranges old configurations still carry.

use std::net::IpAddr;

pub const V4: &[&str] = &[
    "173.245.48.0/20",
    "103.21.244.0/22",
    "103.22.200.0/22",
    "103.31.4.0/22",
    "141.101.64.0/18",
    "108.162.192.0/18",
    "190.93.240.0/20",
    "188.114.96.0/20",
    "197.234.240.0/22",
    "198.41.128.0/17",
    "162.158.0.0/15",
    "104.16.0.0/13",
    "104.24.0.0/14",
    "172.64.0.0/13",
    "131.0.72.0/22",
];

pub const V6: &[&str] = &[
    "2400:cb00::/32",
    "2606:4700::/32",
    "2803:f800::/32",
    "2405:b500::/32",
    "2405:8100::/32",
    "2a06:98c0::/29",
    "2c0f:f248::/32",
];

/// Ranges Cloudflare once published and no longer does.
pub const RETIRED: &[&str] = &["199.27.128.0/21", "104.16.0.0/12"];

/// Where a trusted proxy in front of nginx usually sits: not the internet.
const INTERNAL: &[&str] = &[
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    // Shared address space (RFC 6598): carrier-grade NAT, overlay networks; not routed on
    // the internet.
    "100.64.0.0/10",
    "169.254.0.0/16",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
];

/// An address range: network and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { addr, prefix })
    }

    /// The address as a number and the width of its family in bits.
    fn number(&self) -> (u128, u32) {
        match self.addr {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
            IpAddr::V6(a) => (u128::from(a), 128),
        }
    }

    /// Whether every address of `self` is in `outer`.
    pub fn within(&self, outer: &Cidr) -> bool {
        let ((a, width), (b, outer_width)) = (self.number(), outer.number());
        if width != outer_width || self.prefix < outer.prefix {
            return false;
        }
        let m = mask(width, u32::from(outer.prefix));
        a & m == b & m
    }
}

/// The top `prefix` bits of a `width`-bit number.
fn mask(width: u32, prefix: u32) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let full = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    full & !((1u128 << (width - prefix)) - 1)
}

fn any_contains(list: &[&str], c: &Cidr) -> bool {
    list.iter()
        .filter_map(|s| Cidr::parse(s))
        .any(|outer| c.within(&outer))
}

pub fn is_cloudflare(c: &Cidr) -> bool {
    any_contains(V4, c) || any_contains(V6, c)
}

pub fn is_internal(c: &Cidr) -> bool {
    any_contains(INTERNAL, c)
}

pub fn is_retired(s: &str) -> bool {
    RETIRED.contains(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        Cidr::parse(s).unwrap()
    }

    #[test]
    fn containment() {
        assert!(c("104.16.1.0/24").within(&c("104.16.0.0/13")));
        assert!(!c("104.16.0.0/12").within(&c("104.16.0.0/13")));
        assert!(c("10.1.2.3").within(&c("10.0.0.0/8")));
        assert!(!c("0.0.0.0/0").within(&c("10.0.0.0/8")));
        assert!(c("2606:4700:10::/48").within(&c("2606:4700::/32")));
        assert!(!c("2606:4700::/32").within(&c("104.16.0.0/13")));
        assert!(c("1.2.3.4").within(&c("0.0.0.0/0")));
    }

    #[test]
    fn cloudflare_and_internal_ranges() {
        for r in V4.iter().chain(V6) {
            assert!(is_cloudflare(&c(r)), "{r}");
        }
        assert!(!is_cloudflare(&c("0.0.0.0/0")));
        assert!(!is_cloudflare(&c("104.16.0.0/12")));
        assert!(is_internal(&c("192.168.1.10")));
        assert!(is_internal(&c("::1")));
        assert!(!is_internal(&c("8.8.8.8")));
        assert!(is_internal(&c("100.64.0.0/10")));
        assert!(is_internal(&c("100.127.255.254")));
        assert!(!is_internal(&c("100.128.0.1")));
        assert!(!is_internal(&c("100.0.0.0/8")));
        assert!(Cidr::parse("1.2.3.4/33").is_none());
        assert!(Cidr::parse("example.com").is_none());
    }

    /// The embedded list is the one in ../shared/cloudflare, when that is present.
    #[test]
    fn embedded_ranges_match_the_reference_data() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cloudflare");
        let (Ok(v4), Ok(v6)) = (
            std::fs::read_to_string(dir.join("ips-v4.txt")),
            std::fs::read_to_string(dir.join("ips-v6.txt")),
        ) else {
            if std::env::var_os("CI").is_some() {
                panic!("../shared/cloudflare is missing under CI");
            }
            eprintln!("SKIPPED embedded_ranges_match_the_reference_data: no ../shared/cloudflare");
            return;
        };
        assert_eq!(v4.split_whitespace().collect::<Vec<_>>(), V4);
        assert_eq!(v6.split_whitespace().collect::<Vec<_>>(), V6);
    }
}
