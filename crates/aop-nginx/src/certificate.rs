//! nginx refuses to start when a TLS socket has no certificate to offer: the checks of
//! `ngx_http_ssl_merge_srv_conf` (`ssl on`) and `ngx_http_ssl_init` (`listen ... ssl`), in
//! nginx's own words.

use std::collections::HashSet;

use aop_model::{codes, AddressPort, Finding, Label, ListenAddr, Server};
use aop_source::{SourceMap, Span};

/// What the model's servers do not keep: how each listener was flagged, and whether a
/// certificate is in force.
pub struct TlsFacts {
    /// Each address:port a `listen` of this server marks `ssl` (or `quic`), with the flag.
    pub flagged: Vec<(ListenAddr, Option<u16>, &'static str)>,
    /// `ssl_certificate` in the server or inherited from `http {}`.
    pub certificate: bool,
    /// `ssl on` in force: the directive, own or inherited.
    pub ssl_on: Option<Span>,
}

fn at(map: &SourceMap, span: Span) -> String {
    let line = map.location(span).line;
    format!("{}:{line}", map.file(span.file).path.display())
}

const HELP: &str = "give this server a certificate (here or in `http {}`):\n    ssl_certificate     /etc/ssl/certs/site.pem;\n    ssl_certificate_key /etc/ssl/private/site.key;\nor, for a catch-all that only refuses unknown hostnames:\n    ssl_reject_handshake on;";

/// `ssl on` without a certificate; then, for each address:port a `listen ... ssl` marks,
/// its default server without a certificate (unless it refuses handshakes, when every other
/// server there needs one or must refuse too). A server is reported once.
pub fn missing_certificates(
    servers: &[Server],
    facts: &[TlsFacts],
    address_ports: &[AddressPort],
    map: &SourceMap,
    findings: &mut Vec<Finding>,
) {
    let lacks = |i: usize| !facts[i].certificate && servers[i].reject_handshake.is_none();
    let mut reported = HashSet::new();
    for (i, s) in servers.iter().enumerate() {
        let Some(ssl) = facts[i].ssl_on.filter(|_| lacks(i)) else {
            continue;
        };
        reported.insert(i);
        findings.push(
            Finding::new(
                codes::PARSE_ERROR,
                format!(
                    "no \"ssl_certificate\" is defined for the \"ssl\" directive in {}",
                    at(map, ssl)
                ),
                Label::new(
                    ssl,
                    "TLS for this server, without a certificate: nginx refuses to start",
                ),
            )
            .with_label(Label::new(
                s.span,
                "no `ssl_certificate` here or in `http {}`",
            ))
            .with_help(HELP)
            .for_server(s.reference()),
        );
    }
    for ap in address_ports {
        let flag = ap.servers.iter().find_map(|&i| {
            facts[i]
                .flagged
                .iter()
                .find(|(addr, port, _)| *addr == ap.addr && *port == ap.port)
                .map(|f| f.2)
        });
        let Some(flag) = flag else { continue };
        let missing: Vec<usize> = if facts[ap.default].certificate {
            Vec::new()
        } else if servers[ap.default].reject_handshake.is_none() {
            vec![ap.default]
        } else {
            ap.servers.iter().copied().filter(|&i| lacks(i)).collect()
        };
        for i in missing {
            if !reported.insert(i) {
                continue;
            }
            let s = &servers[i];
            let mut f = Finding::new(
                codes::PARSE_ERROR,
                format!(
                    "no \"ssl_certificate\" is defined for the \"listen ... {flag}\" directive in {}",
                    at(map, s.span)
                ),
                Label::new(
                    s.span,
                    "no `ssl_certificate` here or in `http {}`: nginx refuses to start",
                ),
            );
            if let Some(l) = s
                .listeners
                .iter()
                .find(|l| l.addr == ap.addr && l.port == ap.port)
            {
                f = f.with_label(Label::new(l.span, format!("TLS on {}", ap.address_port())));
            }
            findings.push(f.with_help(HELP).for_server(s.reference()));
        }
    }
}

#[cfg(test)]
mod tests {
    use aop_model::codes;

    fn aop001(tag: &str, main: &str) -> Vec<String> {
        crate::test_findings(tag, main)
            .into_iter()
            .filter(|f| f.code == codes::PARSE_ERROR.code)
            .map(|f| f.message.to_string())
            .collect()
    }

    #[test]
    fn a_certificate_may_be_inherited_or_the_default_servers() {
        let inherited = "http { ssl_certificate a.pem; server { listen 443 ssl; } }";
        assert!(aop001("cert-inherited", inherited).is_empty());
        let from_default = "http { server { listen 443 ssl; ssl_certificate a.pem; } server { listen 443 ssl; server_name b; } }";
        assert!(aop001("cert-default", from_default).is_empty());
    }

    #[test]
    fn behind_a_refusing_default_every_server_needs_one() {
        let found = aop001(
            "cert-reject",
            "http {\nserver { listen 443 ssl default_server; ssl_reject_handshake on; }\nserver { listen 443 ssl; server_name b; }\n}",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with(
            "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive in "
        ));
        assert!(found[0].ends_with("nginx.conf:3"), "{found:?}");
    }

    #[test]
    fn an_include_not_read_may_hold_the_certificate() {
        let found = aop001(
            "cert-include",
            "http { server { listen 443 ssl; include missing/cert.conf; } }",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
