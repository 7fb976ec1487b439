//! Reading CA bundles: what is in them, and every way they can be unusable.

mod support;

use std::fs;

use aop_pki::{
    read_ca_source, CaError, CaIssue, CertInfo, Problem, CLOUDFLARE_AOP_2015_NOT_AFTER,
    CLOUDFLARE_AOP_2015_SHA256, CLOUDFLARE_AOP_2019_NOT_AFTER, CLOUDFLARE_AOP_2019_SHA256,
    CLOUDFLARE_AOP_SPKI_SHA256,
};
use support::{analyze_now, cloudflare_2015, cloudflare_2019, Spec};

const LIMIT: u64 = 1 << 20;

fn write(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> std::path::PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, bytes).unwrap();
    path
}

fn error_of(bytes: impl AsRef<[u8]>) -> Option<CaError> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "ca.pem", bytes);
    read_ca_source(&path, false, LIMIT).error
}

fn problems(bytes: impl AsRef<[u8]>) -> Vec<Problem> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "ca.pem", bytes);
    analyze_now(&read_ca_source(&path, false, LIMIT), &[]).problems
}

#[test]
fn the_published_cloudflare_certificates_read_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "cf.pem", cloudflare_2019());
    let content = read_ca_source(&path, false, LIMIT);
    assert_eq!(content.error, None);
    assert_eq!(content.certs.len(), 1);
    let c = &content.certs[0].info;
    assert_eq!(c.sha256, CLOUDFLARE_AOP_2019_SHA256);
    assert_eq!(c.spki_sha256, CLOUDFLARE_AOP_SPKI_SHA256);
    assert_eq!(c.serial_hex, "57:91:ba:95:56:c2:2e:61");
    assert_eq!(c.common_name.as_deref(), Some("origin-pull.cloudflare.net"));
    assert!(c.subject.contains("OU=Origin Pull"), "{}", c.subject);
    assert_eq!(c.subject, c.issuer);
    assert!(c.self_signed && c.is_ca);
    assert_eq!(c.key_cert_sign, Some(true));
    assert_eq!(c.not_after, CLOUDFLARE_AOP_2019_NOT_AFTER);
    assert_eq!(c.not_after_rfc3339, "2029-11-01T17:00:00Z");
    assert_eq!(c.not_before_rfc3339, "2019-10-10T18:45:00Z");

    let old = write(&dir, "old.pem", cloudflare_2015());
    let content = read_ca_source(&old, false, LIMIT);
    let c = &content.certs[0].info;
    assert_eq!(c.sha256, CLOUDFLARE_AOP_2015_SHA256);
    assert_eq!(c.spki_sha256, CLOUDFLARE_AOP_SPKI_SHA256);
    assert_eq!(c.serial_hex, "57:91:ba:95:56:c2:2e:61");
    assert_eq!(c.not_after, CLOUDFLARE_AOP_2015_NOT_AFTER);
    assert_eq!(c.not_after_rfc3339, "2020-01-12T02:52:53Z");
}

#[test]
fn generated_ca_and_leaf_have_the_flags_they_were_made_with() {
    let ca = Spec::ca("Example Client CA").self_signed();
    let leaf = Spec::leaf("client.example.com").signed_by(&ca);
    let ca_info = CertInfo::from_der(&ca.der()).unwrap();
    assert!(ca_info.is_ca && ca_info.self_signed && ca_info.has_basic_constraints);
    assert_eq!(ca_info.key_cert_sign, Some(true));
    assert_eq!(ca_info.not_after_rfc3339, "2040-01-01T00:00:00Z");
    assert_eq!(ca_info.version, 3);
    let leaf_info = CertInfo::from_der(&leaf.der()).unwrap();
    assert!(!leaf_info.is_ca && !leaf_info.self_signed && leaf_info.has_basic_constraints);
    assert_eq!(leaf_info.key_cert_sign, Some(false));
    assert_eq!(leaf_info.issuer, ca_info.subject);
    assert_eq!(leaf_info.short_name(), "client.example.com");
}

#[test]
fn empty_and_blank_files_are_empty() {
    assert_eq!(error_of(""), Some(CaError::Empty));
    assert_eq!(error_of(" \n\t\r\n"), Some(CaError::Empty));
    assert!(matches!(
        problems("").as_slice(),
        [Problem::Unreadable {
            error: CaError::Empty
        }]
    ));
}

#[test]
fn a_der_certificate_is_named_as_der_and_described() {
    let ca = Spec::ca("Binary CA").self_signed();
    match error_of(ca.der()) {
        Some(CaError::Der { cert: Some(c) }) => assert_eq!(c.short_name(), "Binary CA"),
        other => panic!("{other:?}"),
    }
    let mut truncated = ca.der();
    truncated.truncate(truncated.len() / 2);
    assert_eq!(error_of(truncated), Some(CaError::Der { cert: None }));
}

#[test]
fn garbage_is_not_pem() {
    assert_eq!(
        error_of([0u8, 159, 146, 150, 7, 255, 3]),
        Some(CaError::NotPem { binary: true })
    );
    assert_eq!(
        error_of("ssl_client_certificate /etc/x;\n"),
        Some(CaError::NotPem { binary: false })
    );
    // A text file that happens to start with the DER SEQUENCE byte (`0`) is still text.
    assert_eq!(
        error_of("0 certificates\n"),
        Some(CaError::NotPem { binary: false })
    );
}

