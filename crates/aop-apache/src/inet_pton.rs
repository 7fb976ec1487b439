//! APR's own `apr_inet_pton` and `strtol`-style numbers, which mod_remoteip's sources go
//! through: more lenient than Rust's parsers (leading zeros in IPv4 octets and IPv6 groups,
//! `+8` and ` 8` as a number of bits), and the difference decides whether httpd starts.

use std::net::{Ipv4Addr, Ipv6Addr};

/// `a.b.c.d`, each octet any run of decimal digits worth at most 255 (`010` is 10).
pub fn v4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut count = 0;
    let mut saw_digit = false;
    for b in s.bytes() {
        match b {
            b'0'..=b'9' => {
                if !saw_digit {
                    if count == 4 {
                        return None;
                    }
                    count += 1;
                    saw_digit = true;
                }
                let octet = &mut octets[count - 1];
                *octet = u8::try_from(u32::from(*octet) * 10 + u32::from(b - b'0')).ok()?;
            }
            b'.' if saw_digit && count < 4 => saw_digit = false,
            _ => return None,
        }
    }
    (count == 4 && saw_digit).then(|| Ipv4Addr::from(octets))
}

/// IPv6 as APR's `inet_pton6` reads it: a group may have any number of hex digits while its
/// value fits in 16 bits, and the last 32 bits may be written as IPv4 (parsed by [`v4`]).
pub fn v6(s: &str) -> Option<Ipv6Addr> {
    let mut rest = s.as_bytes();
    if rest.first() == Some(&b':') {
        if rest.get(1) != Some(&b':') {
            return None;
        }
        rest = &rest[1..];
    }
    let mut bytes: Vec<u8> = Vec::with_capacity(16);
    let mut gap: Option<usize> = None;
    let mut value: u32 = 0;
    let mut saw_digit = false;
    let mut token = 0;
    let mut i = 0;
    while i < rest.len() {
        let c = rest[i];
        i += 1;
        if let Some(d) = (c as char).to_digit(16) {
            value = (value << 4) | d;
            if value > 0xffff {
                return None;
            }
            saw_digit = true;
            continue;
        }
        match c {
            b':' => {
                token = i;
                if !saw_digit {
                    if gap.is_some() {
                        return None;
                    }
                    gap = Some(bytes.len());
                    continue;
                }
                if bytes.len() + 2 > 16 {
                    return None;
                }
                bytes.extend_from_slice(&(value as u16).to_be_bytes());
                saw_digit = false;
                value = 0;
            }
            b'.' if bytes.len() + 4 <= 16 => {
                let tail = std::str::from_utf8(&rest[token..]).ok()?;
                bytes.extend_from_slice(&v4(tail)?.octets());
                saw_digit = false;
                break;
            }
            _ => return None,
        }
    }
    if saw_digit {
        if bytes.len() + 2 > 16 {
            return None;
        }
        bytes.extend_from_slice(&(value as u16).to_be_bytes());
    }
    if let Some(at) = gap {
        let tail = bytes.split_off(at);
        bytes.resize(16 - tail.len(), 0);
        bytes.extend(tail);
    }
    let octets: [u8; 16] = bytes.try_into().ok()?;
    Some(Ipv6Addr::from(octets))
}

/// C's `strtol(s, &end, 10)` when the whole of `s` must be read: leading white space, a
/// sign, then digits to the end (`None` otherwise, or when it leaves `long`'s range).
pub fn whole_number(s: &str) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        // No digits: strtol stops at the start, so only an empty `s` is read whole (as 0).
        return s.is_empty().then_some(0);
    }
    t.parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_takes_leading_zeros_and_nothing_else() {
        assert_eq!(v4("010.1.2.0004"), Some(Ipv4Addr::new(10, 1, 2, 4)));
        assert_eq!(v4("255.255.255.255"), Some(Ipv4Addr::BROADCAST));
        for bad in [
            "1.2.3",
            "1.2.3.4.",
            "1.2.3.256",
            "1..2.3",
            ".1.2.3",
            "1.2.3.4.5",
            "",
        ] {
            assert_eq!(v4(bad), None, "{bad}");
        }
    }

    #[test]
    fn ipv6_as_apr_reads_it() {
        let v = |s: &str| v6(s).map(|a| a.to_string());
        assert_eq!(v("::"), Some("::".into()));
        assert_eq!(v("2001:db8::00001"), Some("2001:db8::1".into()));
        assert_eq!(v("::1.2.3.010"), Some("::102:30a".into()));
        assert_eq!(v("::ffff:1.2.3.4"), Some("::ffff:1.2.3.4".into()));
        assert_eq!(v("1:2:3:4:5:6:7:8"), Some("1:2:3:4:5:6:7:8".into()));
        for bad in [
            ":1::",
            "1:::2",
            "1::2::3",
            "1:2:3:4:5:6:7:8:9",
            "fe80::1%eth0",
            "10000::",
            "1:2",
        ] {
            assert_eq!(v(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_as_strtol_reads_them() {
        assert_eq!(whole_number("8"), Some(8));
        assert_eq!(whole_number("+8"), Some(8));
        assert_eq!(whole_number(" +08"), Some(8));
        assert_eq!(whole_number("-8"), Some(-8));
        assert_eq!(whole_number(""), Some(0));
        for bad in ["8 ", "0x8", "+", " ", "8.0", "99999999999999999999"] {
            assert_eq!(whole_number(bad), None, "{bad}");
        }
    }
}
