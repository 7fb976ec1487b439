//! `SSLCACertificatePath` directories: only `HASH.N` entries are read, as OpenSSL does.

mod support;

use std::fs;
use std::path::Path;

use aop_pki::{read_ca_source, CaError, CaIssue, Problem};
use support::{analyze_now, cloudflare_2019, Spec};

fn judge(dir: &Path) -> Vec<Problem> {
    analyze_now(&read_ca_source(dir, true, 1 << 20), &[]).problems
}

#[test]
fn hashed_entries_are_read_and_other_files_only_matter_when_they_hold_new_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let forgotten = Spec::ca("Forgotten Zone CA").self_signed();
    fs::write(d.join("cloudflare.pem"), cloudflare_2019()).unwrap();
    // `openssl x509 -hash` of Cloudflare's origin-pull CA.
    std::os::unix::fs::symlink("cloudflare.pem", d.join("ae93bf5e.0")).unwrap();
    // The hash OpenSSL 0.9.8 used (`-subject_hash_old`): newer OpenSSL never looks there.
    std::os::unix::fs::symlink("cloudflare.pem", d.join("d1cac73d.0")).unwrap();
    fs::write(d.join("forgotten.pem"), forgotten.pem()).unwrap();
    fs::write(
        d.join("README"),
        "CA certificates for client verification\n",
    )
    .unwrap();
    fs::write(d.join("0badc0de.1"), forgotten.der()).unwrap();
    fs::write(d.join("1a2b3c4d.r0"), "a CRL would be here").unwrap();

    let content = read_ca_source(d, true, 1 << 20);
    assert_eq!(content.error, None);
    // Two links to one file: the file is read once, under the first name.
    assert_eq!(content.certs.len(), 1);
    assert_eq!(content.certs[0].file, d.join("ae93bf5e.0"));
    assert!(content.issues.contains(&CaIssue::IgnoredEntry {
        name: "README".into()
    }));
    // The hashed link's target itself holds nothing new.
    assert!(content.issues.contains(&CaIssue::IgnoredEntry {
        name: "cloudflare.pem".into()
    }));

    let got = judge(d);
    let codes: Vec<_> = got.iter().map(Problem::code).collect();
    assert_eq!(codes, ["AOP301", "AOP301", "AOP301", "AOP305"]);
    match &got[0] {
        Problem::UnusableEntries { entries } => {
            assert_eq!(entries.len(), 1);
            assert_eq!(entries[0].0, "0badc0de.1");
            assert!(matches!(entries[0].1, CaError::Der { .. }));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        got[1],
        Problem::MisnamedEntries {
            entries: vec![(
                "d1cac73d.0".into(),
                "origin-pull.cloudflare.net".into(),
                Some(0xae93_bf5e)
            )]
        }
    );
    match &got[2] {
        Problem::UnhashedCertificates { entries } => {
            assert_eq!(
                entries,
                &[(
                    "forgotten.pem".to_string(),
                    vec!["Forgotten Zone CA".to_string()]
                )]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_directory_of_pem_files_never_rehashed_trusts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ca.pem"), cloudflare_2019()).unwrap();
    let content = read_ca_source(dir.path(), true, 1 << 20);
    assert_eq!(content.error, Some(CaError::NoHashedEntries { ignored: 1 }));
    let got = judge(dir.path());
    assert!(matches!(
        got.as_slice(),
        [
            Problem::Unreadable {
                error: CaError::NoHashedEntries { ignored: 1 }
            },
            Problem::UnhashedCertificates { .. }
        ]
    ));
}

#[test]
fn an_empty_directory_and_a_broken_link() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        read_ca_source(dir.path(), true, 1 << 20).error,
        Some(CaError::NoHashedEntries { ignored: 0 })
    );
    std::os::unix::fs::symlink("gone.pem", dir.path().join("deadbeef.0")).unwrap();
    let got = judge(dir.path());
    assert!(
        matches!(
            got.as_slice(),
            [
                Problem::Unreadable { error: CaError::NoUsableHashedEntry { hashed: 1 } },
                Problem::UnusableEntries { entries },
            ] if entries[0].1 == CaError::NotFound
        ),
        "{got:?}"
    );
}

/// Thousands of hash links into one bundle: the bundle is read once and the misnamed entries
/// listed are bounded (4.5 GB before, from 10,000 links to a 140-certificate bundle).
#[test]
fn many_links_to_one_bundle_read_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bundle: String = (0..20)
        .map(|i| Spec::ca(&format!("Bundle CA {i}")).self_signed().pem())
        .collect();
    fs::write(d.join("bundle.pem"), bundle).unwrap();
    for i in 0..3000u32 {
        std::os::unix::fs::symlink("bundle.pem", d.join(format!("{i:08x}.0"))).unwrap();
    }
    let content = read_ca_source(d, true, 1 << 20);
    assert_eq!(content.certs.len(), 20);
    let misnamed = content
        .issues
        .iter()
        .filter(|i| matches!(i, CaIssue::MisnamedEntry { .. }))
        .count();
    assert_eq!(misnamed, 1_000);
}
