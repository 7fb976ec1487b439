//! A handshake made with one server of an address:port, a request answered by another:
//! asked of Debian's nginx 1.22 and, where built, of nginx 1.26.2 (the last release before
//! the CVE-2025-23419 fix) and 1.30.4. Each server runs in a network namespace of its own;
//! the answers are written down in docs/semantics.md.

use std::fs;
use std::path::{Path, PathBuf};

use super::env;
use super::namespace::{Namespaced, DEFAULT_ROOT};
use super::pki::{pki, Issuer};

/// Debian's nginx, and each release built here.
fn releases() -> Vec<(String, PathBuf)> {
    let Some(tools) = env::tools("nginx releases", &["nginx", "curl", "openssl"]) else {
        return Vec::new();
    };
    let mut out = vec![("Debian 1.22".to_string(), tools[0].clone())];
    for v in ["1.26.2", "1.30.4"] {
        if let Some(bin) = env::nginx_release(v) {
            out.push((v.to_string(), bin));
        }
    }
    out
}

/// The readiness check of [`Namespaced::start`]: a plain listener beside the TLS ones.
const READY: &str = r#"server { listen 8080; return 200 "READY\n"; }"#;

/// `conf`'s `http {}` body with the server certificate set for every server, TLS 1.3 on
/// (1.22's default stops at TLS 1.2), and the readiness listener.
fn conf(servers: &str) -> String {
    let p = pki();
    format!(
        "events {{}}\nhttp {{\n access_log off;\n ssl_protocols TLSv1.2 TLSv1.3;\n ssl_certificate {};\n ssl_certificate_key {};\n {READY}\n{servers}\n}}\n",
        p.server_cert().display(),
        p.server_key().display()
    )
}

fn start(nginx: &Path, servers: &str) -> Option<Namespaced> {
    Namespaced::start(nginx, &conf(servers), "", ("127.0.0.1:8080", "READY"))
}

fn cert_args(cert: Option<Issuer>) -> Vec<String> {
    match cert {
        None => Vec::new(),
        Some(issuer) => {
            let (c, k) = pki().client(issuer);
            vec![
                "--cert".into(),
                c.display().to_string(),
                "--key".into(),
                k.display().to_string(),
            ]
        }
    }
}

/// `GET /` over TLS to 127.0.0.1:443 with SNI `sni` (none when `None`) and `Host: host`:
/// `200 BODY`, `400`..., or `000` when no handshake was made.
pub fn https(ns: &Namespaced, sni: Option<&str>, host: &str, cert: Option<Issuer>) -> String {
    let mut args: Vec<String> = [
        "-sk",
        "--http1.1",
        "--max-time",
        "3",
        "-w",
        "\n%{http_code}",
        "-H",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("Host: {host}"));
    args.extend(cert_args(cert));
    match sni {
        Some(name) => {
            args.push("--resolve".into());
            args.push(format!("{name}:443:127.0.0.1"));
            args.push(format!("https://{name}:443/"));
        }
        None => args.push("https://127.0.0.1:443/".into()),
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = ns.run("curl", &args, None).expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", text.as_str()));
    let answer = match code {
        "200" => format!("200 {}", body.trim()),
        other => other.to_string(),
    };
    println!("  sni {sni:?}, host {host}, cert {cert:?}: {answer}");
    answer
}

/// A TLS 1.3 session made with SNI `first` (none when `None`, with `Host: default.test`) and
/// `cert`, then resumed with SNI and `Host` of
/// `second` and no certificate: whether it was resumed, and the answer's status line and body.
pub fn resume(ns: &Namespaced, first: Option<&str>, cert: Issuer, second: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let session = dir.path().join("session.pem");
    let session = session.display().to_string();
    let (c, k) = pki().client(cert);
    let (c, k) = (c.display().to_string(), k.display().to_string());
    let request =
        |host: &str| format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let common = [
        "s_client",
        "-tls1_3",
        "-ign_eof",
        "-connect",
        "127.0.0.1:443",
    ];
    let mut made: Vec<&str> = common.to_vec();
    match first {
        Some(name) => made.extend(["-servername", name]),
        None => made.push("-noservername"),
    }
    made.extend(["-cert", &c, "-key", &k, "-sess_out", &session]);
    let out = ns
        .run(
            "openssl",
            &made,
            Some(request(first.unwrap_or("default.test")).as_bytes()),
        )
        .expect("openssl");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("HTTP/1.1 200"),
        "the first session was refused: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut resumed: Vec<&str> = common.to_vec();
    resumed.extend(["-servername", second, "-sess_in", &session]);
    let out = ns
        .run("openssl", &resumed, Some(request(second).as_bytes()))
        .expect("openssl");
    let text = String::from_utf8_lossy(&out.stdout);
    let reused = text.lines().any(|l| l.starts_with("Reused,"));
    let status = text
        .lines()
        .find(|l| l.starts_with("HTTP/1.1"))
        .unwrap_or("no answer")
        .trim()
        .to_string();
    let body = text
        .lines()
        .find(|l| l.chars().all(|c| c.is_ascii_uppercase()) && !l.is_empty())
        .unwrap_or("");
    let answer = format!("{status} {body}").trim().to_string();
    println!("  session of {first:?} ({cert:?}) resumed at {second}: reused {reused}, {answer}");
    let _ = fs::remove_file(&session);
    (reused, answer)
}

/// Two servers on `*:443`: the default verifies against `default_verify` (a directive
/// list), `app.test` requires a certificate from the unrelated CA.
fn default_and_app(default_verify: &str) -> String {
    let unrelated = pki().unrelated_ca();
    format!(
        r#"server {{ listen 443 ssl default_server; server_name default.test;
               {default_verify} return 444; }}
           server {{ listen 443 ssl; server_name app.test;
               ssl_verify_client on; ssl_client_certificate {};
               return 200 "APP\n"; }}"#,
        unrelated.display()
    )
}

