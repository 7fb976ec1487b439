//! The client certificates a probe presents: one from a CA made on the spot (no origin can
//! trust it, so an origin that serves it verifies nothing or trusts too much), or the user's
//! own, to confirm the path that must work.

use std::path::Path;

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};

pub struct ClientCert {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl ClientCert {
    /// A client certificate issued by a CA that exists only in this process.
    pub fn throwaway() -> Result<ClientCert, String> {
        let fail = |e: rcgen::Error| format!("cannot make a throwaway certificate: {e}");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "aop-lint probe throwaway CA");
        let ca_key = KeyPair::generate().map_err(fail)?;
        let ca = ca_params.self_signed(&ca_key).map_err(fail)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
        params
            .distinguished_name
            .push(DnType::CommonName, "aop-lint probe client");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate().map_err(fail)?;
        let cert = params.signed_by(&key, &ca, &ca_key).map_err(fail)?;
        Ok(ClientCert {
            chain: vec![cert.der().clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        })
    }

    /// A certificate chain and its key from PEM files (the key as PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<ClientCert, String> {
        let read = |p: &Path| {
            let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
            pem::parse_many(&bytes).map_err(|e| format!("{}: {e}", p.display()))
        };
        let chain: Vec<CertificateDer<'static>> = read(cert)?
            .into_iter()
            .filter(|b| b.tag() == "CERTIFICATE")
            .map(|b| CertificateDer::from(b.into_contents()))
            .collect();
        if chain.is_empty() {
            return Err(format!("{}: no CERTIFICATE block", cert.display()));
        }
        let key = read(key)?
            .into_iter()
            .find_map(|b| match b.tag() {
                "PRIVATE KEY" => Some(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    b.into_contents(),
                ))),
                "RSA PRIVATE KEY" => Some(PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(
                    b.into_contents(),
                ))),
                "EC PRIVATE KEY" => Some(PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(
                    b.into_contents(),
                ))),
                _ => None,
            })
            .ok_or_else(|| format!("{}: no private key block", key.display()))?;
        Ok(ClientCert { chain, key })
    }
}
