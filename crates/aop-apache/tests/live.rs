//! The model's verdict on each virtual host, checked against a running httpd on 127.0.0.1:
//! a request for `/` without a client certificate must fail the handshake when the model says
//! verification is required, get 403 when the model says the vhost refuses unverified or all
//! clients, a redirect when it redirects, and content otherwise.

use std::fs;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aop_model::{Action, ClientVerify, LoadOptions, Server};
use aop_source::SourceMap;

fn tools() -> Option<(PathBuf, PathBuf)> {
    let httpd = PathBuf::from("/usr/sbin/apache2");
    let curl = ["/usr/bin/curl", "/bin/curl"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    match (httpd.is_file(), curl) {
        (true, Some(curl)) => Some((httpd, curl)),
        _ => {
            let required = std::env::var_os("CI").is_some()
                || std::env::var("AOP_REAL_SERVERS").is_ok_and(|v| v == "required");
            assert!(
                !required,
                "apache2 and curl are needed here: apt-get install apache2 curl"
            );
            eprintln!("\n*** SKIPPED: apache2 or curl missing; the model was NOT checked against a live httpd ***\n");
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running httpd in the foreground, in a process group of its own: dropped (also when an
/// assertion fails, even before httpd wrote its pid file), it stops the group it started and
/// whatever pid the pid file names, then waits a bounded time for them to go.
struct Running {
    child: std::process::Child,
    pid_file: PathBuf,
}

impl Running {
    /// Sends `signal` to the process group started, and to the pid in the pid file when
    /// that is another process (it should not be).
    fn signal(&self, signal: &str) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args([signal, "--", &group])
            .stderr(Stdio::null())
            .status();
        if let Some(pid) = self.pid_from_file().filter(|&p| p != self.child.id()) {
            let _ = Command::new("kill")
                .args([signal, &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
    }

    fn pid_from_file(&self) -> Option<u32> {
        fs::read_to_string(&self.pid_file).ok()?.trim().parse().ok()
    }

    /// Whether the process started has exited, reaping it if so.
    fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.signal("-TERM");
        let deadline = Instant::now() + STOP_WITHIN;
        while !self.exited() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if !self.exited() {
            self.signal("-KILL");
            let _ = self.child.wait();
        }
    }
}

/// How long httpd may take to write its pid file and listen, and to stop.
const START_WITHIN: Duration = Duration::from_secs(15);
const STOP_WITHIN: Duration = Duration::from_secs(5);

fn start(httpd: &Path, dir: &Path, ports: &[u16]) -> Running {
    let log = dir.join("run/startup.log");
    let mut running = Running {
        child: Command::new(httpd)
            .args(["-d", &dir.display().to_string(), "-f"])
            .arg(dir.join("apache2.conf"))
            .arg("-DFOREGROUND")
            .arg("-E")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap(),
        pid_file: dir.join("run/httpd.pid"),
    };
    let deadline = Instant::now() + START_WITHIN;
    let failed = |running: &mut Running, what: String| -> String {
        let log = fs::read_to_string(&log).unwrap_or_default();
        let errors = fs::read_to_string(dir.join("run/error.log")).unwrap_or_default();
        let state = if running.exited() {
            "httpd exited"
        } else {
            "httpd still running"
        };
        format!("{what} ({state}):\n{log}{errors}")
    };
    while running.pid_from_file().is_none() {
        if running.exited() || Instant::now() >= deadline {
            let msg = failed(&mut running, "httpd wrote no pid file".into());
            panic!("{msg}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    for &p in ports {
        while std::net::TcpStream::connect(("127.0.0.1", p)).is_err() {
            if running.exited() || Instant::now() >= deadline {
                let msg = failed(
                    &mut running,
                    format!("httpd never listened on 127.0.0.1:{p}"),
                );
                panic!("{msg}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    running
}

fn probe(curl: &Path, port: u16) -> String {
    let out = Command::new(curl)
        .args([
            "-sk",
            "--max-time",
            "5",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg(format!("https://127.0.0.1:{port}/"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What the model says a request without a client certificate gets.
fn expected(s: &Server) -> &'static str {
    if s.client_verify.value == ClientVerify::On {
        return "handshake refused";
    }
    match s.action {
        Action::Rejects => "403",
        Action::Redirects => "redirect",
        Action::Serves
            if matches!(
                s.client_verify.value,
                ClientVerify::Optional | ClientVerify::OptionalNoCa
            ) && s.verify_enforced.is_some() =>
        {
            "403"
        }
        Action::Serves => "content",
    }
}

fn observed(code: &str) -> &'static str {
    match code {
        "000" => "handshake refused",
        "403" => "403",
        c if c.starts_with('3') => "redirect",
        "200" => "content",
        _ => "other",
    }
}

/// Writes `body` (with `PORT0`, `PORT1`... for the vhosts' ports) below a common head,
/// lints it, serves it, and compares every vhost's verdict with what httpd does.
fn check(body: &str, vhosts: usize) {
    let Some((httpd, curl)) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("run")).unwrap();
    fs::create_dir_all(d.join("www")).unwrap();
    fs::write(d.join("www/index.html"), "CONTENT\n").unwrap();
    let ca = rcgen::generate_simple_self_signed(vec!["test-ca".to_string()]).unwrap();
    fs::write(d.join("ca.pem"), ca.cert.pem()).unwrap();
    let srv = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    fs::write(d.join("srv.pem"), srv.cert.pem()).unwrap();
    fs::write(d.join("srv.key"), srv.key_pair.serialize_pem()).unwrap();
    let ports: Vec<u16> = (0..vhosts).map(|_| free_port()).collect();
    let mut text = format!(
        "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n\
         LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n\
         LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so\n\
         LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n\
         LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so\n\
         LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so\n\
         LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n\
         DefaultRuntimeDir {0}/run\nPidFile {0}/run/httpd.pid\nErrorLog {0}/run/error.log\n\
         Mutex file:{0}/run default\nServerName main.test\nDocumentRoot {0}/www\n\
         <Directory {0}/www>\n  Require all granted\n</Directory>\n\
         SSLCertificateFile {0}/srv.pem\nSSLCertificateKeyFile {0}/srv.key\n",
        d.display()
    );
    for p in &ports {
        text.push_str(&format!("Listen 127.0.0.1:{p}\n"));
    }
    let mut body = body.replace("DIR", &d.display().to_string());
    for (i, p) in ports.iter().enumerate().rev() {
        body = body.replace(&format!("PORT{i}"), &p.to_string());
    }
    text.push_str(&body);
    fs::write(d.join("apache2.conf"), &text).unwrap();

    let mut map = SourceMap::default();
    let config =
        aop_apache::load(&d.join("apache2.conf"), &mut map, &LoadOptions::default()).unwrap();
    assert!(config.findings.is_empty(), "{:#?}", config.findings);
    assert_eq!(config.servers.len(), vhosts);

    let _running = start(&httpd, d, &ports);
    let mut disagreements = Vec::new();
    for (s, &port) in config.servers.iter().zip(&ports) {
        let line = map.location(s.span).line;
        let code = probe(&curl, port);
        let (ours, theirs) = (expected(s), observed(&code));
        println!("vhost at line {line:>2} (port {port}): model says {ours:<17} httpd gave {code} ({theirs})");
        if ours != theirs {
            disagreements.push(format!("line {line}: model {ours}, httpd {code}"));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}\n{text}");
}

#[test]
fn verification_settings_and_their_inheritance() {
    check(
        "SSLVerifyClient require\nSSLCACertificateFile DIR/ca.pem\n\
         <VirtualHost 127.0.0.1:PORT0>\n  SSLEngine on\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT1>\n  SSLEngine on\n  SSLVerifyClient none\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT2>\n  SSLEngine on\n  SSLVerifyClient optional\n\
           <Location />\n    Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'\n  </Location>\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT3>\n  SSLEngine on\n  SSLVerifyClient optional\n\
           <Location />\n    Require all granted\n    Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'\n  </Location>\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT4>\n  SSLEngine on\n  SSLVerifyClient none\n\
           <Location /admin>\n    SSLVerifyClient require\n  </Location>\n</VirtualHost>\n",
        5,
    );
}

#[test]
fn what_a_vhost_does_with_a_request() {
    check(
        "<Location />\n  Require all denied\n</Location>\n\
         <VirtualHost 127.0.0.1:PORT0>\n  SSLEngine on\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT1>\n  SSLEngine on\n  <Location />\n    Require all granted\n  </Location>\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT2>\n  SSLEngine on\n  Redirect permanent / https://example.com/\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT3>\n  SSLEngine on\n  RewriteEngine on\n  RewriteRule ^ - [F]\n</VirtualHost>\n",
        4,
    );
}

/// A tree httpd refuses: the start fails within its deadline with httpd's own message, and
/// the guard leaves no process behind although no pid file was ever written.
#[test]
fn a_refused_start_fails_fast_and_leaves_nothing_running() {
    let Some((httpd, _)) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("run")).unwrap();
    let port = free_port();
    fs::write(
        d.join("apache2.conf"),
        format!(
            "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n\
             DefaultRuntimeDir {0}/run\nPidFile {0}/run/httpd.pid\nErrorLog {0}/run/error.log\n\
             Listen 127.0.0.1:{port}\nNoSuchDirective on\n",
            d.display()
        ),
    )
    .unwrap();
    let began = Instant::now();
    let outcome = std::panic::catch_unwind(|| start(&httpd, d, &[port]));
    let msg = match outcome {
        Ok(_) => panic!("httpd started with an invalid directive"),
        Err(e) => e.downcast_ref::<String>().cloned().unwrap_or_default(),
    };
    assert!(msg.contains("wrote no pid file"), "{msg}");
    assert!(msg.contains("NoSuchDirective"), "{msg}");
    assert!(began.elapsed() < START_WITHIN, "{:?}", began.elapsed());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}
