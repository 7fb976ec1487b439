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

/// An address range, as the servers write one: `10.0.0.0/8`, or one address.
pub type Cidr = ipnet::IpNet;

/// `10.0.0.0/8`, `2606:4700::/32`, or a lone address (a range of one).
pub fn parse_range(s: &str) -> Option<Cidr> {
    s.parse::<Cidr>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(Cidr::from))
}

fn any_contains(list: &[&str], c: &Cidr) -> bool {
    list.iter()
        .filter_map(|s| parse_range(s))
        .any(|outer| outer.contains(c))
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
        parse_range(s).unwrap()
    }

    #[test]
    fn containment() {
        assert!(c("104.16.0.0/13").contains(&c("104.16.1.0/24")));
        assert!(!c("104.16.0.0/13").contains(&c("104.16.0.0/12")));
        assert!(c("10.0.0.0/8").contains(&c("10.1.2.3")));
        assert!(!c("10.0.0.0/8").contains(&c("0.0.0.0/0")));
        assert!(c("2606:4700::/32").contains(&c("2606:4700:10::/48")));
        assert!(!c("104.16.0.0/13").contains(&c("2606:4700::/32")));
        assert!(c("0.0.0.0/0").contains(&c("1.2.3.4")));
        // Host bits set, as configurations write them: the range is the network's.
        assert!(c("10.0.0.0/8").contains(&c("10.1.2.3/16")));
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
        assert!(parse_range("1.2.3.4/33").is_none());
        assert!(parse_range("example.com").is_none());
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
