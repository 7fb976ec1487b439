//! What an internet-wide scanner sees (AOP205): the certificate the default server presents
//! to a client that sends no SNI, from the fixtures' own certificate files, which the sweep
//! replaces with the harness's.

use std::fs;

use super::env;
use super::fixtures::root;
use super::namespace::Namespaced;

/// The readiness check of [`Namespaced::start`].
const READY: &str = r#"server { listen 8080; return 200 "READY\n"; }"#;

/// The subject and names of the certificate nginx presents on 127.0.0.1:443 without SNI.
fn presented_without_sni(nginx: &std::path::Path, case: &str) -> Option<String> {
    let dir = root().join("fixtures/nginx").join(case);
    let text = fs::read_to_string(dir.join("nginx.conf")).expect("fixture");
    let conf = text
        .replace("certs/", &format!("{}/certs/", dir.display()))
        .replace("http {", &format!("http {{\n access_log off;\n {READY}"));
    let ns = Namespaced::start(nginx, &conf, "", ("127.0.0.1:8080", "READY"))?;
    let out = ns
        .run(
            "openssl",
            &[
                "s_client",
                "-connect",
                "127.0.0.1:443",
                "-noservername",
                "-showcerts",
            ],
            Some(b""),
        )
        .expect("openssl s_client");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_default_server_shows_its_certificate_to_a_client_without_sni() {
    let Some(tools) = env::tools("certificate seen without SNI", &["nginx", "openssl"]) else {
        return;
    };
    for (case, names_the_shop) in [
        ("default-certificate-names-site", true),
        ("default-certificate-names-site-ok", false),
    ] {
        let Some(seen) = presented_without_sni(&tools[0], case) else {
            return;
        };
        let subject = seen
            .lines()
            .find(|l| l.starts_with("subject="))
            .unwrap_or_default()
            .to_string();
        println!("{case}: {subject}");
        assert!(!subject.is_empty(), "{case}: no certificate seen:\n{seen}");
        assert_eq!(
            subject.contains("shop.example.com"),
            names_the_shop,
            "{case}: {subject}"
        );
    }
}
