//! `SSLCACertificatePath`: OpenSSL's hashed directory lookup opens `HASH.N` only, where HASH
//! is the subject name hash in eight lowercase hex digits and N counts collisions from 0.
//! Anything else in the directory (`myca.pem` put there without `c_rehash`) is never read.

use std::fs;
use std::path::Path;

use crate::content::{CaCert, CaContent, CaError, CaIssue};
use crate::read::read_pem_file;

/// More entries than any real CA directory holds; bounds the work on a hostile path.
const MAX_ENTRIES: usize = 10_000;

/// Files not named by hash are opened only to tell whether they hold a forgotten CA; past
/// this many, the rest are listed as ignored without being read.
const MAX_UNHASHED_READS: usize = 1_000;

#[derive(Debug, PartialEq, Eq)]
enum EntryKind {
    Certificate,
    /// `HASH.rN`: a CRL, read for revocation only.
    Crl,
}

fn entry_kind(name: &str) -> Option<EntryKind> {
    let (hash, suffix) = name.split_once('.')?;
    if hash.len() != 8 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let (kind, digits) = match suffix.strip_prefix('r') {
        Some(d) => (EntryKind::Crl, d),
        None => (EntryKind::Certificate, suffix),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(kind)
}

pub(crate) fn read_hashed_dir(root: Option<&Path>, path: &Path, limit: u64) -> CaContent {
    let fail = |e: CaError| CaContent::failed(path.to_path_buf(), true, e);
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return fail(CaError::NotADirectory),
        Err(e) => return fail(aop_source::ReadError::from(e).into()),
    }
    let entries = match fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => return fail(aop_source::ReadError::from(e).into()),
    };
    let mut issues = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for entry in entries.flatten() {
        if names.len() >= MAX_ENTRIES {
            issues.push(CaIssue::TooManyEntries { limit: MAX_ENTRIES });
            break;
        }
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    // Directory order is the file system's: sort so reports are the same everywhere.
    names.sort();

    let mut certs = Vec::new();
    let mut hashed = 0;
    let mut unhashed = Vec::new();
    for name in names {
        match entry_kind(&name) {
            Some(EntryKind::Certificate) => {
                hashed += 1;
                let entry = aop_source::confine(root, &path.join(&name)).map_err(CaError::from);
                match entry.and_then(|entry| read_pem_file(&entry, limit)) {
                    Ok((found, found_issues)) => {
                        issues.extend(misnamed(&name, &found));
                        certs.extend(found);
                        issues.extend(found_issues);
                    }
                    Err(error) => issues.push(CaIssue::EntryUnusable { name, error }),
                }
            }
            Some(EntryKind::Crl) => hashed += 1,
            None => unhashed.push(name),
        }
    }
    let ignored = unhashed.len();
    for (i, name) in unhashed.into_iter().enumerate() {
        if i < MAX_UNHASHED_READS {
            issues.push(unhashed_entry(path, name, &certs, limit));
        } else {
            issues.push(CaIssue::IgnoredEntry { name });
        }
    }
    if hashed == 0 {
        let mut content = fail(CaError::NoHashedEntries { ignored });
        content.issues = issues;
        return content;
    }
    CaContent {
        path: path.to_path_buf(),
        is_dir: true,
        certs,
        error: None,
        issues,
    }
}

/// Certificates in `name` whose subject hash is not the name's: OpenSSL looks them up under
/// another name and never opens this entry for them.
fn misnamed<'a>(name: &'a str, found: &'a [CaCert]) -> impl Iterator<Item = CaIssue> + 'a {
    found
        .iter()
        .filter(move |c| {
            c.info
                .subject_hash
                .is_none_or(|h| !name.starts_with(&format!("{h:08x}.")))
        })
        .map(move |c| CaIssue::MisnamedEntry {
            name: name.to_string(),
            subject: c.info.short_name().to_string(),
            subject_hash: c.info.subject_hash,
        })
}

/// A file OpenSSL never opens matters only when it holds a certificate the hashed entries do
/// not: someone copied a CA in and forgot `openssl rehash`.
fn unhashed_entry(dir: &Path, name: String, hashed: &[CaCert], limit: u64) -> CaIssue {
    let Ok((found, _)) = read_pem_file(&dir.join(&name), limit) else {
        return CaIssue::IgnoredEntry { name };
    };
    let missing: Vec<String> = found
        .iter()
        .filter(|c| !hashed.iter().any(|h| h.info.sha256 == c.info.sha256))
        .map(|c| c.info.short_name().to_string())
        .collect();
    if missing.is_empty() {
        CaIssue::IgnoredEntry { name }
    } else {
        CaIssue::UnhashedCertificates {
            name,
            subjects: missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_names_are_what_openssl_looks_up() {
        assert_eq!(entry_kind("1a2b3c4d.0"), Some(EntryKind::Certificate));
        assert_eq!(entry_kind("1a2b3c4d.12"), Some(EntryKind::Certificate));
        assert_eq!(entry_kind("1a2b3c4d.r0"), Some(EntryKind::Crl));
        for other in [
            "1A2B3C4D.0",
            "1a2b3c4.0",
            "1a2b3c4d",
            "1a2b3c4d.",
            "1a2b3c4d.pem",
            "ca.pem",
            "1a2b3c4d.0.bak",
            ".1a2b3c4d.0",
        ] {
            assert_eq!(entry_kind(other), None, "{other}");
        }
    }
}