/// Without SNI (or with an SNI no server names) the handshake, client verification
/// included, is the default server's; `Host` then picks the server that answers, and
/// nginx checks only that verification succeeded. Every release does it.
#[test]
fn nginx_without_sni_the_default_servers_ca_admits_to_another_server() {
    let cf = pki().cloudflare_ca().display().to_string();
    for (release, nginx) in releases() {
        println!("nginx {release}:");
        for verify in ["on", "optional", "optional_no_ca"] {
            let servers = default_and_app(&format!(
                "ssl_verify_client {verify}; ssl_client_certificate {cf};"
            ));
            let Some(ns) = start(&nginx, &servers) else {
                return;
            };
            // With SNI, app's own CA decides: the Cloudflare certificate is refused.
            let r = https(&ns, Some("app.test"), "app.test", Some(Issuer::Cloudflare));
            assert_eq!(r, "400", "{release}");
            for sni in [None, Some("unknown.test")] {
                let r = https(&ns, sni, "app.test", Some(Issuer::Cloudflare));
                assert_eq!(r, "200 APP", "{release}, default {verify}, sni {sni:?}");
            }
            // No certificate: app still requires one.
            assert_eq!(https(&ns, None, "app.test", None), "400", "{release}");
        }
        // A default server that asks for no certificate carries none to app: 400.
        let Some(ns) = start(&nginx, &default_and_app("")) else {
            return;
        };
        let r = https(&ns, None, "app.test", Some(Issuer::Cloudflare));
        assert_eq!(r, "400", "{release}");
        // One that refuses handshakes leaves no way in without app's SNI.
        let Some(ns) = start(&nginx, &default_and_app("ssl_reject_handshake on;")) else {
            return;
        };
        let r = https(&ns, None, "app.test", Some(Issuer::Cloudflare));
        assert_eq!(r, "000", "{release}");
    }
}

/// Behind a catch-all that refuses handshakes, `partner.test` verifies the Cloudflare
/// stand-in and `app.test` the unrelated CA. `tickets` is put in the catch-all.
fn partner_and_app(catch_all: &str) -> String {
    format!(
        r#"server {{ listen 443 ssl default_server; ssl_reject_handshake on; {catch_all} }}
           server {{ listen 443 ssl; server_name partner.test;
               ssl_verify_client on; ssl_client_certificate {};
               return 200 "PARTNER\n"; }}
           server {{ listen 443 ssl; server_name app.test;
               ssl_verify_client on; ssl_client_certificate {};
               return 200 "APP\n"; }}"#,
        pki().cloudflare_ca().display(),
        pki().unrelated_ca().display()
    )
}

