//! OpenSSL's subject name hash (`openssl x509 -hash`), the name a hashed CA directory must
//! give a certificate for OpenSSL to find it: SHA-1 over a canonical form of the name, where
//! each string is UTF-8, trimmed, inner white space collapsed and ASCII lowercased.

use sha1::{Digest, Sha1};
use x509_parser::der_parser::asn1_rs::Any;
use x509_parser::prelude::*;

const UTF8_STRING: u8 = 0x0c;
const UTF8_STRING_TAG: u32 = 12;
const PRINTABLE_STRING: u32 = 19;
const T61_STRING: u32 = 20;
const IA5_STRING: u32 = 22;
const VISIBLE_STRING: u32 = 26;
const UNIVERSAL_STRING: u32 = 28;
const BMP_STRING: u32 = 30;

/// `None` when OpenSSL could not canonicalise the name either (a string that does not decode).
pub fn subject_hash(name: &X509Name<'_>) -> Option<u32> {
    let mut canon = Vec::new();
    for rdn in name.iter() {
        let mut entries: Vec<Vec<u8>> = Vec::new();
        for attr in rdn.iter() {
            let mut entry = tlv(0x06, attr.attr_type().as_bytes());
            entry.extend(canonical_value(attr.attr_value())?);
            entries.push(tlv(0x30, &entry));
        }
        // DER orders the members of a SET OF by their encoding.
        entries.sort();
        canon.extend(tlv(0x31, &entries.concat()));
    }
    let digest = Sha1::digest(&canon);
    Some(u32::from_le_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}

fn canonical_value(value: &Any<'_>) -> Option<Vec<u8>> {
    let tag = value.tag().0;
    let data = value.data;
    let text: String = match tag {
        PRINTABLE_STRING | IA5_STRING | VISIBLE_STRING | UTF8_STRING_TAG => {
            String::from_utf8(data.to_vec()).ok()?
        }
        T61_STRING => data.iter().map(|&b| char::from(b)).collect(),
        BMP_STRING => {
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| Some(u16::from_be_bytes([c[0], *c.get(1)?])))
                .collect::<Option<Vec<u16>>>()?;
            String::from_utf16(&units).ok()?
        }
        UNIVERSAL_STRING => data
            .chunks(4)
            .map(|c| {
                let c: [u8; 4] = c.try_into().ok()?;
                char::from_u32(u32::from_be_bytes(c))
            })
            .collect::<Option<String>>()?,
        // Other types (NumericString, ...) keep their tag and bytes.
        _ => {
            let mut raw = vec![value.header.raw_tag().map_or(tag as u8, |t| t[0])];
            raw.extend(length(data.len()));
            raw.extend_from_slice(data);
            return Some(raw);
        }
    };
    Some(tlv(UTF8_STRING, &canonical_text(text.as_bytes())))
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn canonical_text(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |i| i + 1);
    let mut out = Vec::with_capacity(end - start);
    let mut in_space = false;
    for &b in &bytes[start..end] {
        if is_space(b) {
            if !in_space {
                out.push(b' ');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        out.push(if b.is_ascii() {
            b.to_ascii_lowercase()
        } else {
            b
        });
    }
    out
}

fn length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len
        .to_be_bytes()
        .into_iter()
        .skip_while(|&b| b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(length(content.len()));
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_trims_collapses_and_lowercases_ascii_only() {
        assert_eq!(canonical_text(b"  Foo \t\n Bar  "), b"foo bar");
        assert_eq!(canonical_text("ÉCOLE  X".as_bytes()), "École x".as_bytes());
        assert_eq!(canonical_text(b"   "), b"");
    }

    #[test]
    fn long_lengths_use_the_long_form() {
        assert_eq!(length(5), [5]);
        assert_eq!(length(200), [0x81, 200]);
        assert_eq!(length(0x1234), [0x82, 0x12, 0x34]);
    }
}
