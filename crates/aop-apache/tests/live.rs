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
    free_ports(1)[0]
}

/// `n` distinct free ports: each listener is held until all are taken, since the kernel may
/// hand a port just released to the next bind.
fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    held.iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
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

/// The HTTP status curl gets for `url` (`000` when the handshake or connection failed).
fn status(curl: &Path, args: &[&str], url: &str) -> String {
    let out = Command::new(curl)
        .args([
            "-s",
            "--max-time",
            "5",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .args(args)
        .arg(url)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn probe(curl: &Path, port: u16) -> String {
    status(curl, &["-k"], &format!("https://127.0.0.1:{port}/"))
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

/// A tree written to a temporary directory and linted: `head` then a `Listen` per port, then
/// `body`; `DIR` in either is the directory, `PORT0`, `PORT1`... the vhosts' ports.
struct Tree {
    dir: tempfile::TempDir,
    ports: Vec<u16>,
    text: String,
    map: SourceMap,
    config: aop_model::Config,
}

fn write_and_lint(head: &str, body: &str, vhosts: usize, files: &[(&str, &str)]) -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("run")).unwrap();
    fs::create_dir_all(d.join("www")).unwrap();
    fs::write(d.join("www/index.html"), "CONTENT\n").unwrap();
    for (name, text) in files {
        fs::write(d.join(name), text).unwrap();
    }
    let ports = free_ports(vhosts);
    let mut text = head.to_string();
    for p in &ports {
        text.push_str(&format!("Listen 127.0.0.1:{p}\n"));
    }
    text.push_str(body);
    let mut text = text.replace("DIR", &d.display().to_string());
    for (i, p) in ports.iter().enumerate().rev() {
        text = text.replace(&format!("PORT{i}"), &p.to_string());
    }
    fs::write(d.join("apache2.conf"), &text).unwrap();

    let mut map = SourceMap::default();
    let config =
        aop_apache::load(&d.join("apache2.conf"), &mut map, &LoadOptions::default()).unwrap();
    assert!(config.findings.is_empty(), "{:#?}", config.findings);
    assert_eq!(config.servers.len(), vhosts);
    Tree {
        dir,
        ports,
        text,
        map,
        config,
    }
}

impl Tree {
    /// Serves the tree and asks `judge`, for each vhost and its port, what the model says,
    /// what httpd did in the same terms, and what httpd answered; any difference fails.
    fn serve_and_compare(
        &self,
        httpd: &Path,
        judge: impl Fn(&Server, u16) -> (String, String, String),
    ) {
        let _running = start(httpd, self.dir.path(), &self.ports);
        let mut disagreements = Vec::new();
        for (s, &port) in self.config.servers.iter().zip(&self.ports) {
            let line = self.map.location(s.span).line;
            let (ours, theirs, answer) = judge(s, port);
            println!("vhost at line {line:>2} (port {port}): model says {ours:<17} httpd gave {answer} ({theirs})");
            if ours != theirs {
                disagreements.push(format!("line {line}: model {ours}, httpd {answer}"));
            }
        }
        assert!(
            disagreements.is_empty(),
            "{disagreements:#?}\n{}",
            self.text
        );
    }
}

/// The modules and paths every tree here starts with.
const HEAD: &str = "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n\
     LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n\
     DefaultRuntimeDir DIR/run\nPidFile DIR/run/httpd.pid\nErrorLog DIR/run/error.log\n\
     Mutex file:DIR/run default\nServerName main.test\nDocumentRoot DIR/www\n";

/// Writes `body` below a common head with TLS, lints it, serves it, and compares every
/// vhost's verdict with what httpd does.
fn check(body: &str, vhosts: usize) {
    let Some((httpd, curl)) = tools() else { return };
    let ca = rcgen::generate_simple_self_signed(vec!["test-ca".to_string()]).unwrap();
    let srv = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let head = format!(
        "{HEAD}LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so\n\
         LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n\
         LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so\n\
         LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so\n\
         LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n\
         <Directory DIR/www>\n  Require all granted\n</Directory>\n\
         SSLCertificateFile DIR/srv.pem\nSSLCertificateKeyFile DIR/srv.key\n"
    );
    let key = srv.key_pair.serialize_pem();
    let files = [
        ("ca.pem", ca.cert.pem()),
        ("srv.pem", srv.cert.pem()),
        ("srv.key", key),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let tree = write_and_lint(&head, body, vhosts, &files);
    tree.serve_and_compare(&httpd, |s, port| {
        let code = probe(&curl, port);
        (expected(s).into(), observed(&code).into(), code)
    });
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

/// Whether `source` (`a.b.c.d` or `a.b.c.d/bits`) covers 127.0.0.1, where the probes come from.
fn covers_loopback(source: &str) -> bool {
    let (addr, bits) = source.split_once('/').unwrap_or((source, "32"));
    let (Ok(addr), Ok(bits)) = (addr.parse::<std::net::Ipv4Addr>(), bits.parse::<u32>()) else {
        return false;
    };
    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
    u32::from(addr) & mask == u32::from(std::net::Ipv4Addr::LOCALHOST) & mask
}

/// Serves `body` (plain-HTTP vhosts on `PORT0`, `PORT1`...; `DIR` is the tree) behind a
/// `Require ip 203.0.113.7` and sends `CF-Connecting-IP: 203.0.113.7` from 127.0.0.1: httpd
/// grants the request exactly when mod_remoteip believed the peer, which must be what the
/// model says (no proxy named: every peer; else a trusted source covering 127.0.0.1).
fn check_remote_ip(body: &str, vhosts: usize) {
    let Some((httpd, curl)) = tools() else { return };
    let head = format!(
        "{HEAD}LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so\n\
         LoadModule remoteip_module /usr/lib/apache2/modules/mod_remoteip.so\n\
         <Directory DIR/www>\n  Require ip 203.0.113.7\n</Directory>\n"
    );
    let list = (
        "proxies.txt",
        "# comment 127.0.0.1\n10.0.0.0/8 # 127.0.0.1 after a comment\n",
    );
    let tree = write_and_lint(&head, body, vhosts, &[list]);
    tree.serve_and_compare(&httpd, |s, port| {
        let believed = s.real_ip.as_ref().is_some_and(|r| {
            r.trusted.is_empty() || r.trusted.iter().any(|(src, _)| covers_loopback(src))
        });
        let url = format!("http://127.0.0.1:{port}/index.html");
        let code = status(&curl, &["-H", "CF-Connecting-IP: 203.0.113.7"], &url);
        let ours = if believed { "200" } else { "403" };
        (ours.into(), code.clone(), code)
    });
}

#[test]
fn remote_ip_trust_without_main_server_proxies() {
    check_remote_ip(
        "RemoteIPHeader CF-Connecting-IP\n\
         <VirtualHost 127.0.0.1:PORT0>\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT1>\n  RemoteIPTrustedProxy 10.0.0.0/8\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT2>\n  RemoteIPInternalProxy 127\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT3>\n  RemoteIPTrustedProxyList DIR/proxies.txt\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT4>\n  RemoteIPTrustedProxy 0.0.0.0/1 128.0.0.0/1\n</VirtualHost>\n",
        5,
    );
}

#[test]
fn remote_ip_trust_adds_the_main_servers_proxies_to_a_vhosts() {
    check_remote_ip(
        "RemoteIPTrustedProxy 127.0.0.1\n\
         <VirtualHost 127.0.0.1:PORT0>\n  RemoteIPHeader CF-Connecting-IP\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT1>\n  RemoteIPHeader CF-Connecting-IP\n  RemoteIPTrustedProxy 10.0.0.0/8\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:PORT2>\n</VirtualHost>\n",
        3,
    );
}
