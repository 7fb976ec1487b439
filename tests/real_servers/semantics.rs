//! Questions about nginx's behaviour that the model depends on, asked of the real server.
//! The answers are written down in docs/semantics.md.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::apache;
use super::env;
use super::fixtures::root;
use super::layout::MARKER;
use super::namespace::{within, Namespaced};
use super::nginx::{serve, Instance};
use super::pki::pki;
use super::pki::Issuer;
use super::probe::{run, Cert, Outcome, Probe};
use super::process::run_with_input;
use super::sources::INTERNET;

fn try_serve_conf(nginx: &Path, conf: &str) -> Result<Instance, String> {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("nginx.conf"), conf).expect("write nginx.conf");
    serve(nginx, dir.path())
}

fn serve_conf(nginx: &Path, conf: &str) -> Instance {
    try_serve_conf(nginx, conf).unwrap_or_else(|e| panic!("nginx did not start: {e}"))
}

fn get(instance: &Instance, original: &str, sni: Option<&str>, host: &str, cert: Cert) -> Outcome {
    let endpoint = instance
        .served
        .endpoints
        .iter()
        .find(|e| e.original == original)
        .unwrap_or_else(|| panic!("no endpoint {original}"))
        .clone();
    let probe = Probe {
        source: INTERNET,
        endpoint,
        sni: sni.map(str::to_string),
        host: host.to_string(),
        cert,
        path: "/".to_string(),
        claims_loopback: false,
    };
    let outcome = run(&probe);
    println!("{:<70} {}", probe.describe(), outcome.describe());
    outcome
}

/// TLS to `*:443` with SNI and Host both `name`.
fn same(instance: &Instance, name: &str, cert: Cert) -> Outcome {
    get(instance, "*:443", Some(name), name, cert)
}

fn body(outcome: &Outcome) -> String {
    format!("{} {}", outcome.status.unwrap_or(0), outcome.body.trim())
}

fn nginx() -> Option<std::path::PathBuf> {
    env::tools("nginx semantics", &["nginx", "curl"]).map(|mut t| t.remove(0))
}

#[test]
fn nginx_default_server_is_first_listed_unless_flagged() {
    let Some(nginx) = nginx() else { return };
    within(
        "nginx_default_server_is_first_listed_unless_flagged",
        || {
            let first = serve_conf(
                &nginx,
                r#"http {
            server { listen 443 ssl; server_name a.test; return 200 "A\n"; }
            server { listen 443 ssl; server_name b.test; return 200 "B\n"; }
            server { listen 80; server_name a.test; return 200 "A80\n"; }
            server { listen 80; server_name b.test; return 200 "B80\n"; }
        }"#,
            );
            let unknown = "unknown.test";
            assert_eq!(
                body(&get(&first, "*:443", Some(unknown), unknown, Cert::None)),
                "200 A"
            );
            assert_eq!(
                body(&get(&first, "*:443", None, unknown, Cert::None)),
                "200 A"
            );
            assert_eq!(
                body(&get(&first, "*:80", None, unknown, Cert::None)),
                "200 A80"
            );
            drop(first);

            let flagged = serve_conf(
                &nginx,
                r#"http {
            server { listen 443 ssl; server_name a.test; return 200 "A\n"; }
            server { listen 443 ssl default_server; server_name b.test; return 200 "B\n"; }
            server { listen 443 ssl; server_name _; return 200 "underscore\n"; }
        }"#,
            );
            assert_eq!(
                body(&get(&flagged, "*:443", Some(unknown), unknown, Cert::None)),
                "200 B"
            );
            // `server_name _` is only a name nobody sends: it does not make a catch-all.
            assert_eq!(body(&same(&flagged, "a.test", Cert::None)), "200 A");
        },
    );
}

#[test]
fn nginx_http_level_client_verification_is_inherited() {
    let Some(nginx) = nginx() else { return };
    within("nginx_http_level_client_verification_is_inherited", || {
        let ca = pki().cloudflare_ca();
        let conf = format!(
            r#"http {{
            ssl_verify_client on;
            ssl_client_certificate {};
            server {{ listen 443 ssl; server_name a.test; return 200 "A\n"; }}
        }}"#,
            ca.display()
        );
        let instance = serve_conf(&nginx, &conf);
        let none = same(&instance, "a.test", Cert::None);
        assert_eq!(
            none.status,
            Some(400),
            "no certificate: {}",
            none.describe()
        );
        let cf = same(&instance, "a.test", Cert::Cloudflare);
        assert_eq!(body(&cf), "200 A");
        let other = same(&instance, "a.test", Cert::Unrelated);
        assert_eq!(
            other.status,
            Some(400),
            "unrelated CA: {}",
            other.describe()
        );
    });
}

