//! Sends an origin the requests that Authenticated Origin Pulls must refuse, and records what
//! came back: the TLS handshake's outcome, the CA names the server asked client certificates
//! from, the HTTP status and the size and hash of the body (never the body itself).
//!
//! Only the address given is contacted; no redirect is followed; every connection has its
//! own timeouts and each target a bounded number of requests.

mod client_cert;
mod http;
mod plan;
#[cfg(feature = "post-handshake-auth")]
mod post_handshake;
mod tls;

pub use client_cert::ClientCert;
pub use plan::{
    plan, CertChoice, Claim, Plan, Probe, SiteHints, Sni, TargetSpec, MAX_CLAIMS, MAX_FILE_PATHS,
    MAX_FILE_PATHS_PER_TARGET, UNKNOWN_NAME,
};

use std::net::SocketAddr;
use std::time::Duration;

/// How long one connection may take, from connect to the last byte read.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// What one probe got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing accepted the connection (refused, unreachable, timed out).
    NoConnection(String),
    /// The TLS handshake failed: an alert, or the connection closed.
    HandshakeFailed(String),
    /// An HTTP answer.
    Answered(Answer),
    /// Connected (and shook hands) but no HTTP answer came back in time.
    NoAnswer(String),
    /// Not sent: this build cannot make the request (the reason says what is missing).
    NotSent(String),
}

/// Whether this build has the client that offers TLS 1.3 post-handshake authentication.
pub const POST_HANDSHAKE_AUTH: bool = cfg!(feature = "post-handshake-auth");

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// Bytes of the body as sent (after de-chunking).
    pub body_len: usize,
    /// The first 16 hex digits of the body's SHA-256: tells bodies apart without keeping them.
    pub body_sha256: String,
    /// `Location` of a redirect.
    pub location: Option<String>,
    /// The body is the server's own page for the status (its title names it), not a page of
    /// a site.
    pub server_error_page: bool,
}

impl Answer {
    /// Content by the definition of docs/semantics.md: a 2xx other than 204 with a body.
    pub fn is_content(&self) -> bool {
        (200..300).contains(&self.status) && self.status != 204 && self.body_len > 0
    }
}

impl Outcome {
    pub fn is_content(&self) -> bool {
        matches!(self, Outcome::Answered(a) if a.is_content())
    }

    pub fn describe(&self) -> String {
        match self {
            Outcome::NoConnection(e) => format!("no connection ({e})"),
            Outcome::HandshakeFailed(e) => format!("handshake failed ({e})"),
            Outcome::NoAnswer(e) => format!("no HTTP answer ({e})"),
            Outcome::NotSent(why) => format!("not sent ({why})"),
            Outcome::Answered(a) => {
                let mut s = format!("HTTP {}", a.status);
                if a.body_len > 0 {
                    s.push_str(&format!(
                        ", {} bytes (sha256 {})",
                        a.body_len, a.body_sha256
                    ));
                } else {
                    s.push_str(", empty body");
                }
                if let Some(l) = &a.location {
                    s.push_str(&format!(", Location {l}"));
                }
                s
            }
        }
    }
}

/// One probe's result, and what the server asked of the client during the handshake.
#[derive(Clone, Debug)]
pub struct Result {
    pub probe: Probe,
    pub outcome: Outcome,
    /// The server sent a CertificateRequest.
    pub asked_for_certificate: bool,
    /// The CA names it listed there, as readable distinguished names.
    pub acceptable_cas: Vec<String>,
}

/// Sends every probe of `plan`, one after the other.
pub fn run(plan: &Plan, user_cert: Option<&ClientCert>) -> Vec<Result> {
    let throwaway = ClientCert::throwaway();
    plan.probes
        .iter()
        .map(|probe| {
            let cert = match probe.cert {
                plan::CertChoice::None => None,
                plan::CertChoice::Throwaway => throwaway.as_ref().ok(),
                plan::CertChoice::User => user_cert,
            };
            send(plan.address, plan.source, probe, cert)
        })
        .collect()
}

fn send(
    address: SocketAddr,
    source: Option<std::net::IpAddr>,
    probe: &Probe,
    cert: Option<&ClientCert>,
) -> Result {
    let address = SocketAddr::new(address.ip(), probe.port);
    let request = http::request(&probe.host, &probe.path, probe.claim.as_ref());
    let (outcome, seen) = if probe.tls && probe.post_handshake_auth {
        (
            post_handshake_exchange(address, source, probe, &request),
            tls::Seen::default(),
        )
    } else if probe.tls {
        tls::exchange(address, source, probe, cert, &request)
    } else {
        (
            http::plain_exchange(address, source, &request),
            tls::Seen::default(),
        )
    };
    Result {
        probe: probe.clone(),
        outcome,
        asked_for_certificate: seen.asked,
        acceptable_cas: seen.acceptable_cas,
    }
}

#[cfg(feature = "post-handshake-auth")]
fn post_handshake_exchange(
    address: SocketAddr,
    source: Option<std::net::IpAddr>,
    probe: &Probe,
    request: &[u8],
) -> Outcome {
    post_handshake::exchange(address, source, probe, request)
}

#[cfg(not(feature = "post-handshake-auth"))]
fn post_handshake_exchange(
    _: SocketAddr,
    _: Option<std::net::IpAddr>,
    _: &Probe,
    _: &[u8],
) -> Outcome {
    Outcome::NotSent(
        "this aop-lint has no client offering TLS 1.3 post-handshake authentication: build it with `--features post-handshake-auth`".into(),
    )
}
