//! What each kind of CA source is judged to be, rule by rule.

mod support;

use std::fs;

use aop_model::Severity;
use aop_pki::{
    analyze, classify, read_ca_source, Analysis, AnalysisOptions, CaContent, CertInfo, Known,
    NotCaReason, Problem, Sha256Fingerprint,
};
use rcgen::{IsCa, KeyUsagePurpose};
use support::{analyze_now, cloudflare_2015, cloudflare_2019, Spec};

fn read(pem: &str) -> CaContent {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    fs::write(&path, pem).unwrap();
    read_ca_source(&path, false, 1 << 20)
}

fn judge_at(pem: &str, trusted: &[Sha256Fingerprint], now: i64, days: u32) -> Analysis {
    analyze(
        &read(pem),
        &AnalysisOptions {
            trusted_sha256: trusted,
            now,
            expiry_warn_days: days,
        },
    )
}

fn judge(pem: &str, trusted: &[Sha256Fingerprint]) -> Analysis {
    analyze_now(&read(pem), trusted)
}

fn codes(a: &Analysis) -> Vec<&'static str> {
    a.problems.iter().map(Problem::code).collect()
}

#[test]
fn the_current_cloudflare_ca_alone_is_only_the_shared_ca_notice() {
    let a = judge(&cloudflare_2019(), &[]);
    assert_eq!(codes(&a), ["AOP305"]);
    assert_eq!(a.problems[0].severity(), Severity::Info);
    assert_eq!(
        a.summary,
        "1 certificate: Cloudflare's shared origin-pull CA (2019)"
    );
}