/// nginx 1.22 insists on `ssl_client_certificate` for `ssl_verify_client on`/`optional`:
/// `ssl_trusted_certificate` alone does not start (only `optional_no_ca` may go without).
#[test]
fn nginx_verify_client_refuses_to_start_without_client_certificate() {
    let Some(nginx) = nginx() else { return };
    within(
        "nginx_verify_client_refuses_to_start_without_client_certificate",
        || {
            let ca = pki().cloudflare_ca();
            for verify in ["on", "optional"] {
                let conf = format!(
                    r#"http {{ server {{ listen 443 ssl; server_name a.test;
                ssl_verify_client {verify}; ssl_trusted_certificate {};
                return 200 "A\n"; }} }}"#,
                    ca.display()
                );
                let err = try_serve_conf(&nginx, &conf).err().unwrap_or_else(|| {
            panic!("nginx started with `ssl_verify_client {verify}` and no ssl_client_certificate")
        });
                assert!(
                    err.contains("no ssl_client_certificate for ssl_verify_client"),
                    "{err}"
                );
            }
            let conf = r#"http { server { listen 443 ssl; server_name a.test;
        ssl_verify_client optional_no_ca; return 200 "A\n"; } }"#;
            let i = serve_conf(&nginx, conf);
            assert_eq!(body(&same(&i, "a.test", Cert::Unrelated)), "200 A");
        },
    );
}

/// A request whose Host names another server on the same socket than its SNI.
#[test]
fn nginx_sni_and_host_of_different_servers() {
    let Some(nginx) = nginx() else { return };
    within("nginx_sni_and_host_of_different_servers", || {
        let ca = pki().cloudflare_ca();
        let conf = format!(
            r#"http {{
            server {{ listen 443 ssl; server_name open.test; return 200 "OPEN\n"; }}
            server {{ listen 443 ssl; server_name locked.test;
                     ssl_verify_client on; ssl_client_certificate {ca};
                     return 200 "LOCKED\n"; }}
            server {{ listen 443 ssl; server_name optional.test;
                     ssl_verify_client optional; ssl_client_certificate {ca};
                     return 200 "OPTIONAL\n"; }}
        }}"#,
            ca = ca.display()
        );
        let i = serve_conf(&nginx, &conf);
        // SNI of the open server, Host of the locked one: nginx refuses with 421.
        let r = get(&i, "*:443", Some("open.test"), "locked.test", Cert::None);
        assert_eq!(r.status, Some(421), "{}", r.describe());
        // ... even with a certificate the locked server would accept: it was never asked for.
        let r = get(
            &i,
            "*:443",
            Some("open.test"),
            "locked.test",
            Cert::Cloudflare,
        );
        assert_eq!(r.status, Some(421), "{}", r.describe());
        // SNI of the locked server without a certificate, Host of the open one: the open
        // server answers (its own lock, none, is the one that applies).
        let r = get(&i, "*:443", Some("locked.test"), "open.test", Cert::None);
        assert_eq!(body(&r), "200 OPEN");
        // No SNI at all: the handshake is the default server's (open); Host picks the locked
        // server, which then finds no certificate.
        let r = get(&i, "*:443", None, "locked.test", Cert::None);
        assert_eq!(r.status, Some(400), "{}", r.describe());
        // `optional` without a check serves a client that sent nothing.
        let r = same(&i, "optional.test", Cert::None);
        assert_eq!(body(&r), "200 OPTIONAL");
        // ... and refuses a certificate it cannot verify.
        let r = same(&i, "optional.test", Cert::Unrelated);
        assert_eq!(r.status, Some(400), "{}", r.describe());
    });
}

/// Needs a network namespace (root with CAP_SYS_ADMIN): a wildcard listener must not be
/// reachable from anywhere but this test, so the server runs where loopback is all there is.
#[test]
fn nginx_specific_address_takes_its_connections_from_wildcard() {
    let Some(nginx) = nginx() else { return };
    let conf = r#"events {}
        http {
            access_log off;
            server { listen 8080; server_name wild.test; return 200 "WILDCARD\n"; }
            server { listen 127.0.0.1:8080; server_name specific.test; return 200 "SPECIFIC\n"; }
        }"#;
    let Some(ns) = Namespaced::start(&nginx, conf, "", ("127.0.0.1:8080", "SPECIFIC")) else {
        return;
    };
    // The wildcard server's own name, sent to the specific address, reaches the specific
    // server: the wildcard server is not among the candidates for 127.0.0.1 at all.
    assert_eq!(ns.curl("127.0.0.1:8080", "wild.test"), "SPECIFIC");
    assert_eq!(ns.curl("127.0.0.1:8080", "unknown.test"), "SPECIFIC");
    // Any other local address is the wildcard's.
    assert_eq!(ns.curl("127.0.0.2:8080", "specific.test"), "WILDCARD");
}

