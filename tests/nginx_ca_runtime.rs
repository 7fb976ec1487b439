//! What the CA rules say happens, asked of a real nginx on 127.0.0.1: a client certificate
//! from a valid CA passes; from an expired CA, a CA without keyCertSign, or a certificate that
//! is not a CA at all, it is refused. Certificates are made at test time and the expiry is
//! judged at the real clock, as nginx judges it.

mod common;

use std::fs;
use std::path::Path;

use common::{aop_lint, codes, free_port, nginx_binary, start, status_with_client_cert, stdout};
use rcgen::{
    date_time_ymd, BasicConstraints, Certificate, CertificateParams, DnType, IsCa, KeyPair,
    KeyUsagePurpose,
};

struct Made {
    cert: Certificate,
    key: KeyPair,
}

fn issue(
    cn: &str,
    is_ca: IsCa,
    usages: Vec<KeyUsagePurpose>,
    until: i32,
    by: Option<&Made>,
) -> Made {
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = is_ca;
    params.key_usages = usages;
    params.not_before = date_time_ymd(2015, 1, 1);
    params.not_after = date_time_ymd(until, 1, 1);
    let key = KeyPair::generate().unwrap();
    let cert = match by {
        Some(issuer) => params.signed_by(&key, &issuer.cert, &issuer.key),
        None => params.self_signed(&key),
    }
    .unwrap();
    Made { cert, key }
}

fn ca(cn: &str, usages: Vec<KeyUsagePurpose>, until: i32) -> Made {
    issue(
        cn,
        IsCa::Ca(BasicConstraints::Unconstrained),
        usages,
        until,
        None,
    )
}

/// A tree verifying clients against `ca_pem`, with `client` as the certificate to present.
fn tree(dir: &Path, port: u16, ca_pem: &str, client: &Made) {
    let server = issue("localhost", IsCa::ExplicitNoCa, vec![], 2100, None);
    fs::write(dir.join("server.pem"), server.cert.pem()).unwrap();
    fs::write(dir.join("server.key"), server.key.serialize_pem()).unwrap();
    fs::write(dir.join("ca.pem"), ca_pem).unwrap();
    fs::write(dir.join("client.pem"), client.cert.pem()).unwrap();
    fs::write(dir.join("client.key"), client.key.serialize_pem()).unwrap();
    let conf = format!(
        "pid {pid};\nevents {{}}\nhttp {{\n    access_log off;\n    server {{\n        listen 127.0.0.1:{port} ssl;\n        \
         ssl_certificate server.pem;\n        ssl_certificate_key server.key;\n        \
         ssl_verify_client on;\n        ssl_client_certificate ca.pem;\n        return 200 \"served\";\n    }}\n}}\n",
        pid = dir.join("nginx.pid").display()
    );
    fs::write(dir.join("nginx.conf"), conf).unwrap();
}

#[test]
fn nginx_refuses_the_clients_the_ca_rules_warn_about() {
    let Some(nginx) = nginx_binary("nginx CA runtime tests") else {
        return;
    };
    let sign = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let client_usage = vec![KeyUsagePurpose::DigitalSignature];
    let good = ca("Zone CA", sign.clone(), 2100);
    let expired = ca("Expired Zone CA", sign.clone(), 2020);
    let no_sign = ca("Zone CA without keyCertSign", client_usage.clone(), 2100);
    let leaf_issuer = ca("Leaf Issuer", sign, 2100);
    let leaf = issue(
        "leaf.example.com",
        IsCa::ExplicitNoCa,
        client_usage.clone(),
        2100,
        Some(&leaf_issuer),
    );

    // (case, CA file, its issuer for the client certificate, HTTP status, rule that must fire)
    let cases: [(&str, &Made, u16, Option<&str>); 4] = [
        ("valid CA", &good, 200, None),
        ("expired CA", &expired, 400, Some("AOP303")),
        ("CA without keyCertSign", &no_sign, 400, Some("AOP304")),
        ("leaf certificate as CA", &leaf, 400, Some("AOP304")),
    ];
    for (case, issuer, status, rule) in cases {
        let client = issue(
            "client",
            IsCa::ExplicitNoCa,
            client_usage.clone(),
            2100,
            Some(issuer),
        );
        let tmp = tempfile::tempdir().unwrap();
        let port = free_port();
        tree(tmp.path(), port, &issuer.cert.pem(), &client);
        let _nginx = start(&nginx, tmp.path(), &[("127.0.0.1", port)]);
        assert_eq!(status_with_client_cert(port, tmp.path()), status, "{case}");
        let found = codes(&stdout(&aop_lint(&[
            tmp.path().to_str().unwrap(),
            "--format",
            "json",
        ])));
        match rule {
            Some(code) => assert!(found.iter().any(|c| c == code), "{case}: {found:?}"),
            None => assert!(
                !found
                    .iter()
                    .any(|c| ["AOP301", "AOP303", "AOP304"].contains(&c.as_str())),
                "{case}: {found:?}"
            ),
        }
    }
}
