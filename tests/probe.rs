//! `aop-lint probe` against a real nginx that the test starts in a private network namespace
//! (loopback only): a locked site, an open one and a plain-HTTP one. Each probe's finding must
//! be what the server's answer proves, and the static lint of the same files must agree.

mod common;

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};

struct KillGroup(u32);

impl Drop for KillGroup {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0)])
            .stderr(Stdio::null())
            .status();
    }
}

/// A CA, a client certificate from it, and a server certificate, as PEM files in `dir`.
fn certificates(dir: &Path) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Probe Test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();

    let key = KeyPair::generate().unwrap();
    let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
    client
        .distinguished_name
        .push(DnType::CommonName, "zone client");
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let cert = client.signed_by(&key, &ca_cert, &ca_key).unwrap();
    fs::write(dir.join("client.pem"), cert.pem()).unwrap();
    fs::write(dir.join("client.key"), key.serialize_pem()).unwrap();

    // A bundle of twelve CAs, as a public trust store would give.
    let bundle: String = (0..12)
        .map(|i| {
            let key = KeyPair::generate().unwrap();
            let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p.distinguished_name
                .push(DnType::CommonName, format!("Public CA {i}"));
            p.self_signed(&key).unwrap().pem()
        })
        .collect();
    fs::write(dir.join("bundle.pem"), bundle).unwrap();

    let key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["locked.test".to_string()]).unwrap();
    let cert = server.self_signed(&key).unwrap();
    fs::write(dir.join("server.pem"), cert.pem()).unwrap();
    fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
}

fn config(dir: &Path) -> String {
    let d = dir.display();
    format!(
        r#"pid {d}/nginx.pid;
error_log {d}/error.log;
events {{}}
http {{
    access_log off;
    ssl_certificate {d}/server.pem;
    ssl_certificate_key {d}/server.key;
    server {{
        listen 443 ssl default_server;
        server_name locked.test;
        ssl_client_certificate {d}/ca.pem;
        ssl_verify_client on;
        return 200 "LOCKED\n";
    }}
    server {{
        listen 8443 ssl default_server;
        server_name open.test;
        return 200 "OPEN\n";
    }}
    server {{
        listen 9443 ssl default_server;
        server_name bundle.test;
        ssl_client_certificate {d}/bundle.pem;
        ssl_verify_client on;
        return 200 "BUNDLE\n";
    }}
    server {{
        listen 80 default_server;
        server_name plain.test;
        return 200 "PLAIN\n";
    }}
}}
"#
    )
}