#[test]
fn pem_without_a_certificate_names_what_it_holds() {
    let ca = Spec::ca("Key Only").self_signed();
    assert_eq!(
        error_of(ca.key.serialize_pem()),
        Some(CaError::NoCertificate {
            labels: vec!["PRIVATE KEY".into()]
        })
    );
}

#[test]
fn a_private_key_beside_the_certificate_is_a_warning() {
    let ca = Spec::ca("Careless CA").self_signed();
    let got = problems(format!("{}{}", ca.pem(), ca.key.serialize_pem()));
    assert!(got
        .iter()
        .any(|p| matches!(p, Problem::PrivateKey { label, .. } if label == "PRIVATE KEY")));
}

#[test]
fn an_undecodable_certificate_in_a_bundle_is_reported_and_the_rest_still_read() {
    let broken = "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "b.pem", format!("{}{broken}", cloudflare_2019()));
    let content = read_ca_source(&path, false, LIMIT);
    assert_eq!(content.certs.len(), 1);
    assert!(matches!(
        content.issues.as_slice(),
        [CaIssue::BadCertificate { index: 2, .. }]
    ));
    let got = problems(format!("{}{broken}", cloudflare_2019()));
    assert!(matches!(
        got.first(),
        Some(Problem::BadCertificates { in_file: true, certs }) if certs.len() == 1 && certs[0].1 == 2
    ));
    assert_eq!(got[0].code(), "AOP301");
}

#[test]
fn missing_directory_fifo_and_oversized_paths_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let read =
        |p: &std::path::Path, is_dir: bool, limit: u64| read_ca_source(p, is_dir, limit).error;
    assert_eq!(
        read(&dir.path().join("nope.pem"), false, LIMIT),
        Some(CaError::NotFound)
    );
    assert_eq!(
        read(&dir.path().join("nope"), true, LIMIT),
        Some(CaError::NotFound)
    );
    assert_eq!(read(dir.path(), false, LIMIT), Some(CaError::IsDirectory));
    let file = write(&dir, "cf.pem", cloudflare_2019());
    assert_eq!(read(&file, true, LIMIT), Some(CaError::NotADirectory));
    assert!(matches!(
        read(&file, false, 100),
        Some(CaError::TooLarge { limit: 100, .. })
    ));
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        assert_eq!(read(&fifo, false, LIMIT), Some(CaError::NotRegularFile));
    } else {
        println!("mkfifo unavailable: FIFO case not run");
    }
}

#[test]
fn trusted_certificate_blocks_and_comments_are_read_like_openssl() {
    // System bundles carry comment lines between blocks; OpenSSL skips them.
    let ca = Spec::ca("Commented CA").self_signed();
    let text = format!(
        "# Issuer: CN=Commented CA\n# Label: \"x\"\n{}\n# end\n",
        ca.pem()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "bundle.crt", text);
    let content = read_ca_source(&path, false, LIMIT);
    assert_eq!(content.certs.len(), 1);
    assert!(content.issues.is_empty());
}

#[test]
fn no_bytes_make_the_reader_panic() {
    // Deterministic mutations of real and generated PEM and DER: truncations, flipped bytes,
    // repeated markers.
    let ca = Spec::ca("Fuzz CA").self_signed();
    let seeds: Vec<Vec<u8>> = vec![
        cloudflare_2019().into_bytes(),
        cloudflare_2015().into_bytes(),
        ca.der(),
        ca.pem().into_bytes(),
        b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n".to_vec(),
        b"-----BEGIN -----\n-----END -----".to_vec(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..600 {
        let seed = &seeds[round % seeds.len()];
        let mut bytes = seed.clone();
        match next() % 3 {
            0 => bytes.truncate((next() as usize) % (seed.len() + 1)),
            1 => {
                for _ in 0..1 + next() % 8 {
                    if !bytes.is_empty() {
                        let i = (next() as usize) % bytes.len();
                        bytes[i] = next() as u8;
                    }
                }
            }
            _ => {
                let cut = (next() as usize) % (seed.len() + 1);
                bytes = [&seed[..cut], &seed[..]].concat();
            }
        }
        fs::write(&path, &bytes).unwrap();
        let _ = analyze_now(&read_ca_source(&path, false, LIMIT), &[]);
        let _ = CertInfo::from_der(&bytes);
        let _ = aop_pki::parse_ca_bytes(&bytes, &path);
    }
}

#[test]
fn subject_hash_matches_openssl() {
    let ca = Spec::ca("  Mixed   CASE\tName ").self_signed();
    let pems = [cloudflare_2019(), cloudflare_2015(), ca.pem()];
    let dir = tempfile::tempdir().unwrap();
    for (i, pem) in pems.iter().enumerate() {
        let path = write(&dir, &format!("{i}.pem"), pem);
        let ours = read_ca_source(&path, false, LIMIT).certs[0]
            .info
            .subject_hash;
        let Ok(out) = std::process::Command::new("openssl")
            .args(["x509", "-noout", "-hash", "-in"])
            .arg(&path)
            .output()
        else {
            assert!(
                std::env::var_os("CI").is_none(),
                "openssl is needed for this test in CI"
            );
            println!("openssl not installed: subject hash not compared");
            return;
        };
        let theirs = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_eq!(ours.map(|h| format!("{h:08x}")), Some(theirs), "{i}");
    }
}
