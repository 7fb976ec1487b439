//! Writes the generated certificates the CA fixtures under `fixtures/nginx/ca-*` use, and the
//! `aop-lint.toml` files declaring them. Run from the repository root:
//!
//! ```text
//! cargo run -p aop-pki --example fixture_certs
//! ```
//!
//! Keys are thrown away and fingerprints change on every run, so the fixture snapshots are
//! re-accepted after it. Tests judge expiry at a fixed `--now` (2026-01-01), so nothing here
//! expires for them.

use std::fs;
use std::path::Path;

use rcgen::{
    date_time_ymd, BasicConstraints, Certificate, CertificateParams, DnType, IsCa, KeyPair,
    KeyUsagePurpose,
};

struct Made {
    cert: Certificate,
    key: KeyPair,
}

fn make(cn: &str, ca: bool, from: (i32, u8, u8), to: (i32, u8, u8), issuer: Option<&Made>) -> Made {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
    params.distinguished_name.push(DnType::CommonName, cn);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Example Shop");
    if ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(1));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    }
    params.not_before = date_time_ymd(from.0, from.1, from.2);
    params.not_after = date_time_ymd(to.0, to.1, to.2);
    let key = KeyPair::generate().expect("key");
    let cert = match issuer {
        Some(i) => params.signed_by(&key, &i.cert, &i.key),
        None => params.self_signed(&key),
    }
    .expect("certificate");
    Made { cert, key }
}

fn sha256(cert: &Certificate) -> String {
    aop_pki::format_sha256(&aop_pki::sha256(cert.der()))
}

fn write(case: &str, file: &str, text: &str) {
    let path = Path::new("fixtures/nginx").join(case).join(file);
    fs::create_dir_all(path.parent().expect("in a case")).expect("case directory");
    fs::write(&path, text).expect("written");
    println!("wrote {}", path.display());
}

fn declare(case: &str, certs: &[&Certificate]) {
    let list: Vec<String> = certs
        .iter()
        .map(|c| format!("    \"{}\",", sha256(c)))
        .collect();
    write(
        case,
        "aop-lint.toml",
        &format!(
            "# The zone's own CA (Authenticated Origin Pulls with the zone's certificate).\ntrusted_ca_sha256 = [\n{}\n]\n",
            list.join("\n")
        ),
    );
}

fn main() {
    let zone = make(
        "Example Shop Zone CA",
        true,
        (2025, 1, 1),
        (2125, 1, 1),
        None,
    );
    for case in [
        "ca-file-unreadable-ok",
        "ca-untrusted-ok",
        "ca-expired-ok",
        "ca-not-a-ca-ok",
        "ca-shared-cloudflare-ok",
        "default-server-missing-own-ca",
    ] {
        write(case, "certs/zone-ca.pem", &zone.cert.pem());
        declare(case, &[&zone.cert]);
    }

    let expired = make(
        "Example Shop Zone CA 2015",
        true,
        (2015, 1, 1),
        (2020, 6, 1),
        None,
    );
    write("ca-expired", "certs/zone-ca.pem", &expired.cert.pem());
    declare("ca-expired", &[&expired.cert]);

    // Fixture tests run at 2026-01-01: this one ends 19 days later.
    let ending = make(
        "Example Shop Zone CA 2025",
        true,
        (2025, 1, 1),
        (2026, 1, 20),
        None,
    );
    write("ca-expired-soon", "certs/zone-ca.pem", &ending.cert.pem());
    declare("ca-expired-soon", &[&ending.cert]);

    let leaf = make(
        "shop.example.com",
        false,
        (2025, 1, 1),
        (2125, 1, 1),
        Some(&zone),
    );
    write(
        "ca-not-a-ca",
        "certs/shop.example.com.pem",
        &leaf.cert.pem(),
    );
    declare("ca-not-a-ca", &[&leaf.cert]);

    // Recognised by its subject, as Cloudflare's Origin CA roots are; not the real one.
    let origin_ca = make(
        "CloudFlare Origin SSL Certificate Authority",
        true,
        (2025, 1, 1),
        (2125, 1, 1),
        None,
    );
    write(
        "ca-untrusted-origin-ca",
        "certs/origin-ca.pem",
        &origin_ca.cert.pem(),
    );

    write("ca-file-unreadable-der", "certs/zone-ca.pem", "");
    fs::write(
        "fixtures/nginx/ca-file-unreadable-der/certs/zone-ca.pem",
        zone.cert.der(),
    )
    .expect("written");
    write(
        "ca-file-unreadable-no-certificate",
        "certs/zone-ca.pem",
        &zone.key.public_key_pem(),
    );
}
