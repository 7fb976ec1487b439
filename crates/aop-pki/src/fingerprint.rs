//! SHA-256 fingerprints over a certificate's DER, written as OpenSSL prints them.

use sha2::{Digest, Sha256};

pub type Sha256Fingerprint = [u8; 32];

pub fn sha256(bytes: &[u8]) -> Sha256Fingerprint {
    Sha256::digest(bytes).into()
}

/// `9A:1A:C2:...`, the form of `openssl x509 -fingerprint -sha256`.
pub fn format_sha256(fp: &Sha256Fingerprint) -> String {
    let mut s = String::with_capacity(95);
    for (i, b) in fp.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// 64 lowercase hex digits: short enough to paste into `aop-lint.toml` on one line.
pub fn hex_sha256(fp: &Sha256Fingerprint) -> String {
    fp.iter().map(|b| format!("{b:02x}")).collect()
}

/// Accepts the forms people paste: `9A:1A:...`, `9a1ac2...`, with spaces, or prefixed
/// `sha256:` / `SHA256 Fingerprint=`.
pub fn parse_sha256(text: &str) -> Option<Sha256Fingerprint> {
    let text = text.trim();
    let text = text
        .rsplit_once('=')
        .map(|(_, v)| v)
        .or_else(|| text.strip_prefix("sha256:"))
        .unwrap_or(text);
    let hex: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b':' | b' ' | b'-'))
        .collect();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.chunks(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_usual_form_and_prints_openssl_style() {
        let colon = "9A:1A:C2:B4:BE:15:F9:F2:7E:EE:20:A7:34:CB:A4:E9:89:8F:61:00:1B:3B:D7:C8:4B:69:B5:6A:3E:25:A2:B9";
        let fp = parse_sha256(colon).unwrap();
        assert_eq!(format_sha256(&fp), colon);
        let plain = colon.replace(':', "").to_lowercase();
        assert_eq!(hex_sha256(&fp), plain);
        assert_eq!(parse_sha256(&plain), Some(fp));
        assert_eq!(parse_sha256(&format!("sha256:{plain}")), Some(fp));
        assert_eq!(
            parse_sha256(&format!("SHA256 Fingerprint={colon}")),
            Some(fp)
        );
    }

    #[test]
    fn rejects_wrong_lengths_and_non_hex() {
        assert_eq!(parse_sha256(""), None);
        assert_eq!(parse_sha256("9A:1A"), None);
        assert_eq!(parse_sha256(&"zz".repeat(32)), None);
        assert_eq!(parse_sha256(&"é".repeat(32)), None);
    }
}