/// CVE-2025-23419: a TLS 1.3 session verified by one server resumes in another with the
/// other's SNI, and the other serves it. 1.26.2 does (session tickets, on by default, are
/// enough; the default server's settings decide); 1.30.4 makes a full handshake. Debian's
/// 1.22.1 carries the fix for sessions made with SNI.
#[test]
fn nginx_tls13_sessions_resume_across_servers_before_the_cve_2025_23419_fix() {
    for (release, nginx) in releases() {
        println!("nginx {release}:");
        let Some(ns) = start(&nginx, &partner_and_app("")) else {
            return;
        };
        let (reused, answer) = resume(&ns, Some("partner.test"), Issuer::Cloudflare, "app.test");
        if release == "1.26.2" {
            assert_eq!((reused, answer.as_str()), (true, "HTTP/1.1 200 OK APP"));
        } else {
            // 1.30.4 answers 400; Debian's 1.22 ends the full handshake without an answer.
            assert!(!reused && !answer.contains("APP"), "{release}: {answer}");
        }
        drop(ns);
        // Tickets off in the default server: nothing resumes, on any release.
        let Some(ns) = start(&nginx, &partner_and_app("ssl_session_tickets off;")) else {
            return;
        };
        let (reused, _) = resume(&ns, Some("partner.test"), Issuer::Cloudflare, "app.test");
        assert!(
            !reused,
            "{release}: resumed with tickets off in the default server"
        );
    }
}

/// Turning tickets off in the protected server alone does not stop it on 1.26.2: the
/// default server's context resumes every session of the address:port.
#[test]
fn nginx_1_26_2_resumes_by_the_default_servers_settings() {
    if releases().is_empty() {
        return;
    }
    let Some(nginx) = env::nginx_release("1.26.2") else {
        return;
    };
    let servers = partner_and_app("").replace(
        "server_name app.test;",
        "server_name app.test; ssl_session_tickets off;",
    );
    let Some(ns) = start(&nginx, &servers) else {
        return;
    };
    let (reused, answer) = resume(&ns, Some("partner.test"), Issuer::Cloudflare, "app.test");
    assert_eq!((reused, answer.as_str()), (true, "HTTP/1.1 200 OK APP"));
    drop(ns);
    // Without tickets anywhere, a shared cache in the default server resumes sessions made
    // with the other servers.
    let servers = partner_and_app("ssl_session_cache shared:S:1m;")
        .replace(
            "ssl_verify_client on;",
            "ssl_verify_client on; ssl_session_tickets off;",
        )
        .replace(
            "ssl_reject_handshake on;",
            "ssl_reject_handshake on; ssl_session_tickets off;",
        );
    let Some(ns) = start(&nginx, &servers) else {
        return;
    };
    let (reused, _) = resume(&ns, Some("partner.test"), Issuer::Cloudflare, "app.test");
    assert!(reused, "a shared session cache did not resume");
}

/// `ssl_trusted_certificate` alone: 1.30.4 starts and verifies against it; 1.26.2, like
/// Debian's 1.22 (`nginx_verify_client_refuses_to_start_without_client_certificate`),
/// refuses to start.
#[test]
fn nginx_trusted_certificate_alone_verifies_from_1_27_2() {
    if releases().is_empty() {
        return;
    }
    let servers = format!(
        r#"server {{ listen 443 ssl; server_name app.test;
               ssl_verify_client on; ssl_trusted_certificate {};
               return 200 "APP\n"; }}"#,
        pki().cloudflare_ca().display()
    );
    if let Some(nginx) = env::nginx_release("1.26.2") {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("nginx.conf");
        fs::write(&file, conf(&servers)).expect("write");
        let out = std::process::Command::new(&nginx)
            .arg("-t")
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&file)
            .output()
            .expect("nginx -t");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "1.26.2 accepted it: {err}");
        assert!(
            err.contains("no ssl_client_certificate for ssl_verify_client"),
            "{err}"
        );
    }
    if let Some(nginx) = env::nginx_release("1.30.4") {
        let Some(ns) = start(&nginx, &servers) else {
            return;
        };
        let r = https(&ns, Some("app.test"), "app.test", Some(Issuer::Cloudflare));
        assert_eq!(r, "200 APP");
        assert_eq!(https(&ns, Some("app.test"), "app.test", None), "400");
        let r = https(&ns, Some("app.test"), "app.test", Some(Issuer::Unrelated));
        assert_eq!(r, "400");
    }
}

