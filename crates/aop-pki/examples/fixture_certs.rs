//! Writes the generated certificates the CA fixtures under `fixtures/{nginx,apache}/ca-*`
//! use, and the `aop-lint.toml` files declaring them. Run from the repository root:
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
    let path = Path::new("fixtures").join(case).join(file);
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

/// `HASH.0`: the name OpenSSL looks a CA up by in a hashed directory.
fn hashed_name(cert: &Certificate) -> String {
    let info = aop_pki::CertInfo::from_der(cert.der()).expect("decodes");
    format!("{:08x}.0", info.subject_hash.expect("hashable name"))
}

fn main() {
    let zone = make(
        "Example Shop Zone CA",
        true,
        (2025, 1, 1),
        (2125, 1, 1),
        None,
    );
    let expired = make(
        "Example Shop Zone CA 2015",
        true,
        (2015, 1, 1),
        (2020, 6, 1),
        None,
    );
    // Fixture tests run at 2026-01-01: this one ends 19 days later.
    let ending = make(
        "Example Shop Zone CA 2025",
        true,
        (2025, 1, 1),
        (2026, 1, 20),
        None,
    );
    let leaf = make(
        "shop.example.com",
        false,
        (2025, 1, 1),
        (2125, 1, 1),
        Some(&zone),
    );
    // Recognised by its subject, as Cloudflare's Origin CA roots are; not the real one.
    let origin_ca = make(
        "CloudFlare Origin SSL Certificate Authority",
        true,
        (2025, 1, 1),
        (2125, 1, 1),
        None,
    );

    for case in [
        "nginx/ca-file-unreadable-ok",
        "nginx/ca-untrusted-ok",
        "nginx/ca-expired-ok",
        "nginx/ca-not-a-ca-ok",
        "nginx/ca-shared-cloudflare-ok",
        "nginx/default-server-missing-own-ca",
        "apache/ca-file-unreadable-ok",
        "apache/ca-untrusted-ok",
        "apache/ca-expired-ok",
        "apache/ca-not-a-ca-ok",
        "apache/ca-shared-cloudflare-ok",
    ] {
        write(case, "certs/zone-ca.pem", &zone.cert.pem());
        declare(case, &[&zone.cert]);
    }
    for kind in ["nginx", "apache"] {
        let case = format!("{kind}/ca-expired");
        write(&case, "certs/zone-ca.pem", &expired.cert.pem());
        declare(&case, &[&expired.cert]);
        let case = format!("{kind}/ca-not-a-ca");
        write(&case, "certs/shop.example.com.pem", &leaf.cert.pem());
        declare(&case, &[&leaf.cert]);
    }
    write(
        "nginx/ca-expired-soon",
        "certs/zone-ca.pem",
        &ending.cert.pem(),
    );
    declare("nginx/ca-expired-soon", &[&ending.cert]);
    write(
        "nginx/ca-untrusted-origin-ca",
        "certs/origin-ca.pem",
        &origin_ca.cert.pem(),
    );

    write("nginx/ca-file-unreadable-der", "certs/zone-ca.pem", "");
    fs::write(
        "fixtures/nginx/ca-file-unreadable-der/certs/zone-ca.pem",
        zone.cert.der(),
    )
    .expect("written");
    write(
        "nginx/ca-file-unreadable-no-certificate",
        "certs/zone-ca.pem",
        &zone.key.public_key_pem(),
    );

    // SSLCACertificatePath: a directory rehashed as OpenSSL wants it, one where the CA was
    // copied in without rehashing, and one whose entry carries another certificate's hash.
    let case = "apache/ca-file-unreadable-ok-hashed-dir";
    write(
        case,
        &format!("certs/cas/{}", hashed_name(&zone.cert)),
        &zone.cert.pem(),
    );
    declare(case, &[&zone.cert]);
    let case = "apache/ca-file-unreadable-path-not-hashed";
    write(case, "certs/cas/zone-ca.pem", &zone.cert.pem());
    declare(case, &[&zone.cert]);
    let case = "apache/ca-file-unreadable-path-misnamed";
    write(
        case,
        &format!("certs/cas/{}", hashed_name(&zone.cert)),
        &zone.cert.pem(),
    );
    let partner = make(
        "Example Shop Partner CA",
        true,
        (2025, 1, 1),
        (2125, 1, 1),
        None,
    );
    write(
        case,
        &format!("certs/cas/{}", hashed_name(&expired.cert)),
        &partner.cert.pem(),
    );
    declare(case, &[&zone.cert, &partner.cert]);
}