/// A listener on loopback, on `localhost` or on a unix socket takes no connection that
/// arrives at any other address of the machine: 192.0.2.1 stands for the public address.
#[test]
fn nginx_loopback_listeners_are_not_reachable_at_other_addresses() {
    let Some(nginx) = nginx() else { return };
    let conf = r#"events {}
        http {
            access_log off;
            server { listen 127.0.0.1:8080; return 200 "LOOPBACK\n"; }
            server { listen localhost:8081; return 200 "LOCALHOST\n"; }
            server { listen unix:{root}/site.sock; return 200 "UNIX\n"; }
            server { listen 8082; return 200 "WILDCARD\n"; }
        }"#;
    let setup = "ip addr add 192.0.2.1/32 dev lo &&";
    let Some(ns) = Namespaced::start(&nginx, conf, setup, ("127.0.0.1:8080", "LOOPBACK")) else {
        return;
    };
    assert_eq!(ns.curl("127.0.0.1:8080", "x"), "LOOPBACK");
    assert_eq!(ns.curl("127.0.0.1:8081", "x"), "LOCALHOST");
    assert_eq!(ns.curl("192.0.2.1:8082", "x"), "WILDCARD");
    for port in [8080, 8081] {
        let answer = ns.curl(&format!("192.0.2.1:{port}"), "x");
        assert!(
            answer.starts_with("error:"),
            "192.0.2.1:{port} answered {answer}"
        );
    }
}

/// The first line of the answer to `GET /` over TLS 1.3 from `openssl s_client` with the
/// stand-in Cloudflare certificate, with or without post-handshake authentication offered,
/// and whether the body is content the harness placed.
fn s_client_get(fixture: &str, pha: bool) -> Option<(String, bool)> {
    let tools = env::tools("apache semantics", &["apache2", "openssl"])?;
    within("apache semantics", || {
        let tree = root().join("fixtures/apache").join(fixture);
        let i = apache::serve(&tools[0], &tree).unwrap_or_else(|e| panic!("apache2: {e}"));
        let ep = &i.served.endpoints[0];
        let (cert, key) = pki().client(Issuer::Cloudflare);
        let mut cmd = Command::new(&tools[1]);
        cmd.args([
            "s_client",
            "-quiet",
            "-tls1_3",
            "-servername",
            "shop.example.com",
        ])
        .arg("-connect")
        .arg(format!("{}:{}", ep.connect_host(), ep.port))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key);
        if pha {
            cmd.arg("-enable_pha");
        }
        let request = b"GET / HTTP/1.1\r\nHost: shop.example.com\r\nConnection: close\r\n\r\n";
        let out = run_with_input(&mut cmd, Some(request), Duration::from_secs(8))
            .unwrap_or_else(|e| panic!("openssl s_client: {e}"));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let first = text.lines().next().unwrap_or("").to_string();
        let content = text.contains(MARKER);
        println!("{fixture}: TLS 1.3, post-handshake auth {pha}: {first} (content: {content})");
        (first, content)
    })
}

/// `SSLVerifyClient require` inside `<Location />`: over TLS 1.3, mod_ssl asks for the
/// certificate after the handshake. A client offering post-handshake authentication gets in
/// with a good certificate; one that does not is refused even with a good certificate.
#[test]
fn apache_per_directory_verification_needs_post_handshake_auth() {
    let Some((without, _)) = s_client_get("truth-per-directory-root", false) else {
        return;
    };
    assert!(without.starts_with("HTTP/1.1 403"));
    let (with, _) = s_client_get("truth-per-directory-root", true).expect("tools present");
    assert!(with.starts_with("HTTP/1.1 200"));
}

/// The same refusal is an ordinary 403: with `ErrorDocument 403 /index.html` its body is a
/// page of the site, for every client that does not offer post-handshake authentication.
#[test]
fn apache_per_directory_refusal_carries_the_error_document() {
    let fixture = "client-verify-per-directory-errordocument-403";
    let Some((status, content)) = s_client_get(fixture, false) else {
        return;
    };
    assert!(status.starts_with("HTTP/1.1 403"), "{status}");
    assert!(content, "the 403 does not carry the site's page");
}
