use x509_parser::prelude::*;

use crate::fingerprint::{sha256, Sha256Fingerprint};
use crate::name_hash::subject_hash;
use crate::time::format_rfc3339;

/// What the checks need from one certificate, owned so that the DER can be dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    /// `C=US, O=CloudFlare, Inc., ..., CN=origin-pull.cloudflare.net`.
    pub subject: String,
    pub issuer: String,
    /// The subject's first common name, when it has one.
    pub common_name: Option<String>,
    /// The subjectAltName's DNS names, in order.
    pub dns_names: Vec<String>,
    /// `57:91:ba:95:56:c2:2e:61`.
    pub serial_hex: String,
    /// Over the whole DER certificate, as `openssl x509 -fingerprint -sha256` computes it.
    pub sha256: Sha256Fingerprint,
    /// Over the DER SubjectPublicKeyInfo: the same key in a re-issued certificate matches.
    pub spki_sha256: Sha256Fingerprint,
    pub not_before: i64,
    pub not_after: i64,
    pub not_before_rfc3339: String,
    pub not_after_rfc3339: String,
    /// 1 for a version 1 certificate (which has no extensions), 3 for the usual one.
    pub version: u32,
    /// basicConstraints CA:TRUE.
    pub is_ca: bool,
    /// Whether a basicConstraints extension is there at all (CA:FALSE vs missing).
    pub has_basic_constraints: bool,
    /// `None` without a keyUsage extension (then every usage is allowed).
    pub key_cert_sign: Option<bool>,
    /// Subject and issuer are the same name.
    pub self_signed: bool,
    /// OpenSSL's subject name hash: the `HASH` of `HASH.0` in a hashed CA directory.
    pub subject_hash: Option<u32>,
}

impl CertInfo {
    /// Decodes one DER certificate. Bytes after the certificate are tolerated because OpenSSL's
    /// `TRUSTED CERTIFICATE` blocks append trust settings there.
    pub fn from_der(der: &[u8]) -> Result<CertInfo, String> {
        let (rest, cert) = X509Certificate::from_der(der).map_err(|e| describe_error(&e))?;
        let consumed = der.len() - rest.len();
        let basic = cert
            .basic_constraints()
            .map_err(|e| format!("invalid basicConstraints: {e}"))?;
        let key_usage = cert
            .key_usage()
            .map_err(|e| format!("invalid keyUsage: {e}"))?;
        let not_before = cert.validity().not_before.timestamp();
        let not_after = cert.validity().not_after.timestamp();
        Ok(CertInfo {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            common_name: first_common_name(&cert),
            dns_names: dns_names(&cert),
            serial_hex: cert.raw_serial_as_string(),
            sha256: sha256(&der[..consumed]),
            spki_sha256: sha256(cert.public_key().raw),
            not_before,
            not_after,
            not_before_rfc3339: format_rfc3339(not_before),
            not_after_rfc3339: format_rfc3339(not_after),
            version: cert.version().0 + 1,
            is_ca: basic.as_ref().is_some_and(|b| b.value.ca),
            has_basic_constraints: basic.is_some(),
            key_cert_sign: key_usage.map(|k| k.value.key_cert_sign()),
            self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
            subject_hash: subject_hash(cert.subject()),
        })
    }

    /// The hostnames a client sees in it: the subjectAltName's DNS names, and the common
    /// name (which scanners index too).
    pub fn hostnames(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.dns_names.iter().map(String::as_str).collect();
        if let Some(cn) = &self.common_name {
            if !out.contains(&cn.as_str()) {
                out.push(cn);
            }
        }
        out
    }

    /// The common name when there is one, else the whole subject: short enough for a list.
    pub fn short_name(&self) -> &str {
        match &self.common_name {
            Some(cn) if !cn.is_empty() => cn,
            _ if self.subject.is_empty() => "(empty subject)",
            _ => &self.subject,
        }
    }
}

fn first_common_name(cert: &X509Certificate<'_>) -> Option<String> {
    let cn = cert.subject().iter_common_name().next()?;
    cn.as_str().ok().map(str::to_string)
}

fn dns_names(cert: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return Vec::new();
    };
    san.value
        .general_names
        .iter()
        .filter_map(|n| match n {
            GeneralName::DNSName(d) => Some(d.to_string()),
            _ => None,
        })
        .collect()
}

fn describe_error(e: &x509_parser::nom::Err<X509Error>) -> String {
    format!("not a valid X.509 certificate ({e})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [&b""[..], b"\x30", b"\x30\x82\xff\xff", b"hello", &[0u8; 64]] {
            assert!(CertInfo::from_der(bytes).is_err());
        }
    }
}
