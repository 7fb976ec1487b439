//! One TLS handshake, another server's request: what a client certificate verified by one
//! server of an address:port is worth at another. docs/semantics.md, "Handshake of one
//! server, request of another".

use crate::{Action, ClientVerify, Server};

/// Whether a client whose handshake was made under `handshake`'s settings gets content from
/// `target` although `target` would have refused it: `target` serves content and requires a
/// client certificate, `handshake` completes handshakes and verifies client certificates against some CA
/// `target` does not name. nginx keeps the handshake's verification result and checks only
/// that it succeeded when `Host` (or a resumed session) moves the request to `target`; a
/// certificate from that CA then passes both. A handshake that asks for no certificate
/// carries none, and `target` refuses the request (`400`).
///
/// CAs are compared by the file the server opens: two files holding the same certificates
/// count as different.
pub fn handshake_admits(handshake: &Server, target: &Server) -> bool {
    handshake.reject_handshake.is_none()
        && handshake.client_verify.value != ClientVerify::Off
        && target.action == Action::Serves
        && target.requires_client_certificate()
        && handshake
            .ca
            .iter()
            .any(|h| !target.ca.iter().any(|t| t.resolved == h.resolved))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use aop_source::{FileId, Span};

    use super::handshake_admits;
    use crate::{CaRef, CaRefKind, ClientVerify, Server, ServerKind, Setting};

    fn server(verify: ClientVerify, cas: &[&str]) -> Server {
        let span = Span::new(FileId(0), 0, 1);
        let mut s = Server::new(ServerKind::Nginx, span);
        s.client_verify = Setting::default_value(verify);
        s.ca = cas
            .iter()
            .map(|p| CaRef {
                kind: CaRefKind::NginxClientCertificate,
                path: p.to_string(),
                resolved: PathBuf::from(p),
                span,
                inherited: false,
            })
            .collect();
        s
    }

    #[test]
    fn a_certificate_from_a_ca_the_target_does_not_name_crosses_over() {
        let target = server(ClientVerify::On, &["own.pem"]);
        for verify in [
            ClientVerify::On,
            ClientVerify::Optional,
            ClientVerify::OptionalNoCa,
        ] {
            assert!(handshake_admits(&server(verify, &["cf.pem"]), &target));
        }
        // Same CAs, or fewer: whatever passes the handshake passes the target too.
        assert!(!handshake_admits(
            &server(ClientVerify::On, &["own.pem"]),
            &target
        ));
        let wider = server(ClientVerify::On, &["own.pem", "other.pem"]);
        assert!(!handshake_admits(&target, &wider));
        assert!(handshake_admits(&wider, &target));
        // No certificate asked for, none named, or no handshake at all: nothing to carry.
        assert!(!handshake_admits(
            &server(ClientVerify::Off, &["cf.pem"]),
            &target
        ));
        assert!(!handshake_admits(
            &server(ClientVerify::OptionalNoCa, &[]),
            &target
        ));
        let mut rejecting = server(ClientVerify::On, &["cf.pem"]);
        rejecting.reject_handshake = Some(Span::new(FileId(0), 0, 1));
        assert!(!handshake_admits(&rejecting, &target));
        // A target that hands out nothing (`return 444`) has nothing to reach.
        let mut closed = server(ClientVerify::On, &["own.pem"]);
        closed.action = crate::Action::Rejects;
        assert!(!handshake_admits(
            &server(ClientVerify::On, &["cf.pem"]),
            &closed
        ));
        // A target that does not require a certificate is open on its own (AOP101/AOP102).
        assert!(!handshake_admits(
            &server(ClientVerify::On, &["cf.pem"]),
            &server(ClientVerify::Optional, &["own.pem"])
        ));
    }
}
