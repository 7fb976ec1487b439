//! The machine's own trust store, when it has one: a real system bundle (the classic wrong
//! client CA file) and a real `c_rehash`ed directory, whose names check our subject hash
//! against OpenSSL's on every certificate in it.

mod support;

use std::path::Path;

use aop_pki::{read_ca_source, CaIssue, Problem};
use support::analyze_now;

fn present(path: &str) -> Option<&Path> {
    let p = Path::new(path);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {path} is not on this machine (install ca-certificates)");
        None
    }
}

#[test]
fn the_system_bundle_is_untrusted_at_a_glance() {
    let Some(bundle) = present("/etc/ssl/certs/ca-certificates.crt") else {
        return;
    };
    let content = read_ca_source(bundle, false, 16 << 20);
    assert!(content.error.is_none());
    assert!(content.certs.len() > 50, "{}", content.certs.len());
    let a = analyze_now(&content, &[]);
    let untrusted = a.problems.iter().find_map(|p| match p {
        Problem::Untrusted {
            total, untrusted, ..
        } => Some((*total, *untrusted)),
        _ => None,
    });
    assert_eq!(untrusted, Some((content.certs.len(), content.certs.len())));
    assert!(a
        .summary
        .starts_with(&format!("{} certificates", content.certs.len())));
}

#[test]
fn every_entry_of_a_rehashed_directory_matches_our_subject_hash() {
    let Some(dir) = present("/etc/ssl/certs") else {
        return;
    };
    let content = read_ca_source(dir, true, 16 << 20);
    assert!(content.error.is_none());
    assert!(content.certs.len() > 50, "{}", content.certs.len());
    let misnamed: Vec<_> = content
        .issues
        .iter()
        .filter(|i| matches!(i, CaIssue::MisnamedEntry { .. }))
        .collect();
    assert!(misnamed.is_empty(), "{misnamed:?}");
    // The `.pem` names beside the hash links hold nothing the links do not.
    assert!(!content
        .issues
        .iter()
        .any(|i| matches!(i, CaIssue::UnhashedCertificates { .. })));
}
