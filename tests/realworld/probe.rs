//! Requests made with curl inside the server's network namespace, each from a chosen source
//! address, bounded by `--max-time` and by a deadline on the process; and what came back.

use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::namespace::{Running, Source, EDGE, INTERNET, LOCAL, ORIGIN_V4, ORIGIN_V6};
use super::prepare::{BACKEND_MARKER, MARKER, MARKER_FILE};
pub use crate::curl::Outcome;
use crate::curl::WRITE_OUT;
use crate::parallel::map_parallel;
use crate::pki::{pki, Issuer};

/// A name no tree configures: what another Cloudflare account would send.
pub const UNKNOWN_NAME: &str = "aop-realworld-unknown.invalid";
/// Names probed a listener, at most, besides the unknown one.
const MAX_NAMES: usize = 8;
/// Probes made a tree, at most.
const MAX_PROBES: usize = 900;
/// Location and alias paths probed, at most, besides `/` and the marker file.
const MAX_PATHS: usize = 8;
const PARALLEL: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cert {
    None,
    Unrelated,
    Cloudflare,
}

impl Cert {
    fn label(self) -> &'static str {
        match self {
            Cert::None => "no cert",
            Cert::Unrelated => "unrelated cert",
            Cert::Cloudflare => "cloudflare cert",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Probe {
    pub source: Source,
    pub addr: String,
    pub port: u16,
    pub v6: bool,
    pub tls: bool,
    pub sni: Option<String>,
    pub host: String,
    pub cert: Cert,
    pub path: String,
}

impl Probe {
    pub fn describe(&self) -> String {
        let addr = if self.v6 {
            format!("[{}]", self.addr)
        } else {
            self.addr.clone()
        };
        let scheme = if self.tls { "https" } else { "http" };
        let mut s = format!(
            "{} -> {scheme}://{addr}:{}{} Host={}",
            self.source.label, self.port, self.path, self.host
        );
        if self.tls {
            let sni = self.sni.as_deref().unwrap_or("-");
            s.push_str(&format!(" SNI={sni} {}", self.cert.label()));
        }
        s
    }

    /// Made from the internet without Cloudflare's certificate: content here means the
    /// origin is open.
    pub fn asks_open(&self) -> bool {
        self.source == INTERNET && self.cert != Cert::Cloudflare
    }

    /// Cloudflare's certificate with a name no site has: content here means another
    /// Cloudflare account reaches a real site.
    pub fn asks_foreign(&self) -> bool {
        self.tls && self.cert == Cert::Cloudflare && self.host == UNKNOWN_NAME
    }
}

impl Outcome {
    /// Content came back: a page the harness placed, the stand-in backend's answer, any other
    /// 2xx with a body (`return 200 text`, Caddy's `respond`), or a 502/504 from a proxy
    /// whose backend did not speak its protocol (the request passed every lock in front of
    /// it). A 2xx without a body is an answer without anything in it (docs/semantics.md):
    /// `return 204`, and the empty 200 Caddy gives a request no handler of the site takes.
    pub fn served(&self) -> bool {
        let with_body = !self.body.is_empty();
        self.body.contains(MARKER)
            || matches!(self.status, Some(502 | 504))
            || matches!(self.status, Some(200..=299)) && with_body
    }

    pub fn describe(&self) -> String {
        if let Some(code) = self.status {
            let what = if self.body.contains(BACKEND_MARKER) {
                " backend".to_string()
            } else if let Some(line) = self.body.lines().find(|l| l.contains(MARKER)) {
                format!(" page {}", line.rsplit(": ").next().unwrap_or(""))
            } else if matches!(code, 502 | 504) {
                " proxy error: passed every lock".to_string()
            } else {
                String::new()
            };
            return format!("{code}{what}");
        }
        self.failure()
    }

    /// A plain-HTTP speaker on a port asked for TLS.
    fn plain_port(&self) -> bool {
        self.curl_exit == Some(35)
            && [
                "wrong version number",
                "packet length too long",
                "record layer failure",
            ]
            .iter()
            .any(|m| self.error.contains(m))
    }
}

/// A listening socket and who can reach it.
struct Target {
    addr: String,
    port: u16,
    v6: bool,
    sources: Vec<Source>,
}

fn targets(running: &Running) -> Vec<Target> {
    let mut out = Vec::new();
    for (addr, port) in &running.listeners {
        let all = vec![INTERNET, EDGE, LOCAL];
        let (addr, v6, sources) = match addr.as_str() {
            "0.0.0.0" | "*" => (ORIGIN_V4.to_string(), false, all),
            "[::]" => (ORIGIN_V6.to_string(), true, all),
            "127.0.0.1" => (addr.clone(), false, vec![LOCAL]),
            "[::1]" => ("::1".to_string(), true, vec![LOCAL]),
            a if a.starts_with("198.51.100.") => (a.to_string(), false, all),
            // Not an address this harness put on loopback: trees.rs must map it to a stand-in.
            other => {
                println!("listener on {other}:{port} not probed: no stand-in for its address");
                continue;
            }
        };
        out.push(Target {
            addr,
            port: *port,
            v6,
            sources,
        });
    }
    out
}

/// Every probe for a running tree, run; the table rows.
pub fn probe_all(
    running: &Running,
    names: &[String],
    paths: &[String],
) -> (Vec<(Probe, Outcome)>, bool) {
    let paths: Vec<String> = paths.iter().take(MAX_PATHS).cloned().collect();
    let names: Vec<String> = names.iter().take(MAX_NAMES).cloned().collect();
    let mut plan = Vec::new();
    for target in targets(running) {
        let base = Probe {
            source: target.sources[0],
            addr: target.addr.clone(),
            port: target.port,
            v6: target.v6,
            tls: true,
            sni: None,
            host: UNKNOWN_NAME.to_string(),
            cert: Cert::None,
            path: "/".to_string(),
        };
        let first = run(running, &base);
        let tls = !first.plain_port();
        plan.extend(for_target(&target, &base, tls, &names, &paths));
    }
    let truncated = plan.len() > MAX_PROBES;
    plan.truncate(MAX_PROBES);
    (run_parallel(running, plan), truncated)
}

fn for_target(
    target: &Target,
    base: &Probe,
    tls: bool,
    names: &[String],
    paths: &[String],
) -> Vec<Probe> {
    let mut out = Vec::new();
    let all_names: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .chain([UNKNOWN_NAME])
        .collect();
    for &source in &target.sources {
        let certs: &[Cert] = match (tls, source == INTERNET, source == EDGE) {
            (false, _, _) => &[Cert::None],
            (true, true, _) => &[Cert::None, Cert::Unrelated, Cert::Cloudflare],
            (true, _, true) => &[Cert::None, Cert::Cloudflare],
            (true, _, _) => &[Cert::None],
        };
        for &name in &all_names {
            for &cert in certs {
                let mut variants = vec![Some(name.to_string())];
                if tls {
                    // Straight to the origin, a client need not send SNI at all.
                    variants.push(None);
                }
                for sni in variants {
                    let sni = if tls { sni } else { None };
                    let probe = Probe {
                        source,
                        tls,
                        sni,
                        host: name.to_string(),
                        cert,
                        ..base.clone()
                    };
                    let asks = probe.asks_open() && cert == Cert::None || probe.asks_foreign();
                    if asks {
                        let marker = format!("/{MARKER_FILE}");
                        for path in std::iter::once(&marker).chain(paths) {
                            out.push(Probe {
                                path: path.clone(),
                                ..probe.clone()
                            });
                        }
                    }
                    out.push(probe);
                }
            }
        }
    }
    out
}

fn run_parallel(running: &Running, plan: Vec<Probe>) -> Vec<(Probe, Outcome)> {
    map_parallel(&plan, PARALLEL, |p| (p.clone(), run(running, p)))
}

pub fn run(running: &Running, probe: &Probe) -> Outcome {
    let first = run_once(running, probe);
    // A timeout on a loaded machine says more about the machine than about the server.
    if first.curl_exit == Some(28) || first.curl_exit.is_none() {
        sleep(Duration::from_millis(200));
        return run_once(running, probe);
    }
    first
}

fn run_once(running: &Running, probe: &Probe) -> Outcome {
    let mut cmd = Command::new("nsenter");
    cmd.arg(running.net_arg()).args([
        "--",
        "curl",
        "-sS",
        "-k",
        "--http1.1",
        "--max-time",
        "3",
        "--connect-timeout",
        "2",
    ]);
    cmd.args(WRITE_OUT);
    cmd.args(["--interface", probe.source.address(probe.v6)]);
    cmd.args(["-H", &format!("Host: {}", probe.host)]);
    let addr = if probe.v6 {
        format!("[{}]", probe.addr)
    } else {
        probe.addr.clone()
    };
    let url = match (&probe.sni, probe.tls) {
        (Some(sni), true) => {
            cmd.args(["--resolve", &format!("{sni}:{}:{addr}", probe.port)]);
            format!("https://{sni}:{}{}", probe.port, probe.path)
        }
        (None, true) => format!("https://{addr}:{}{}", probe.port, probe.path),
        (_, false) => format!("http://{addr}:{}{}", probe.port, probe.path),
    };
    let issuer = match probe.cert {
        Cert::None => None,
        Cert::Cloudflare => Some(Issuer::Cloudflare),
        Cert::Unrelated => Some(Issuer::Unrelated),
    };
    if let Some(issuer) = issuer {
        let (cert, key) = pki().client(issuer);
        cmd.arg("--cert").arg(cert).arg("--key").arg(key);
    }
    cmd.arg(url);
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return Outcome::unanswered(format!("cannot run nsenter: {e}")),
    };
    let deadline = Instant::now() + Duration::from_secs(6);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Outcome::unanswered("curl did not finish within 6 s".into());
            }
            Ok(None) => sleep(Duration::from_millis(5)),
            Err(e) => return Outcome::unanswered(e.to_string()),
        }
    }
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => return Outcome::unanswered(e.to_string()),
    };
    Outcome::from_curl(&out)
}
