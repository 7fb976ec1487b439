//! Certificates made at test time, so nothing committed expires.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rcgen::{
    date_time_ymd, BasicConstraints, Certificate, CertificateParams, DnType, IsCa, KeyPair,
    KeyUsagePurpose,
};

pub struct Made {
    pub cert: Certificate,
    pub key: KeyPair,
}

impl Made {
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    pub fn der(&self) -> Vec<u8> {
        self.cert.der().to_vec()
    }
}

pub struct Spec<'a> {
    pub cn: &'a str,
    pub is_ca: IsCa,
    pub key_usages: Vec<KeyUsagePurpose>,
    /// A keyUsage extension written by hand, for shapes rcgen does not produce (keyUsage
    /// without basicConstraints).
    pub raw_key_usage: Option<Vec<u8>>,
    /// (year, month, day)
    pub not_before: (i32, u8, u8),
    pub not_after: (i32, u8, u8),
}

impl<'a> Spec<'a> {
    pub fn ca(cn: &'a str) -> Self {
        Spec {
            cn,
            is_ca: IsCa::Ca(BasicConstraints::Unconstrained),
            key_usages: vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
            raw_key_usage: None,
            not_before: (2020, 1, 1),
            not_after: (2040, 1, 1),
        }
    }

    pub fn leaf(cn: &'a str) -> Self {
        Spec {
            is_ca: IsCa::ExplicitNoCa,
            key_usages: vec![KeyUsagePurpose::DigitalSignature],
            ..Spec::ca(cn)
        }
    }

    fn params(&self) -> CertificateParams {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, self.cn);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "aop-lint tests");
        params.is_ca = self.is_ca.clone();
        params.key_usages = self.key_usages.clone();
        if let Some(content) = &self.raw_key_usage {
            let mut ext =
                rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 15], content.clone());
            ext.set_criticality(true);
            params.custom_extensions.push(ext);
        }
        let (y, m, d) = self.not_before;
        params.not_before = date_time_ymd(y, m, d);
        let (y, m, d) = self.not_after;
        params.not_after = date_time_ymd(y, m, d);
        params
    }

    pub fn self_signed(&self) -> Made {
        let key = KeyPair::generate().unwrap();
        let cert = self.params().self_signed(&key).unwrap();
        Made { cert, key }
    }

    pub fn signed_by(&self, issuer: &Made) -> Made {
        let key = KeyPair::generate().unwrap();
        let cert = self
            .params()
            .signed_by(&key, &issuer.cert, &issuer.key)
            .unwrap();
        Made { cert, key }
    }

    /// A certificate for someone else's public key, issued by `issuer`.
    pub fn for_public_key(&self, spki_der: &[u8], issuer: &Made) -> Certificate {
        let public = rcgen::SubjectPublicKeyInfo::from_der(spki_der).unwrap();
        self.params()
            .signed_by(&public, &issuer.cert, &issuer.key)
            .unwrap()
    }
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki")
}

pub fn cloudflare_2019() -> String {
    std::fs::read_to_string(fixtures().join("cloudflare/origin-pull-ca-2019.pem")).unwrap()
}

pub fn cloudflare_2015() -> String {
    std::fs::read_to_string(fixtures().join("cloudflare/origin-pull-ca-2015-expired.pem")).unwrap()
}

/// 2026-01-01T00:00:00Z.
pub const NOW: i64 = 1_767_225_600;

/// Judges at [`NOW`] with the default 30-day window.
pub fn analyze_now(
    content: &aop_pki::CaContent,
    trusted: &[aop_pki::Sha256Fingerprint],
) -> aop_pki::Analysis {
    aop_pki::analyze(
        content,
        &aop_pki::AnalysisOptions {
            trusted_sha256: trusted,
            now: NOW,
            expiry_warn_days: 30,
        },
    )
}
