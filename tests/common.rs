//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs aop-lint from the repository root, colour off and certificate expiry judged at a
/// fixed time, so paths and output are stable.
pub fn aop_lint(args: &[&str]) -> Output {
    Command::cargo_bin("aop-lint")
        .expect("binary built")
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .env("AOP_LINT_NOW", "2026-01-01T00:00:00Z")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .env_remove("AOP_LINT_DOCS_URL")
        .args(args)
        .output()
        .expect("aop-lint runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Fixture case directories of one server kind, sorted, relative to the repository root.
pub fn cases(kind: &str) -> Vec<String> {
    let dir = repo().join("fixtures").join(kind);
    let mut out: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.into_iter()
        .map(|c| format!("fixtures/{kind}/{c}"))
        .collect()
}

pub fn codes(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    v["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_string())
        .collect()
}

/// `../shared` beside the repository: the corpus and Cloudflare reference data.
pub fn shared() -> Option<PathBuf> {
    let p = repo().join("..").join("shared");
    p.is_dir().then_some(p)
}

/// The shared directory, or None after saying loudly why the test is skipped. Under CI its
/// absence is a failure.
pub fn shared_or_skip(test: &str) -> Option<PathBuf> {
    match shared() {
        Some(p) => Some(p),
        None if std::env::var_os("CI").is_some() => {
            panic!("{test}: ../shared is missing, and CI is set: this test must run")
        }
        None => {
            eprintln!("SKIPPED {test}: ../shared is not present beside the repository");
            None
        }
    }
}

pub fn is_dir(p: &Path) -> bool {
    p.is_dir()
}

/// The first of `candidates` installed, or None after saying which tests are skipped. Under
/// CI a missing server is a failure: `.ci/run` installs nginx and apache2.
pub fn server_binary(candidates: &[&str], tests: &str) -> Option<PathBuf> {
    let found = candidates.iter().map(PathBuf::from).find(|p| p.is_file());
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("{candidates:?} not installed under CI: .ci/run installs it");
        }
        eprintln!("SKIPPED {tests}: none of {candidates:?} is installed");
    }
    found
}

pub fn nginx_binary(tests: &str) -> Option<PathBuf> {
    server_binary(
        &["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"],
        tests,
    )
}

/// `curl` to `https://127.0.0.1:PORT/` presenting `dir/client.pem`: the HTTP status, or 0
/// when the TLS handshake failed or nothing answered.
pub fn status_with_client_cert(port: u16, dir: &Path) -> u16 {
    let out = std::process::Command::new("curl")
        .args([
            "-sk",
            "--max-time",
            "5",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg("--cert")
        .arg(dir.join("client.pem"))
        .arg("--key")
        .arg(dir.join("client.key"))
        .arg(format!("https://127.0.0.1:{port}/"))
        .output()
        .expect("curl runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// nginx run on the tree in `dir` (`dir/nginx.conf`), with its prefix and error log there.
pub fn nginx_command(nginx: &Path, dir: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(nginx);
    command
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-e")
        .arg(dir.join("error.log"));
    command
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running nginx (in the foreground, one process), stopped when dropped, even when the test fails.
pub struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn start(nginx: &Path, dir: &Path, ports: &[(&str, u16)]) -> Nginx {
    let child = nginx_command(nginx, dir)
        .args(["-g", "daemon off; master_process off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nginx starts");
    let mut guard = Nginx(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    let log = || std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
    for (host, port) in ports {
        let addr: SocketAddr = format!("{host}:{port}").parse().unwrap();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not listen on {addr}: {}",
                log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    // A port taken by another process between `free_port` and nginx's bind would answer the
    // connect above although nginx exited: the test would then question a stranger.
    if let Ok(Some(status)) = guard.0.try_wait() {
        panic!("nginx exited ({status}) instead of serving: {}", log());
    }
    guard
}

/// (code, message) of each finding of a JSON report.
pub fn code_messages(json: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON report");
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The findings of `aop-lint probe` that say a client without Cloudflare's certificate got
/// content: without one, with one from a CA made on the spot, over plain HTTP, or claiming
/// another address in a forwarding header.
pub const PROBE_OPEN: [&str; 4] = ["AOP601", "AOP602", "AOP603", "AOP607"];

/// "CODE: message [the request: ...]" of each [`PROBE_OPEN`] finding in the JSON report `aop-lint
/// probe` wrote, or why there is no report.
pub fn probe_open_proofs(stdout: &[u8], stderr: &[u8]) -> Result<Vec<String>, String> {
    let json: serde_json::Value = serde_json::from_slice(stdout).map_err(|e| {
        format!(
            "aop-lint probe gave no JSON ({e}): {}",
            String::from_utf8_lossy(stderr).trim()
        )
    })?;
    Ok(json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| PROBE_OPEN.contains(&f["code"].as_str().unwrap_or_default()))
        .map(|f| {
            format!(
                "{}: {} [{}]",
                f["code"].as_str().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default(),
                f["note"].as_str().unwrap_or_default()
            )
        })
        .collect())
}
