//! The TLS side of a probe, with rustls: the server's certificate is recorded, never judged
//! (an origin behind Cloudflare often has a certificate only Cloudflare trusts), SNI can be
//! left out, and the CertificateRequest's CA names are kept.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::ResolvesClientCert;
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme, StreamOwned};

use crate::plan::{Probe, Sni};
use crate::{http, ClientCert, Outcome};

/// What the handshake showed about the server.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    pub asked: bool,
    pub acceptable_cas: Vec<String>,
}

pub fn exchange(
    address: SocketAddr,
    source: Option<IpAddr>,
    probe: &Probe,
    cert: Option<&ClientCert>,
    request: &[u8],
) -> (Outcome, Seen) {
    // ring, not aws-lc-rs: it needs no CMake to build, and a probe that only asks whether
    // the origin serves has no use for post-quantum key exchange (why ring's provider is
    // marked deprecated).
    #[allow(deprecated)]
    let provider = Arc::new(ring::default_provider());
    let resolver = Arc::new(Resolver::new(cert, &provider));
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map(|b| {
            b.dangerous()
                .with_custom_certificate_verifier(Arc::new(RecordOnly(provider.clone())))
                .with_client_cert_resolver(resolver.clone())
        });
    let mut config = match config {
        Ok(c) => c,
        Err(e) => return (Outcome::HandshakeFailed(e.to_string()), Seen::default()),
    };
    config.enable_sni = probe.sni == Sni::Host;
    // Without SNI rustls still needs a name; it is not sent.
    let name = ServerName::try_from(probe.host.clone())
        .unwrap_or_else(|_| ServerName::try_from("aop-lint-probe.invalid").expect("valid name"));
    let conn = match ClientConnection::new(Arc::new(config), name) {
        Ok(c) => c,
        Err(e) => return (Outcome::HandshakeFailed(e.to_string()), Seen::default()),
    };
    let sock = match http::connect(address, source) {
        Ok(s) => s,
        Err(e) => return (Outcome::NoConnection(e), Seen::default()),
    };
    let mut stream = StreamOwned::new(conn, sock);
    let outcome = match stream.conn.complete_io(&mut stream.sock) {
        Err(e) => Outcome::HandshakeFailed(e.to_string()),
        Ok(_) => match stream.write_all(request).and_then(|_| stream.flush()) {
            Err(e) => Outcome::HandshakeFailed(e.to_string()),
            Ok(()) => match http::read_answer(&mut stream) {
                // TLS 1.3 sends the server's verdict on the certificate after the handshake
                // completed from the client's side: a refusal arrives as an alert on read.
                Outcome::NoAnswer(e) if e.contains("alert") => Outcome::HandshakeFailed(e),
                other => other,
            },
        },
    };
    (outcome, resolver.seen())
}

/// Accepts any server certificate: the probe asks what the origin does, not who it is.
#[derive(Debug)]
struct RecordOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for RecordOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Presents the probe's certificate, if any, and records what the server asked for.
#[derive(Debug)]
struct Resolver {
    key: Option<Arc<CertifiedKey>>,
    seen: Mutex<Seen>,
}

impl Resolver {
    fn new(cert: Option<&ClientCert>, provider: &CryptoProvider) -> Self {
        let key = cert.and_then(|c| {
            let signing = provider
                .key_provider
                .load_private_key(c.key.clone_key())
                .ok()?;
            Some(Arc::new(CertifiedKey::new(c.chain.clone(), signing)))
        });
        Resolver {
            key,
            seen: Mutex::new(Seen::default()),
        }
    }

    fn seen(&self) -> Seen {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl ResolvesClientCert for Resolver {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.asked = true;
            seen.acceptable_cas = root_hint_subjects
                .iter()
                .map(|dn| readable_name(dn))
                .collect();
        }
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        // Called to decide whether to answer a CertificateRequest at all: always answer, so
        // that the request is seen (with an empty certificate list when there is none).
        true
    }
}

/// A distinguished name from a CertificateRequest as `CN=..., O=...`; the hint is the DER
/// of the Name, with or without its outer SEQUENCE header depending on the stack.
fn readable_name(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    let parse = |bytes: &[u8]| {
        x509_parser::x509::X509Name::from_der(bytes)
            .ok()
            .map(|(_, name)| name.to_string())
    };
    parse(der)
        .or_else(|| {
            let mut wrapped = vec![0x30];
            let len = der.len();
            if len < 0x80 {
                wrapped.push(len as u8);
            } else if len < 0x100 {
                wrapped.extend([0x81, len as u8]);
            } else {
                wrapped.extend([0x82, (len >> 8) as u8, len as u8]);
            }
            wrapped.extend_from_slice(der);
            parse(&wrapped)
        })
        .unwrap_or_else(|| format!("({} bytes, not a name)", der.len()))
}
