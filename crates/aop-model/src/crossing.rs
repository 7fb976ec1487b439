//! One TLS handshake, another server's request: what a client certificate verified by one
//! server of an address:port is worth at another. docs/semantics.md, "Handshake of one
//! server, request of another".

use std::collections::HashMap;
use std::path::Path;

use crate::{Action, Config, Server};

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
    handshake.handshake_asks_for_certificate()
        && target.action == Action::Serves
        && target.requires_client_certificate()
        && handshake
            .ca
            .iter()
            .any(|h| !target.ca.iter().any(|t| t.resolved == h.resolved))
}

/// The servers of an address:port whose handshakes can admit a client elsewhere, grouped by
/// the CA files they verify against, to find for each target the first one that admits
/// without trying every server: on a port of thousands of servers trusting one CA, asking
/// each pair is quadratic, while the CA sets that are no wider than a target's are few.
pub struct Handshakes<'c> {
    /// Groups in the order of their first server.
    groups: Vec<CaGroup<'c>>,
}

/// One distinct set of CA files (sorted), with its servers as (place in the list the index
/// was built from, server index).
type CaGroup<'c> = (Vec<&'c Path>, Vec<(usize, usize)>);

impl<'c> Handshakes<'c> {
    /// The servers of `servers` (in that order) that complete handshakes verifying client
    /// certificates and that `also` accepts.
    pub fn new(config: &'c Config, servers: &[usize], also: impl Fn(&Server) -> bool) -> Self {
        let mut groups: Vec<CaGroup<'c>> = Vec::new();
        let mut by_cas: HashMap<Vec<&'c Path>, usize> = HashMap::new();
        for (place, &h) in servers.iter().enumerate() {
            let s = &config.servers[h];
            if !s.handshake_asks_for_certificate() || !also(s) {
                continue;
            }
            let mut cas: Vec<&Path> = s.ca.iter().map(|c| c.resolved.as_path()).collect();
            // No CA: nothing the target does not name.
            if cas.is_empty() {
                continue;
            }
            cas.sort_unstable();
            cas.dedup();
            let g = *by_cas.entry(cas).or_insert_with_key(|cas| {
                groups.push((cas.clone(), Vec::new()));
                groups.len() - 1
            });
            groups[g].1.push((place, h));
        }
        Handshakes { groups }
    }

    /// The first indexed server other than those in `skip` whose handshake admits a client
    /// to `target` ([`handshake_admits`]).
    pub fn first_admitting(&self, target: &Server, skip: &[usize]) -> Option<usize> {
        if target.action != Action::Serves || !target.requires_client_certificate() {
            return None;
        }
        let mut best: Option<(usize, usize)> = None;
        for (cas, members) in &self.groups {
            if best.is_some_and(|(place, _)| members[0].0 >= place) {
                break;
            }
            let named = |p: &&Path| target.ca.iter().any(|t| t.resolved == *p);
            if cas.iter().all(named) {
                continue;
            }
            if let Some(&(place, h)) = members.iter().find(|(_, h)| !skip.contains(h)) {
                if best.is_none_or(|(b, _)| place < b) {
                    best = Some((place, h));
                }
            }
        }
        best.map(|(_, h)| h)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use aop_source::{FileId, Span};

    use super::{handshake_admits, Handshakes};
    use crate::{
        CaRef, CaRefKind, ClientVerify, Config, ConfigSyntax, Server, ServerKind, Setting,
    };

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
                inline: None,
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

    /// The index answers what trying every server in order answers, whatever the mix of
    /// CA sets, verification modes and servers left out.
    #[test]
    fn the_index_finds_the_first_server_that_admits() {
        let modes = [
            ClientVerify::On,
            ClientVerify::Off,
            ClientVerify::Optional,
            ClientVerify::On,
        ];
        let sets: [&[&str]; 6] = [
            &["cf.pem"],
            &["own.pem"],
            &["own.pem", "cf.pem"],
            &[],
            &["cf.pem", "cf.pem"],
            &["other.pem"],
        ];
        let servers: Vec<Server> = (0..48)
            .map(|i| server(modes[(i * 7) % 4], sets[(i * 5 + i / 6) % 6]))
            .collect();
        let config = Config {
            kind: ServerKind::Nginx,
            syntax: ConfigSyntax::Directives,
            entry: FileId(0),
            servers,
            address_ports: Vec::new(),
            findings: Vec::new(),
        };
        let order: Vec<usize> = (0..48).rev().collect();
        let index = Handshakes::new(&config, &order, |_| true);
        let mut found = 0;
        for &t in &order {
            for skip in [vec![t], vec![t, order[0]], vec![t, order[1], order[2]]] {
                let target = &config.servers[t];
                let expected = order
                    .iter()
                    .copied()
                    .find(|&h| !skip.contains(&h) && handshake_admits(&config.servers[h], target));
                assert_eq!(
                    index.first_admitting(target, &skip),
                    expected,
                    "{t} {skip:?}"
                );
                found += usize::from(expected.is_some());
            }
        }
        assert!(found > 0 && found < 48 * 3, "{found}");
    }
}
