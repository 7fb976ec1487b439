//! Certificates recognised by fingerprint or name. The Cloudflare data comes from Cloudflare's
//! published origin-pull CA certificates (copies in `fixtures/pki/cloudflare/`).

use crate::cert::CertInfo;
use crate::fingerprint::Sha256Fingerprint;
use crate::time::format_date;

/// Cloudflare's current shared origin-pull CA ("Global AOP"), valid 2019-10-10 to 2029-11-01.
pub const CLOUDFLARE_AOP_2019_SHA256: Sha256Fingerprint = [
    0x9A, 0x1A, 0xC2, 0xB4, 0xBE, 0x15, 0xF9, 0xF2, 0x7E, 0xEE, 0x20, 0xA7, 0x34, 0xCB, 0xA4, 0xE9,
    0x89, 0x8F, 0x61, 0x00, 0x1B, 0x3B, 0xD7, 0xC8, 0x4B, 0x69, 0xB5, 0x6A, 0x3E, 0x25, 0xA2, 0xB9,
];

/// The previous origin-pull CA, valid 2015-01-13 to 2020-01-12: same subject, serial and key as
/// the 2019 one, so only the fingerprint tells them apart.
pub const CLOUDFLARE_AOP_2015_SHA256: Sha256Fingerprint = [
    0x06, 0x24, 0x65, 0xEE, 0xA1, 0x44, 0x01, 0xF4, 0x8B, 0xE7, 0xD9, 0xA8, 0x73, 0xF2, 0xEE, 0x67,
    0x4F, 0x96, 0x80, 0x65, 0x84, 0x22, 0x5D, 0x50, 0xC0, 0x4F, 0x76, 0x1D, 0x44, 0x80, 0xB8, 0xBA,
];

/// SHA-256 of the SubjectPublicKeyInfo both origin-pull certificates carry. A certificate with
/// this key that is neither of them is a re-issue Cloudflare has not been seen to publish yet
/// (or one made by hand): whoever signs client certificates with it is Cloudflare.
pub const CLOUDFLARE_AOP_SPKI_SHA256: Sha256Fingerprint = [
    0xe2, 0xef, 0x9f, 0xe8, 0x5a, 0xc3, 0x9f, 0x52, 0x2d, 0xc7, 0x73, 0x50, 0x5f, 0x39, 0x98, 0x75,
    0xaa, 0x75, 0xac, 0x10, 0xc4, 0x97, 0x66, 0xca, 0x89, 0x9f, 0x8f, 0x99, 0xb0, 0x7d, 0xa3, 0x4c,
];

/// 2029-11-01T17:00:00Z, the end of the 2019 certificate.
pub const CLOUDFLARE_AOP_2019_NOT_AFTER: i64 = 1_888_246_800;

/// 2020-01-12T02:52:53Z, the end of the 2015 certificate.
pub const CLOUDFLARE_AOP_2015_NOT_AFTER: i64 = 1_578_797_573;

const ORIGIN_CA_RSA_CN: &str = "CloudFlare Origin SSL Certificate Authority";
const ORIGIN_CA_ECC_CN: &str = "CloudFlare Origin SSL ECC Certificate Authority";

/// What a certificate is, as far as client verification for Cloudflare is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Known {
    /// The shared origin-pull CA in force.
    CloudflareAop2019,
    /// The origin-pull CA it replaced, expired since 2020-01-12.
    CloudflareAop2015Expired,
    /// A certificate for the origin-pull CA's key that is not a published one.
    CloudflareAopSameKey,
    /// Cloudflare's Origin CA (RSA): signs origin *server* certificates, not Cloudflare's
    /// client certificate.
    CloudflareOriginCaRsa,
    /// Cloudflare's Origin CA (ECC), same confusion.
    CloudflareOriginCaEcc,
    /// Declared by the user (`trusted_ca_sha256`).
    UserTrusted,
    Unknown,
}

impl Known {
    /// Whether a client certificate chaining to this CA may be Cloudflare's origin-pull one.
    pub fn is_cloudflare_aop(self) -> bool {
        matches!(
            self,
            Known::CloudflareAop2019
                | Known::CloudflareAop2015Expired
                | Known::CloudflareAopSameKey
        )
    }

    pub fn is_origin_ca(self) -> bool {
        matches!(
            self,
            Known::CloudflareOriginCaRsa | Known::CloudflareOriginCaEcc
        )
    }

    /// Whether trusting it is what the user meant to do.
    pub fn is_expected(self) -> bool {
        self.is_cloudflare_aop() || self == Known::UserTrusted
    }

    /// For messages: "Cloudflare's origin-pull CA (2019)".
    pub fn describe(self) -> &'static str {
        match self {
            Known::CloudflareAop2019 => "Cloudflare's shared origin-pull CA (2019)",
            Known::CloudflareAop2015Expired => "Cloudflare's former origin-pull CA (2015, expired)",
            Known::CloudflareAopSameKey => {
                "a certificate for Cloudflare's origin-pull CA key that Cloudflare has not published"
            }
            Known::CloudflareOriginCaRsa => "Cloudflare's Origin CA (RSA)",
            Known::CloudflareOriginCaEcc => "Cloudflare's Origin CA (ECC)",
            Known::UserTrusted => "a CA declared in trusted_ca_sha256",
            Known::Unknown => "a CA that is neither Cloudflare's origin-pull CA nor declared",
        }
    }
}

/// Recognises a certificate. Cloudflare's identity wins over the user's list, so a user who
/// lists Cloudflare's fingerprint still hears that the shared CA proves little.
pub fn classify(cert: &CertInfo, user_trusted_sha256: &[Sha256Fingerprint]) -> Known {
    if cert.sha256 == CLOUDFLARE_AOP_2019_SHA256 {
        return Known::CloudflareAop2019;
    }
    if cert.sha256 == CLOUDFLARE_AOP_2015_SHA256 {
        return Known::CloudflareAop2015Expired;
    }
    if cert.spki_sha256 == CLOUDFLARE_AOP_SPKI_SHA256 {
        return Known::CloudflareAopSameKey;
    }
    match cert.common_name.as_deref() {
        Some(ORIGIN_CA_RSA_CN) => return Known::CloudflareOriginCaRsa,
        Some(ORIGIN_CA_ECC_CN) => return Known::CloudflareOriginCaEcc,
        _ => {}
    }
    if user_trusted_sha256.contains(&cert.sha256) {
        return Known::UserTrusted;
    }
    Known::Unknown
}

/// The day the 2019 origin-pull CA ends, for messages.
pub fn cloudflare_aop_2019_end() -> String {
    format_date(CLOUDFLARE_AOP_2019_NOT_AFTER)
}
