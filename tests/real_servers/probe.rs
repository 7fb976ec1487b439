//! One request to the server under test, made with curl (bounded by --max-time and by a
//! deadline on the process), or with `openssl s_client` for a client curl cannot play, from
//! one of the source addresses of sources.rs, and what came back.

use std::process::Command;
use std::time::Duration;

use super::addresses::Endpoint;
pub use super::curl::Outcome;
use super::curl::WRITE_OUT;
use super::layout::MARKER;
use super::pki::{pki, Issuer};
use super::process::{run_with_input, run_with_timeout};
use super::sources::Source;

/// A hostname no fixture configures: what another Cloudflare account would send after
/// pointing its DNS at this origin.
pub const FOREIGN_NAME: &str = "aop-truth-foreign.invalid";

/// Forwarding headers in which a client claims to be this machine: a realip module (nginx)
/// or mod_remoteip that believes the sender takes the claim as the client's address.
const CLAIM_LOOPBACK: [&str; 4] = [
    "X-Forwarded-For: 127.0.0.1",
    "X-Real-IP: 127.0.0.1",
    "CF-Connecting-IP: 127.0.0.1",
    "True-Client-IP: 127.0.0.1",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cert {
    None,
    /// No certificate, over TLS 1.3 without offering post-handshake authentication: curl
    /// always offers it, and Apache's per-directory verification answers the two differently
    /// (a TLS alert to curl, an ordinary 403, with its ErrorDocument, to this client).
    NoneWithoutPostHandshakeAuth,
    Cloudflare,
    Unrelated,
}

impl Cert {
    pub fn label(self) -> &'static str {
        match self {
            Cert::None => "no cert",
            Cert::NoneWithoutPostHandshakeAuth => "no cert, no post-handshake auth",
            Cert::Cloudflare => "cloudflare cert",
            Cert::Unrelated => "unrelated-CA cert",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Probe {
    /// Where the request comes from (curl `--interface`, s_client `-bind`).
    pub source: Source,
    pub endpoint: Endpoint,
    /// TLS server name; `None` for plain HTTP (and for TLS without SNI).
    pub sni: Option<String>,
    pub host: String,
    pub cert: Cert,
    /// The URI path requested: `/`, or a path a location names.
    pub path: String,
    /// Sends [`CLAIM_LOOPBACK`].
    pub claims_loopback: bool,
}

impl Probe {
    /// The client's address on the endpoint's side (IPv4 or IPv6).
    pub fn source_address(&self) -> &'static str {
        self.source.address(self.endpoint.v6())
    }

    pub fn describe(&self) -> String {
        let ep = &self.endpoint;
        let mut target = format!("{} ({}:{})", ep.original, ep.connect_host(), ep.port);
        if self.path != "/" {
            target.push_str(&format!(" {}", self.path));
        }
        if self.claims_loopback {
            target.push_str(" claims 127.0.0.1");
        }
        if !self.endpoint.tls {
            return format!("http {target} Host={}", self.host);
        }
        let sni = self.sni.as_deref().unwrap_or("-");
        format!(
            "https {target} SNI={sni} Host={} {}",
            self.host,
            self.cert.label()
        )
    }
}

impl Outcome {
    /// The request got through to content: a 2xx (a file, the default page, `return 200`,
    /// the stand-in backend), a 502/504 from a proxy whose backend did not answer as
    /// expected (the request passed every lock in front of it), or any status whose body is
    /// content the harness placed (an error page that is a page of the site).
    pub fn served(&self) -> bool {
        let with_body = !self.body.is_empty();
        match self.status {
            None => false,
            // `204` or `return 200 ""`: an answer without anything in it.
            Some(200..=299) => with_body,
            Some(502 | 504) => true,
            Some(_) => self.body.contains(MARKER),
        }
    }

    pub fn describe(&self) -> String {
        match self.status {
            Some(code) => {
                let marker = self
                    .body
                    .lines()
                    .find_map(|l| l.strip_prefix(MARKER))
                    .map(|m| format!(" [{}]", m.trim_start_matches(':').trim()))
                    .unwrap_or_default();
                format!("{code}{marker}")
            }
            None => self.failure(),
        }
    }
}

/// Runs the probe; once more after a timeout or a refused connection, which on a loaded
/// machine say more about the machine than about the server's configuration.
pub fn run(probe: &Probe) -> Outcome {
    let first = run_once(probe);
    // Without curl's exit code (s_client, or a client that did not finish) an empty answer
    // is retried too: a refused handshake is refused again, at the cost of one more run.
    if matches!(first.curl_exit, Some(7) | Some(28))
        || (first.status.is_none() && first.curl_exit.is_none())
    {
        std::thread::sleep(std::time::Duration::from_millis(200));
        return run_once(probe);
    }
    first
}

fn run_once(probe: &Probe) -> Outcome {
    if probe.cert == Cert::NoneWithoutPostHandshakeAuth {
        return run_s_client(probe);
    }
    let ep = &probe.endpoint;
    let mut cmd = Command::new("curl");
    cmd.args([
        "-sS",
        "-k",
        "--http1.1",
        "--max-time",
        "5",
        "--connect-timeout",
        "3",
    ]);
    cmd.args(WRITE_OUT);
    cmd.args(["--interface", probe.source_address()]);
    cmd.args(["-H", &format!("Host: {}", probe.host)]);
    if probe.claims_loopback {
        for header in CLAIM_LOOPBACK {
            cmd.args(["-H", header]);
        }
    }
    let url = match (&probe.sni, ep.tls) {
        (Some(sni), true) => {
            cmd.args([
                "--resolve",
                &format!("{sni}:{}:{}", ep.port, ep.connect_host()),
            ]);
            format!("https://{sni}:{}{}", ep.port, probe.path)
        }
        (None, true) => format!("https://{}:{}{}", ep.connect_host(), ep.port, probe.path),
        (_, false) => format!("http://{}:{}{}", ep.connect_host(), ep.port, probe.path),
    };
    let issuer = match probe.cert {
        Cert::None | Cert::NoneWithoutPostHandshakeAuth => None,
        Cert::Cloudflare => Some(Issuer::Cloudflare),
        Cert::Unrelated => Some(Issuer::Unrelated),
    };
    if let Some(issuer) = issuer {
        let (cert, key) = pki().client(issuer);
        cmd.arg("--cert").arg(cert).arg("--key").arg(key);
    }
    cmd.arg(url);
    match run_with_timeout(&mut cmd, Duration::from_secs(8)) {
        Ok(out) => Outcome::from_curl(&out),
        Err(e) => Outcome::unanswered(e),
    }
}

/// The request over TLS 1.3 from `openssl s_client`, which offers post-handshake
/// authentication only when asked (`-enable_pha`). A handshake that fails or an answer that
/// is not HTTP leaves `status` empty, with s_client's message as the error.
fn run_s_client(probe: &Probe) -> Outcome {
    let ep = &probe.endpoint;
    let mut cmd = Command::new("openssl");
    cmd.args(["s_client", "-quiet", "-tls1_3"]);
    if let Some(sni) = &probe.sni {
        cmd.args(["-servername", sni]);
    } else {
        cmd.arg("-noservername");
    }
    let source = probe.source_address();
    let source = if ep.v6() {
        format!("[{source}]:0")
    } else {
        format!("{source}:0")
    };
    cmd.arg("-bind").arg(source);
    cmd.arg("-connect")
        .arg(format!("{}:{}", ep.connect_host(), ep.port));
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        probe.path, probe.host
    );
    match run_with_input(&mut cmd, Some(request.as_bytes()), Duration::from_secs(8)) {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let status = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("HTTP/1.1 "))
                .and_then(|rest| rest.get(..3))
                .and_then(|code| code.parse::<u16>().ok());
            let body = text
                .split_once("\r\n\r\n")
                .map(|(_, body)| body.to_string())
                .unwrap_or_default();
            // s_client prints the chain it was shown first; its error comes last, as OpenSSL's
            // `ID:error:CODE:LIBRARY:FUNCTION:REASON:FILE:LINE...`, of which the reason is read.
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.trim().lines().last().unwrap_or("");
            let stderr = match last.split(':').collect::<Vec<_>>().as_slice() {
                [_, "error", _, _, _, reason, ..] => reason.to_string(),
                _ => last.to_string(),
            };
            Outcome {
                status,
                curl_exit: None,
                body,
                error: if status.is_some() || !stderr.is_empty() {
                    stderr
                } else {
                    "openssl s_client: no HTTP answer".into()
                },
            }
        }
        Err(e) => Outcome::unanswered(e),
    }
}