/// (code, message) of each finding of `aop-lint probe ARGS --format json` run in the
/// namespace of `pid`.
fn probe(pid: u32, args: &[&str]) -> (Option<i32>, Vec<(String, String)>) {
    let out = Command::new("nsenter")
        .arg(format!("--net=/proc/{pid}/ns/net"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_aop-lint"))
        .arg("probe")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("nsenter");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.trim_start().starts_with('{'),
        "no JSON: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings = common::code_messages(&text);
    (out.status.code(), findings)
}

/// `script` run by `sh` in a network namespace of its own, until `pid_file` appears (the
/// server started) or ten seconds pass; the process group dies with the guard.
fn start_in_namespace(
    script: &str,
    pid_file: &Path,
    log: &Path,
) -> (std::process::Child, KillGroup) {
    let child = Command::new("unshare")
        .args(["--net", "--", "sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("unshare (needs root and network namespaces)");
    let guard = KillGroup(child.id());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pid_file.exists() {
        assert!(
            Instant::now() < deadline,
            "the server did not start: {}",
            fs::read_to_string(log).unwrap_or_default()
        );
        sleep(Duration::from_millis(50));
    }
    (child, guard)
}

/// The findings every server gives the same: the locked site (443) refuses all but the
/// zone's own certificate, the open one (8443) serves without a certificate and to an unknown
/// CA's, and plain HTTP (80) serves.
fn locked_open_and_plain(pid: u32, d: &Path) {
    let client = d.join("client.pem");
    let key = d.join("client.key");
    let (code, locked) = probe(
        pid,
        &[
            "127.0.0.1",
            "--host",
            "locked.test",
            "--no-http",
            "--client-cert",
            client.to_str().unwrap(),
            "--client-key",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(codes(&locked), Vec::<&str>::new(), "{locked:?}");
    assert_eq!(code, Some(0));

    let (code, open) = probe(
        pid,
        &[
            "127.0.0.1",
            "--host",
            "open.test",
            "--port",
            "8443",
            "--no-http",
        ],
    );
    // With SNI, without SNI, and with a name no site has; and the unknown CA's certificate.
    assert_eq!(
        codes(&open),
        vec!["AOP601", "AOP601", "AOP601", "AOP602"],
        "{open:?}"
    );
    assert_eq!(code, Some(1));

    let (_, plain) = probe(
        pid,
        &[
            "127.0.0.1",
            "--host",
            "plain.test",
            "--port",
            "443",
            "--http-port",
            "80",
        ],
    );
    assert!(
        plain
            .iter()
            .any(|(c, m)| c == "AOP603" && m.contains("HTTP 200")),
        "{plain:?}"
    );
}

fn codes(findings: &[(String, String)]) -> Vec<&str> {
    let mut c: Vec<&str> = findings.iter().map(|(c, _)| c.as_str()).collect();
    c.sort();
    c
}

#[test]
fn probe_reports_what_the_running_nginx_serves() {
    let Some(nginx) = common::nginx_binary("aop-lint probe") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    certificates(d);
    fs::write(d.join("nginx.conf"), config(d)).unwrap();
    let script = format!(
        "ip link set lo up && exec {} -p {}/ -c {}/nginx.conf -g 'daemon off;'",
        nginx.display(),
        d.display(),
        d.display()
    );
    let (mut child, guard) =
        start_in_namespace(&script, &d.join("nginx.pid"), &d.join("error.log"));
    let pid = child.id();

    locked_open_and_plain(pid, d);

    let (_, bundle) = probe(
        pid,
        &[
            "127.0.0.1",
            "--host",
            "bundle.test",
            "--port",
            "9443",
            "--no-http",
        ],
    );
    assert_eq!(codes(&bundle), vec!["AOP604"], "{bundle:?}");
    assert!(bundle[0].1.contains("from 12 CAs"), "{bundle:?}");

    // The static verdicts on the same files say the same: 8443 and 80 open, 443 locked.
    let lint = common::aop_lint(&[d.to_str().unwrap(), "--format", "json"]);
    let found = common::codes(&common::stdout(&lint));
    assert!(found.contains(&"AOP101".to_string()), "{found:?}");
    assert!(found.contains(&"AOP202".to_string()), "{found:?}");

    // The files are fixed (8443 now verifies clients) but the server is not reloaded: the
    // probe with --config says the running server is not running these files.
    let fixed = config(d).replace(
        "server_name open.test;",
        &format!(
            "server_name open.test;\n        ssl_client_certificate {}/ca.pem;\n        ssl_verify_client on;",
            d.display()
        ),
    );
    fs::write(d.join("nginx.conf"), fixed).unwrap();
    let (_, stale) = probe(
        pid,
        &[
            "127.0.0.1",
            "--config",
            d.to_str().unwrap(),
            "--host",
            "open.test",
            "--port",
            "8443",
            "--no-http",
        ],
    );
    let differs: Vec<_> = stale.iter().filter(|(c, _)| c == "AOP606").collect();
    assert_eq!(differs.len(), 4, "{stale:?}");
    assert!(differs
        .iter()
        .all(|(_, m)| m
            .starts_with("the files refuse this request but the running server served it")));
    // Where files and server agree there is no such finding.
    let (_, agreed) = probe(
        pid,
        &[
            "127.0.0.1",
            "--config",
            d.to_str().unwrap(),
            "--host",
            "locked.test",
            "--port",
            "443",
            "--no-http",
        ],
    );
    assert!(agreed.iter().all(|(c, _)| c != "AOP606"), "{agreed:?}");
    drop(guard);
    let _ = child.wait();
}

/// The same questions of a running httpd: mod_ssl refuses in the handshake where nginx
/// answers 400, and the probe reads both as refusals.
fn apache_config(dir: &Path) -> String {
    let d = dir.display();
    let m = "/usr/lib/apache2/modules";
    format!(
        r#"ServerRoot {d}
PidFile {d}/httpd.pid
ErrorLog {d}/error.log
DefaultRuntimeDir {d}
LoadModule mpm_event_module {m}/mod_mpm_event.so
LoadModule authz_core_module {m}/mod_authz_core.so
LoadModule dir_module {m}/mod_dir.so
LoadModule socache_shmcb_module {m}/mod_socache_shmcb.so
LoadModule ssl_module {m}/mod_ssl.so
ServerName origin.test
Listen 443
Listen 8443
Listen 80
<Directory {d}/www>
    Require all granted
</Directory>
DocumentRoot {d}/www
<VirtualHost *:443>
    ServerName locked.test
    SSLEngine on
    SSLCertificateFile {d}/server.pem
    SSLCertificateKeyFile {d}/server.key
    SSLVerifyClient require
    SSLCACertificateFile {d}/ca.pem
</VirtualHost>
<VirtualHost *:8443>
    ServerName open.test
    SSLEngine on
    SSLCertificateFile {d}/server.pem
    SSLCertificateKeyFile {d}/server.key
</VirtualHost>
<VirtualHost *:80>
    ServerName plain.test
</VirtualHost>
"#
    )
}

#[test]
fn probe_reports_what_the_running_apache_serves() {
    let Some(apache) = common::server_binary(
        &["/usr/sbin/apache2", "/usr/sbin/httpd"],
        "aop-lint probe on httpd",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    certificates(d);
    fs::create_dir(d.join("www")).unwrap();
    fs::write(d.join("www/index.html"), "SITE\n").unwrap();
    fs::write(d.join("httpd.conf"), apache_config(d)).unwrap();
    // httpd's children run as an unprivileged user: what they serve must be readable.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(d, fs::Permissions::from_mode(0o755)).unwrap();
    let script = format!(
        "ip link set lo up && exec {} -d {} -f {}/httpd.conf -DFOREGROUND",
        apache.display(),
        d.display(),
        d.display()
    );
    let (mut child, guard) =
        start_in_namespace(&script, &d.join("httpd.pid"), &d.join("error.log"));
    let pid = child.id();

    locked_open_and_plain(pid, d);

    // And with the files: what the running server does is what they say.
    let (_, agreed) = probe(
        pid,
        &[
            "127.0.0.1",
            "--config",
            d.join("httpd.conf").to_str().unwrap(),
            "--host",
            "open.test",
            "--port",
            "8443",
            "--no-http",
        ],
    );
    assert!(agreed.iter().all(|(c, _)| c != "AOP606"), "{agreed:?}");
    drop(guard);
    let _ = child.wait();
}

#[test]
fn dry_run_sends_nothing_and_lists_the_requests() {
    let o = common::aop_lint(&[
        "probe",
        "192.0.2.1",
        "--host",
        "shop.example.com",
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let text = common::stdout(&o);
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.contains("192.0.2.1 TLS :443 no SNI, Host shop.example.com"));
}

/// With `--config`, the dry run lists what only the files suggest: their paths, a client
/// offering post-handshake authentication where they verify per directory, and a claim in
/// the header they take the client's address from; without it, none of these.
#[test]
fn dry_run_with_the_files_lists_their_scenarios() {
    let dry = |config: &str| {
        let o = common::aop_lint(&["probe", "192.0.2.1", "--config", config, "--dry-run"]);
        assert_eq!(o.status.code(), Some(0));
        common::stdout(&o)
    };
    let public =
        dry("fixtures/apache/client-verify-optional-unenforced-per-directory-public/apache2.conf");
    for line in [
        "TLS :443 SNI shop.example.com, Host shop.example.com GET /public/, no client certificate\n",
        "TLS :443 SNI shop.example.com, Host shop.example.com GET /public/, no client certificate (offering post-handshake authentication)\n",
        "TLS :443 SNI shop.example.com, Host shop.example.com GET /, no client certificate (offering post-handshake authentication)\n",
    ] {
        assert!(public.contains(line), "{line}not in:\n{public}");
    }
    assert!(!public.contains("claiming"), "{public}");
    let claims = dry("fixtures/nginx/client-verify-missing-allow-loopback-real-ip");
    assert!(
        claims.contains(
            "192.0.2.1 TLS :443 SNI admin.example.com, Host admin.example.com GET / claiming X-Forwarded-For: 127.0.0.1, no client certificate\n"
        ),
        "{claims}"
    );
    assert_eq!(claims.matches("claiming").count(), 1, "{claims}");
    let o = common::aop_lint(&[
        "probe",
        "192.0.2.1",
        "--host",
        "admin.example.com",
        "--dry-run",
    ]);
    let without = common::stdout(&o);
    assert!(!without.contains("claiming") && !without.contains("post-handshake"));
    // From Cloudflare's own address a claim is Cloudflare's word: none is sent.
    let o = common::aop_lint(&[
        "probe",
        "192.0.2.1",
        "--config",
        "fixtures/nginx/client-verify-missing-allow-loopback-real-ip",
        "--source",
        "173.245.48.5",
        "--dry-run",
    ]);
    assert!(!common::stdout(&o).contains("claiming"));
}
