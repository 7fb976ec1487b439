//! Certificates made at test time, so nothing committed expires: a stand-in for Cloudflare's
//! origin-pull CA, an unrelated CA, a client certificate from each, and a server certificate.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};

pub struct Pki {
    pub dir: PathBuf,
}

impl Pki {
    pub fn cloudflare_ca(&self) -> PathBuf {
        self.dir.join("cloudflare-ca.pem")
    }
    /// An empty revocation list signed by the Cloudflare stand-in, for configs that name one
    /// (only the real-world harness serves such configs).
    #[allow(dead_code)]
    pub fn cloudflare_crl(&self) -> PathBuf {
        self.dir.join("cloudflare-ca.crl.pem")
    }
    pub fn server_cert(&self) -> PathBuf {
        self.dir.join("server.crt")
    }
    pub fn server_key(&self) -> PathBuf {
        self.dir.join("server.key")
    }
    /// Certificate and key a client presents, by who issued it.
    pub fn client(&self, issuer: Issuer) -> (PathBuf, PathBuf) {
        let stem = match issuer {
            Issuer::Cloudflare => "cloudflare-client",
            Issuer::Unrelated => "unrelated-client",
        };
        (
            self.dir.join(format!("{stem}.crt")),
            self.dir.join(format!("{stem}.key")),
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Issuer {
    Cloudflare,
    Unrelated,
}

/// One set for the whole test process.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale(base);
        let dir = base.join(format!("real-servers-pki-{}", std::process::id()));
        generate(&dir).unwrap_or_else(|e| panic!("cannot generate test certificates: {e}"));
        Pki { dir }
    })
}

/// Sets left by test processes that have exited.
fn remove_stale(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("real-servers-pki-") else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn ca(common_name: &str) -> Result<(rcgen::Certificate, KeyPair), rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok((cert, key))
}

fn client(
    common_name: &str,
    issuer: &rcgen::Certificate,
    issuer_key: &KeyPair,
) -> Result<(rcgen::Certificate, KeyPair), rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, issuer, issuer_key)?;
    Ok((cert, key))
}

fn generate(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    fs::create_dir_all(dir)?;
    let write = |name: &str, text: String| fs::write(dir.join(name), text);

    let (cf_ca, cf_key) = ca("Origin Pull stand-in CA (Cloudflare role, aop-lint tests)")?;
    let (other_ca, other_key) = ca("Unrelated client CA (aop-lint tests)")?;
    write("cloudflare-ca.pem", cf_ca.pem())?;
    write("unrelated-ca.pem", other_ca.pem())?;
    let crl = rcgen::CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2020, 1, 1),
        next_update: rcgen::date_time_ymd(2999, 1, 1),
        crl_number: rcgen::SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: Vec::new(),
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    };
    write(
        "cloudflare-ca.crl.pem",
        crl.signed_by(&cf_ca, &cf_key)?.pem()?,
    )?;

    let (cert, key) = client("origin-pull client stand-in", &cf_ca, &cf_key)?;
    write("cloudflare-client.crt", cert.pem())?;
    write("cloudflare-client.key", key.serialize_pem())?;
    let (cert, key) = client("unrelated client", &other_ca, &other_key)?;
    write("unrelated-client.crt", cert.pem())?;
    write("unrelated-client.key", key.serialize_pem())?;

    let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "origin stand-in");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    write("server.crt", cert.pem())?;
    write("server.key", key.serialize_pem())?;
    Ok(())
}