#[test]
fn the_2015_ca_alone_is_superseded_not_merely_expired() {
    let a = judge(&cloudflare_2015(), &[]);
    assert_eq!(codes(&a), ["AOP306"]);
    match &a.problems[0] {
        p @ Problem::Superseded {
            cert,
            replacement_present: false,
        } => {
            assert_eq!(p.severity(), Severity::Error);
            assert_eq!(cert.not_after_date(), "2020-01-12");
            assert_eq!(cert.known, Known::CloudflareAop2015Expired);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_2015_ca_beside_its_replacement_is_a_warning() {
    let a = judge(&format!("{}{}", cloudflare_2015(), cloudflare_2019()), &[]);
    assert_eq!(codes(&a), ["AOP305", "AOP306"]);
    let superseded = &a.problems[1];
    assert!(matches!(
        superseded,
        Problem::Superseded {
            replacement_present: true,
            ..
        }
    ));
    assert_eq!(superseded.severity(), Severity::Warning);
}

#[test]
fn the_cloudflare_ca_warns_inside_the_window_and_fails_after_it() {
    // 2029-10-15T00:00:00Z: 17 days and 17 hours before the end.
    let near = 1_886_716_800;
    let a = judge_at(&cloudflare_2019(), &[], near, 30);
    assert_eq!(codes(&a), ["AOP305", "AOP303"]);
    match &a.problems[1] {
        p @ Problem::ExpiresSoon { certs, days_left } => {
            assert_eq!(*days_left, 17);
            assert_eq!(certs[0].not_after_date(), "2029-11-01");
            assert_eq!(p.severity(), Severity::Warning);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        codes(&judge_at(&cloudflare_2019(), &[], near, 7)),
        ["AOP305"]
    );
    let after = judge_at(&cloudflare_2019(), &[], 1_900_000_000, 30);
    assert_eq!(codes(&after), ["AOP305", "AOP303"]);
    assert!(matches!(after.problems[1], Problem::Expired { .. }));
    assert_eq!(after.problems[1].severity(), Severity::Error);
}

#[test]
fn a_bundle_with_one_cloudflare_ca_among_others_is_untrusted_and_counted() {
    let others: Vec<_> = (1..=4)
        .map(|i| Spec::ca(&format!("Public Root {i}")).self_signed().pem())
        .collect();
    let bundle = format!("{}{}{}", others[0], cloudflare_2019(), others[1..].concat());
    let a = judge(&bundle, &[]);
    assert_eq!(codes(&a), ["AOP302", "AOP305"]);
    match &a.problems[0] {
        Problem::Untrusted {
            total,
            untrusted,
            examples,
        } => {
            assert_eq!((*total, *untrusted), (5, 4));
            let names: Vec<&str> = examples.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(names, ["Public Root 1", "Public Root 2", "Public Root 3"]);
            assert_eq!(examples[1].index, 3);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        a.summary,
        "5 certificates: Cloudflare's shared origin-pull CA (2019), \
         4 other (Public Root 1, Public Root 2, Public Root 3, ...)"
    );
}

#[test]
fn a_declared_ca_is_trusted_and_an_undeclared_one_is_not() {
    let own = Spec::ca("Example Zone CA").self_signed();
    let fp = CertInfo::from_der(&own.der()).unwrap().sha256;
    let a = judge(&own.pem(), &[fp]);
    assert!(a.problems.is_empty(), "{:?}", a.problems);
    assert_eq!(a.summary, "1 certificate: Example Zone CA (declared)");
    assert_eq!(codes(&judge(&own.pem(), &[])), ["AOP302"]);
}

#[test]
fn declaring_cloudflare_does_not_hide_that_it_is_shared() {
    let info = CertInfo::from_der(&pem::parse(cloudflare_2019()).unwrap().into_contents()).unwrap();
    assert_eq!(classify(&info, &[info.sha256]), Known::CloudflareAop2019);
}

#[test]
fn cloudflare_origin_ca_gets_its_own_explanation() {
    let rsa = Spec::ca("CloudFlare Origin SSL Certificate Authority").self_signed();
    let ecc = Spec::ca("CloudFlare Origin SSL ECC Certificate Authority").self_signed();
    let a = judge(&format!("{}{}", rsa.pem(), ecc.pem()), &[]);
    assert_eq!(codes(&a), ["AOP302"]);
    match &a.problems[0] {
        Problem::OriginCaConfusion { certs } => {
            let kinds: Vec<Known> = certs.iter().map(|c| c.known).collect();
            assert_eq!(
                kinds,
                [Known::CloudflareOriginCaRsa, Known::CloudflareOriginCaEcc]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_leaf_certificate_is_not_a_ca() {
    let ca = Spec::ca("Issuing CA").self_signed();
    let leaf = Spec::leaf("client.example.com").signed_by(&ca);
    let fp = CertInfo::from_der(&leaf.der()).unwrap().sha256;
    let a = judge(&leaf.pem(), &[fp]);
    assert_eq!(codes(&a), ["AOP304"]);
    match &a.problems[0] {
        Problem::NotACa { certs } => assert_eq!(certs[0].1, NotCaReason::CaFalse),
        other => panic!("{other:?}"),
    }
    let bare = Spec {
        is_ca: IsCa::NoCa,
        ..Spec::leaf("no-extensions.example.com")
    }
    .signed_by(&ca);
    let a = judge(&bare.pem(), &[]);
    assert!(a.problems.iter().any(|p| matches!(
        p,
        Problem::NotACa { certs } if certs[0].1 == NotCaReason::NoBasicConstraints
    )));
}

#[test]
fn a_ca_without_key_cert_sign_cannot_sign_clients() {
    let odd = Spec {
        key_usages: vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign],
        ..Spec::ca("Misissued CA")
    }
    .self_signed();
    let a = judge(&odd.pem(), &[]);
    assert!(a.problems.iter().any(|p| matches!(
        p,
        Problem::NotACa { certs } if certs[0].1 == NotCaReason::NoKeyCertSign
    )));
    // Without basicConstraints, OpenSSL still takes a keyUsage allowing keyCertSign as a CA.
    let no_bc = Spec {
        is_ca: IsCa::NoCa,
        key_usages: vec![],
        // BIT STRING: keyCertSign and cRLSign.
        raw_key_usage: Some(vec![0x03, 0x02, 0x01, 0x06]),
        ..Spec::ca("Old Style CA")
    }
    .self_signed();
    let info = CertInfo::from_der(&no_bc.der()).unwrap();
    assert!(!info.has_basic_constraints, "{info:?}");
    assert_eq!(info.key_cert_sign, Some(true), "{info:?}");
    assert_eq!(codes(&judge(&no_bc.pem(), &[])), ["AOP302"]);
    // Without a keyUsage extension every usage is allowed.
    let plain = Spec {
        key_usages: vec![],
        ..Spec::ca("Plain CA")
    }
    .self_signed();
    assert_eq!(codes(&judge(&plain.pem(), &[])), ["AOP302"]);
}

#[test]
fn expired_and_not_yet_valid_cas_are_errors() {
    let old = Spec {
        not_before: (2010, 1, 1),
        not_after: (2020, 6, 1),
        ..Spec::ca("Old Zone CA")
    }
    .self_signed();
    let future = Spec {
        not_before: (2030, 1, 1),
        not_after: (2040, 1, 1),
        ..Spec::ca("Future CA")
    }
    .self_signed();
    let fps: Vec<_> = [&old, &future]
        .iter()
        .map(|m| CertInfo::from_der(&m.der()).unwrap().sha256)
        .collect();
    let a = judge(&format!("{}{}", old.pem(), future.pem()), &fps);
    assert_eq!(codes(&a), ["AOP303", "AOP303"]);
    match (&a.problems[0], &a.problems[1]) {
        (Problem::Expired { certs: e }, Problem::NotYetValid { certs: n }) => {
            assert_eq!(e[0].name, "Old Zone CA");
            assert_eq!(e[0].not_after_date(), "2020-06-01");
            assert_eq!(n[0].name, "Future CA");
        }
        other => panic!("{other:?}"),
    }
    assert!(a.problems.iter().all(|p| p.severity() == Severity::Error));
}

#[test]
fn a_certificate_for_the_cloudflare_key_that_cloudflare_did_not_publish_is_recognised() {
    let published =
        CertInfo::from_der(&pem::parse(cloudflare_2019()).unwrap().into_contents()).unwrap();
    let spki = x509_spki(&cloudflare_2019());
    let issuer = Spec::ca("Someone").self_signed();
    let reissued = Spec::ca("origin-pull.cloudflare.net").for_public_key(&spki, &issuer);
    let info = CertInfo::from_der(reissued.der()).unwrap();
    assert_eq!(info.spki_sha256, published.spki_sha256);
    assert_ne!(info.sha256, published.sha256);
    assert_eq!(classify(&info, &[]), Known::CloudflareAopSameKey);
    let a = judge(&reissued.pem(), &[]);
    assert_eq!(codes(&a), ["AOP305"]);
}

fn x509_spki(pem_text: &str) -> Vec<u8> {
    use x509_parser::prelude::*;
    let der = ::pem::parse(pem_text).unwrap().into_contents();
    let (_, cert) = X509Certificate::from_der(&der).unwrap();
    cert.public_key().raw.to_vec()
}
