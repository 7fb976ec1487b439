use std::path::Path;

use aop_source::read_regular_file;

use crate::cert::CertInfo;
use crate::content::{CaCert, CaContent, CaError, CaIssue};
use crate::hashed_dir::read_hashed_dir;
use crate::pem_blocks::{scan, Block};

/// Reads what the server would load from a CA directive: a PEM bundle (`is_dir == false`) or
/// an OpenSSL hashed directory (`SSLCACertificatePath`). Never fails: every problem is in the
/// returned content. `limit` bounds each file read, in bytes.
pub fn read_ca_source(path: &Path, is_dir: bool, limit: u64) -> CaContent {
    read_ca_source_below(None, path, is_dir, limit)
}

/// [`read_ca_source`] for a tree read below `root` (`--root`): the links of a hashed
/// directory (often absolute, as `c_rehash` makes them) are followed inside the root.
pub fn read_ca_source_below(
    root: Option<&Path>,
    path: &Path,
    is_dir: bool,
    limit: u64,
) -> CaContent {
    if is_dir {
        return read_hashed_dir(root, path, limit);
    }
    match read_pem_file(path, limit) {
        Ok((certs, issues)) => CaContent {
            path: path.to_path_buf(),
            is_dir: false,
            certs,
            error: None,
            issues,
        },
        Err(error) => CaContent::failed(path.to_path_buf(), false, error),
    }
}

/// The first certificate of a server's certificate file (the one it presents), or why there
/// is none to read.
pub fn read_server_certificate(path: &Path, limit: u64) -> Result<CertInfo, String> {
    let (certs, _) = read_pem_file(path, limit).map_err(|e| e.to_string())?;
    certs
        .into_iter()
        .next()
        .map(|c| c.info)
        .ok_or_else(|| "no readable certificate in it".to_string())
}

/// The certificates of one PEM file, and what else it holds.
pub(crate) fn read_pem_file(
    path: &Path,
    limit: u64,
) -> Result<(Vec<CaCert>, Vec<CaIssue>), CaError> {
    let bytes = read_regular_file(path, limit)?;
    parse_ca_bytes(&bytes, path)
}

/// What a CA file holding `bytes` gives OpenSSL, without touching the disk (`path` only
/// labels the certificates). The entry point for fuzzing.
pub fn parse_ca_bytes(bytes: &[u8], path: &Path) -> Result<(Vec<CaCert>, Vec<CaIssue>), CaError> {
    let blocks = scan(bytes);
    if blocks.is_empty() {
        return Err(classify_non_pem(bytes));
    }
    if !blocks.iter().any(Block::is_certificate) {
        return Err(CaError::NoCertificate {
            labels: blocks.into_iter().map(|b| b.label).collect(),
        });
    }
    let mut certs = Vec::new();
    let mut issues = Vec::new();
    let mut index = 0;
    for block in blocks {
        let file = path.to_path_buf();
        if block.is_certificate() {
            index += 1;
            match block.der.and_then(|der| CertInfo::from_der(&der)) {
                Ok(info) => certs.push(CaCert { info, file, index }),
                Err(reason) => issues.push(CaIssue::BadCertificate {
                    file,
                    index,
                    reason,
                }),
            }
        } else if block.is_private_key() {
            issues.push(CaIssue::PrivateKey {
                file,
                label: block.label,
            });
        } else {
            issues.push(CaIssue::OtherBlock {
                file,
                label: block.label,
            });
        }
    }
    Ok((certs, issues))
}

/// Names what a file without a single PEM block is, so the message can say how to fix it.
fn classify_non_pem(bytes: &[u8]) -> CaError {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return CaError::Empty;
    }
    if let Ok(info) = CertInfo::from_der(bytes) {
        return CaError::Der {
            cert: Some(Box::new(info)),
        };
    }
    // A DER SEQUENCE with a long-form length, the shape of every real certificate; a text
    // file starting with `0` has an ASCII byte second.
    if bytes.len() > 4 && bytes[0] == 0x30 && (0x81..=0x84).contains(&bytes[1]) {
        return CaError::Der { cert: None };
    }
    let binary = bytes
        .iter()
        .any(|&b| b == 0 || (b < 0x20 && !b.is_ascii_whitespace()));
    CaError::NotPem { binary }
}
