//! A TLS 1.3 client that offers post-handshake authentication, with OpenSSL: rustls does not
//! implement it. httpd verifying clients per directory (`SSLVerifyClient` in `<Location>`)
//! asks for the certificate only after the handshake, and only of a client that offered it;
//! one that did not gets a 403 for every such path. A client that offers it and then sends
//! no certificate passes `optional` verification: the paths a later section lets everyone
//! into are served to it.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use openssl::error::ErrorStack;
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode, SslVersion};

use crate::plan::{Probe, Sni};
use crate::{http, Outcome};

pub fn exchange(
    address: SocketAddr,
    source: Option<IpAddr>,
    probe: &Probe,
    request: &[u8],
) -> Outcome {
    let configured = connector().and_then(|c| c.configure()).map(|mut c| {
        c.set_use_server_name_indication(probe.sni == Sni::Host);
        // The server's certificate is recorded by the other probes, never judged.
        c.set_verify_hostname(false);
        c
    });
    let configured = match configured {
        Ok(c) => c,
        Err(e) => return Outcome::HandshakeFailed(e.to_string()),
    };
    let sock = match http::connect(address, source) {
        Ok(s) => s,
        Err(e) => return Outcome::NoConnection(e),
    };
    let mut stream = match configured.connect(&probe.host, sock) {
        Ok(s) => s,
        Err(e) => return Outcome::HandshakeFailed(e.to_string()),
    };
    if let Err(e) = stream.write_all(request).and_then(|_| stream.flush()) {
        return Outcome::HandshakeFailed(e.to_string());
    }
    match http::read_answer(&mut stream) {
        // The server's refusal of the (missing) certificate arrives as an alert on read.
        Outcome::NoAnswer(e) if e.contains("alert") || e.contains("SSL") => {
            Outcome::HandshakeFailed(e)
        }
        other => other,
    }
}

fn connector() -> Result<SslConnector, ErrorStack> {
    let mut builder = SslConnector::builder(SslMethod::tls_client())?;
    builder.set_verify(SslVerifyMode::NONE);
    // Post-handshake authentication exists only in TLS 1.3.
    builder.set_min_proto_version(Some(SslVersion::TLS1_3))?;
    // SAFETY: `builder` owns a live SSL_CTX for the duration of the call; the openssl crate
    // has no safe wrapper for this setting (OpenSSL 1.1.1 and later).
    unsafe { openssl_sys::SSL_CTX_set_post_handshake_auth(builder.as_ptr(), 1) };
    Ok(builder.build())
}
