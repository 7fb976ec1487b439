//! What AOP301 says of `SSLCACertificatePath`, asked of a real Apache on 127.0.0.1: OpenSSL
//! finds a CA in the directory only under its subject hash, so a CA copied in without
//! `openssl rehash`, or under another certificate's hash, verifies nobody.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{aop_lint, free_port, server_binary, status_with_client_cert};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};

fn apache2() -> Option<PathBuf> {
    server_binary(
        &["/usr/sbin/apache2", "/usr/sbin/httpd"],
        "Apache CA directory tests",
    )
}

/// One process (`-X`), so stopping it leaves no worker behind.
struct Httpd(Child);

impl Drop for Httpd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(httpd: &Path, dir: &Path, port: u16) -> Httpd {
    let child = Command::new(httpd)
        .arg("-d")
        .arg(dir)
        .arg("-f")
        .arg(dir.join("apache2.conf"))
        .arg("-X")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("apache2 starts");
    let guard = Httpd(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "apache2 did not listen on {port}: {}",
            fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    guard
}

fn made(cn: &str, ca: bool) -> (CertificateParams, KeyPair) {
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    if ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    }
    (params, KeyPair::generate().unwrap())
}

fn hashed_name(pem_der: &[u8]) -> String {
    let info = aop_pki::CertInfo::from_der(pem_der).unwrap();
    format!("{:08x}.0", info.subject_hash.unwrap())
}

/// A tree whose vhost verifies against `cas/`, where `layout` places the zone CA.
fn tree(dir: &Path, port: u16, layout: &str) {
    let (ca_params, ca_key) = made("Zone CA", true);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let (other_params, other_key) = made("Other CA", true);
    let other = other_params.self_signed(&other_key).unwrap();
    let (client_params, client_key) = made("client", false);
    let client = client_params.signed_by(&client_key, &ca, &ca_key).unwrap();
    let (server_params, server_key) = made("localhost", false);
    let server = server_params.self_signed(&server_key).unwrap();

    let cas = dir.join("cas");
    fs::create_dir_all(&cas).unwrap();
    let name = match layout {
        "hashed" => hashed_name(ca.der()),
        "unhashed" => "zone-ca.pem".to_string(),
        // Under the hash of another CA's name: OpenSSL never opens it for the zone CA.
        _ => hashed_name(other.der()),
    };
    fs::write(cas.join(name), ca.pem()).unwrap();
    fs::write(dir.join("server.pem"), server.pem()).unwrap();
    fs::write(dir.join("server.key"), server_key.serialize_pem()).unwrap();
    fs::write(dir.join("client.pem"), client.pem()).unwrap();
    fs::write(dir.join("client.key"), client_key.serialize_pem()).unwrap();
    let modules = "/usr/lib/apache2/modules";
    let conf = format!(
        "ServerRoot {root}\nDefaultRuntimeDir {root}\nPidFile {root}/httpd.pid\nErrorLog {root}/error.log\n\
         LoadModule mpm_event_module {modules}/mod_mpm_event.so\n\
         LoadModule authz_core_module {modules}/mod_authz_core.so\n\
         LoadModule socache_shmcb_module {modules}/mod_socache_shmcb.so\n\
         LoadModule ssl_module {modules}/mod_ssl.so\n\
         User www-data\nGroup www-data\nServerName localhost\nListen 127.0.0.1:{port}\n\
         <VirtualHost 127.0.0.1:{port}>\n    SSLEngine on\n    SSLCertificateFile server.pem\n    \
         SSLCertificateKeyFile server.key\n    SSLVerifyClient require\n    SSLVerifyDepth 1\n    \
         SSLCACertificatePath cas\n    ErrorDocument 404 \"served\"\n</VirtualHost>\n",
        root = dir.display()
    );
    fs::write(dir.join("apache2.conf"), conf).unwrap();
    // The worker, not root, opens the hashed entries at handshake time.
    for p in [dir, &cas] {
        fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn apache_finds_a_ca_in_a_directory_only_under_its_subject_hash() {
    let Some(httpd) = apache2() else { return };
    // (layout, handshake passes, AOP301 severity aop-lint gives, if any)
    for (layout, passes, ours) in [
        ("hashed", true, None),
        ("unhashed", false, Some("error")),
        ("misnamed", false, Some("warning")),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let port = free_port();
        tree(dir, port, layout);
        let _httpd = start(&httpd, dir, port);
        // Any HTTP answer means the handshake, and so verification, passed.
        assert_eq!(status_with_client_cert(port, dir) != 0, passes, "{layout}");

        let out = aop_lint(&[
            dir.to_str().unwrap(),
            "--server",
            "apache",
            "--format",
            "json",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let aop301: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "AOP301")
            .map(|f| f["severity"].as_str().unwrap())
            .collect();
        match ours {
            None => assert!(aop301.is_empty(), "{layout}: {aop301:?}"),
            Some(sev) => assert!(aop301.contains(&sev), "{layout}: {aop301:?}"),
        }
    }
}
