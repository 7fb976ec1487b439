//! Splits a file into its PEM blocks the way OpenSSL's reader walks it: text outside
//! `-----BEGIN X-----` / `-----END X-----` pairs (the comments of system bundles) is skipped,
//! and each block is decoded on its own so one bad block does not hide the others.

const BEGIN: &[u8] = b"-----BEGIN ";
const DASHES: &[u8] = b"-----";

/// One `BEGIN`/`END` pair.
#[derive(Debug)]
pub struct Block {
    pub label: String,
    pub der: Result<Vec<u8>, String>,
}

impl Block {
    /// Labels OpenSSL's CA loader takes as a certificate.
    pub fn is_certificate(&self) -> bool {
        matches!(
            self.label.as_str(),
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
        )
    }

    pub fn is_private_key(&self) -> bool {
        self.label.ends_with("PRIVATE KEY")
    }
}

/// All blocks in order. An opener without its closing line becomes a block whose decoding
/// failed, and scanning stops there (nothing after it can be paired reliably).
pub fn scan(bytes: &[u8]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut pos = 0;
    while let Some(found) = find(&bytes[pos..], BEGIN) {
        let start = pos + found;
        let label_start = start + BEGIN.len();
        let line_end = find(&bytes[label_start..], b"\n").map_or(bytes.len(), |i| label_start + i);
        let Some(label_len) = find(&bytes[label_start..line_end], DASHES) else {
            pos = label_start;
            continue;
        };
        let label =
            String::from_utf8_lossy(&bytes[label_start..label_start + label_len]).into_owned();
        let mut end_marker = b"-----END ".to_vec();
        end_marker.extend_from_slice(label.as_bytes());
        end_marker.extend_from_slice(DASHES);
        let Some(end_found) = find(&bytes[line_end..], &end_marker) else {
            blocks.push(Block {
                label: label.clone(),
                der: Err(format!(
                    "`-----BEGIN {label}-----` has no matching END line"
                )),
            });
            break;
        };
        let end = line_end + end_found + end_marker.len();
        let der = pem::parse(&bytes[start..end])
            .map(|p| p.into_contents())
            .map_err(|e| format!("the block's content does not decode ({e})"));
        blocks.push(Block { label, der });
        pos = end;
    }
    blocks
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_keeps_order() {
        let text = b"# Issuer: x\n-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n\
            junk\n-----BEGIN PRIVATE KEY-----\nBAU=\n-----END PRIVATE KEY-----\n";
        let blocks = scan(text);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(blocks[0].der.as_deref(), Ok(&[1u8, 2, 3][..]));
        assert!(blocks[1].is_private_key());
        assert_eq!(blocks[1].der.as_deref(), Ok(&[4u8, 5][..]));
    }

    #[test]
    fn bad_base64_and_missing_end_are_per_block_errors() {
        let text = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n\
            -----BEGIN CERTIFICATE-----\nAQID\n";
        let blocks = scan(text);
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].der.is_err());
        assert!(blocks[1]
            .der
            .as_ref()
            .unwrap_err()
            .contains("no matching END"));
    }

    #[test]
    fn no_block_in_garbage() {
        assert!(scan(b"").is_empty());
        assert!(scan(b"-----BEGIN ").is_empty());
        assert!(scan(b"-----BEGIN \n-----").is_empty());
        assert!(scan(&[0xff; 100]).is_empty());
    }
}