/// A catch-all with `ssl_reject_handshake on` and nothing else still answers requests: a
/// client that made its handshake with another server's SNI and sends a `Host` no server
/// names gets the catch-all's content, nginx's default root here.
#[test]
fn nginx_reject_handshake_catch_all_answers_unknown_hosts_after_another_sni() {
    for (release, nginx) in releases() {
        println!("nginx {release}:");
        let servers = r#"server { listen 443 ssl default_server; ssl_reject_handshake on; }
            server { listen 443 ssl; server_name open.test; return 200 "OPEN\n"; }"#;
        let Some(ns) = start(&nginx, servers) else {
            return;
        };
        assert_eq!(
            https(&ns, Some("unknown.test"), "unknown.test", None),
            "000"
        );
        let r = https(&ns, Some("open.test"), "unknown.test", None);
        assert_eq!(r, format!("200 {}", DEFAULT_ROOT.trim()), "{release}");
        drop(ns);
        // Content of its own answers the same way.
        let text = servers.replace(
            "ssl_reject_handshake on;",
            r#"ssl_reject_handshake on; return 200 "CATCH-ALL\n";"#,
        );
        let Some(ns) = start(&nginx, &text) else {
            return;
        };
        let r = https(&ns, Some("open.test"), "unknown.test", None);
        assert_eq!(r, "200 CATCH-ALL", "{release}");
        drop(ns);
        let servers = servers.replace(
            "ssl_reject_handshake on;",
            "ssl_reject_handshake on; return 444;",
        );
        let Some(ns) = start(&nginx, &servers) else {
            return;
        };
        let r = https(&ns, Some("open.test"), "unknown.test", None);
        assert_eq!(r, "000", "{release}: return 444 closes the connection");
        drop(ns);
        // A catch-all that verifies clients (here inherited from `http {}`) is not reached
        // this way: nginx answers a Host other than the SNI with 421 when the server that
        // Host selects verifies (`ngx_http_set_virtual_server`).
        let cf = pki().cloudflare_ca().display().to_string();
        let verified = format!("ssl_verify_client on; ssl_client_certificate {cf};\n{text}");
        let Some(ns) = start(&nginx, &verified) else {
            return;
        };
        let r = https(
            &ns,
            Some("open.test"),
            "open.test",
            Some(Issuer::Cloudflare),
        );
        assert_eq!(r, "200 OPEN", "{release}");
        let r = https(
            &ns,
            Some("open.test"),
            "unknown.test",
            Some(Issuer::Cloudflare),
        );
        assert!(r.starts_with("421"), "{release}: {r}");
        drop(ns);
        // Verification in the named server only: its handshake completes without a
        // certificate, and the catch-all, which checks none, answers (AOP107).
        let own = text.replace(
            "server_name open.test;",
            &format!("server_name open.test; ssl_verify_client on; ssl_client_certificate {cf};"),
        );
        let Some(ns) = start(&nginx, &own) else {
            return;
        };
        let r = https(&ns, Some("open.test"), "open.test", None);
        assert!(r.starts_with("400"), "{release}: {r}");
        let r = https(&ns, Some("open.test"), "unknown.test", None);
        assert_eq!(
            r, "200 CATCH-ALL",
            "{release}: no certificate, crossed to the catch-all"
        );
    }
}

/// A session made without SNI with a default server that verifies another CA resumes at
/// the protected server, even on Debian's 1.22.1 whose package fixed the SNI case; 1.30.4
/// makes a full handshake. Without resumption the same client gets in anyway on every
/// release (`nginx_without_sni_the_default_servers_ca_admits_to_another_server`): AOP203.
#[test]
fn nginx_sessions_made_without_sni_resume_at_other_servers_before_the_fix() {
    let cf = pki().cloudflare_ca().display().to_string();
    for (release, nginx) in releases() {
        println!("nginx {release}:");
        let servers = default_and_app(&format!(
            "ssl_verify_client on; ssl_client_certificate {cf};"
        ))
        .replace("return 444;", r#"return 200 "DEFAULT\n";"#);
        let Some(ns) = start(&nginx, &servers) else {
            return;
        };
        let (reused, answer) = resume(&ns, None, Issuer::Cloudflare, "app.test");
        if release == "1.30.4" {
            assert!(!reused && !answer.contains("APP"), "{release}: {answer}");
        } else {
            assert_eq!(
                (reused, answer.as_str()),
                (true, "HTTP/1.1 200 OK APP"),
                "{release}"
            );
        }
    }
}
