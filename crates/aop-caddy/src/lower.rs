//! Sites to servers: one server per site block with a listener per address, one more for
//! the HTTP->HTTPS redirects automatic HTTPS adds, and Caddy's host matching as each named
//! site's guard against hostnames it does not name.

use std::collections::HashSet;

use aop_model::{
    codes, AddressPort, ClientVerify, Finding, Label, ListenAddr, Listener, LoadOptions, RealIp,
    Server, ServerKind,
};
use aop_source::{FileId, SourceMap, Span};

use crate::action::site_action;
use crate::address::{Address, Ports};
use crate::ast::{Caddyfile, Directive, Site};
use crate::client_auth::client_auth;

#[derive(Default)]
pub struct Lowered {
    pub servers: Vec<Server>,
    pub address_ports: Vec<AddressPort>,
}

/// What the global options block decides for every site.
pub(crate) struct Global {
    pub ports: Ports,
    pub redirects: bool,
    /// `servers { strict_sni_host insecure_off }`.
    pub strict_sni_off: Option<Span>,
    pub default_bind: Vec<(ListenAddr, Span)>,
    /// `servers { trusted_proxies static ...; client_ip_headers ... }`.
    pub real_ip: Option<RealIp>,
}

/// Global options with nothing to say about who reaches which site.
const QUIET_GLOBALS: &[&str] = &[
    "debug",
    "admin",
    "storage",
    "log",
    "order",
    "email",
    "acme_dns",
    "acme_ca",
    "acme_ca_root",
    "acme_eab",
    "local_certs",
    "skip_install_trust",
    "grace_period",
    "shutdown_delay",
    "persist_config",
    "ocsp_stapling",
    "ocsp_interval",
    "key_type",
    "cert_issuer",
    "on_demand_tls",
    "pki",
    "events",
    "metrics",
    "renew_interval",
    "preferred_chains",
    "filesystem",
    "storage_clean_interval",
    "storage_check",
    "default_sni",
    "fallback_sni",
    "cert_lifetime",
    "dns",
    "ech",
    "auto_https",
    "http_port",
    "https_port",
    "servers",
    "default_bind",
    "admin_api",
    "persist",
];

fn global(directives: &[Directive], findings: &mut Vec<Finding>) -> Global {
    let mut g = Global {
        ports: Ports {
            http: 80,
            https: 443,
        },
        redirects: true,
        strict_sni_off: None,
        default_bind: Vec::new(),
        real_ip: None,
    };
    for d in directives {
        let name = d.name.text.as_str();
        match name {
            "auto_https" => {
                if matches!(d.arg(0), Some("off" | "disable_redirects")) {
                    g.redirects = false;
                }
            }
            "http_port" | "https_port" => match d.arg(0).and_then(|p| p.parse().ok()) {
                Some(p) if name == "http_port" => g.ports.http = p,
                Some(p) => g.ports.https = p,
                None => findings.push(not_checked(d, "a port that is not a number")),
            },
            "servers" => {
                for s in d.children() {
                    if s.is("strict_sni_host") && s.arg(0) == Some("insecure_off") {
                        g.strict_sni_off = Some(s.span());
                    }
                }
                g.real_ip = real_ip(d.children(), findings);
            }
            "default_bind" => g.default_bind = binds(d),
            _ if QUIET_GLOBALS.contains(&name) => {}
            _ => findings.push(not_checked(d, "a global option aop-lint does not read")),
        }
    }
    g
}

/// Whom Caddy believes when it takes the client's address from a header: `private_ranges`
/// is loopback and the private ranges, so it adds nothing to report.
fn real_ip(servers: &[Directive], findings: &mut Vec<Finding>) -> Option<RealIp> {
    let proxies = servers.iter().find(|d| d.is("trusted_proxies"))?;
    if proxies.arg(0) != Some("static") {
        findings.push(not_checked(
            proxies,
            "a trusted_proxies source other than `static`",
        ));
        return None;
    }
    let header = servers
        .iter()
        .find(|d| d.is("client_ip_headers"))
        .and_then(|d| d.args.first())
        .map(|t| (t.text.clone(), t.span));
    let trusted = proxies.args[1..]
        .iter()
        .filter(|t| t.text != "private_ranges")
        .map(|t| (t.text.clone(), t.span))
        .collect();
    Some(RealIp {
        header,
        trusted,
        inherited: false,
    })
}

fn not_checked(d: &Directive, what: &str) -> Finding {
    Finding::new(
        codes::NOT_CHECKED,
        format!("`{}`: {what}, not checked", d.name.text),
        Label::new(d.span(), "not checked"),
    )
}

fn binds(d: &Directive) -> Vec<(ListenAddr, Span)> {
    d.args
        .iter()
        .map(|a| (listen_addr(a.text.trim_start_matches("tcp/")), a.span))
        .collect()
}

/// A host to bind to (`bind`, the host of a JSON `listen` address), `unix/PATH` a socket.
pub(crate) fn listen_addr(text: &str) -> ListenAddr {
    match text
        .trim_matches(|c| c == '[' || c == ']')
        .parse::<std::net::IpAddr>()
    {
        Ok(std::net::IpAddr::V4(ip)) if ip.is_unspecified() => ListenAddr::AnyV4,
        Ok(std::net::IpAddr::V6(ip)) if ip.is_unspecified() => ListenAddr::AnyV6,
        Ok(std::net::IpAddr::V4(ip)) => ListenAddr::V4(ip),
        Ok(std::net::IpAddr::V6(ip)) => ListenAddr::V6(ip),
        Err(_) if text.starts_with("unix/") => ListenAddr::Unix(text[5..].to_string()),
        Err(_) => ListenAddr::Name(text.to_string()),
    }
}

pub fn lower(
    caddyfile: &Caddyfile,
    _entry: FileId,
    map: &SourceMap,
    opts: &LoadOptions,
    findings: &mut Vec<Finding>,
) -> Lowered {
    let g = global(&caddyfile.global, findings);
    let mut servers = Vec::new();
    let mut redirected: Vec<(String, Span)> = Vec::new();
    for site in &caddyfile.sites {
        let (site_servers, https_hosts) = lower_site(site, &g, map, opts, findings);
        servers.extend(site_servers);
        redirected.extend(https_hosts);
    }
    if g.redirects {
        add_redirects(&mut servers, redirected, &g);
    }
    let address_ports = address_ports(&servers);
    Lowered {
        servers,
        address_ports,
    }
}

/// A site's addresses of one kind (plain HTTP or TLS): Caddy serves the two on separate
/// servers, so they are separate servers in the model too.
#[derive(Default)]
struct Part {
    names: Vec<(String, Span)>,
    listeners: Vec<Listener>,
    tokens: Vec<Span>,
    catch_all: bool,
}

/// The servers for a site (one for its plain-HTTP addresses, one for its TLS addresses), and
/// the hostnames automatic HTTPS redirects to it.
fn lower_site(
    site: &Site,
    g: &Global,
    map: &SourceMap,
    opts: &LoadOptions,
    findings: &mut Vec<Finding>,
) -> (Vec<Server>, Vec<(String, Span)>) {
    let has_tls = site.body.iter().any(|d| d.is("tls"));
    let bind = site
        .body
        .iter()
        .find(|d| d.is("bind"))
        .map(binds)
        .unwrap_or_else(|| g.default_bind.clone());
    let mut parts = [Part::default(), Part::default()];
    let mut https_hosts = Vec::new();
    for token in &site.addresses {
        if token.text.contains("{$") {
            // The environment finding already said this address is unknown.
            continue;
        }
        let address = match Address::parse(&token.text) {
            Ok(a) => a,
            Err(why) => {
                findings.push(
                    Finding::new(
                        codes::PARSE_ERROR,
                        format!("Caddy refuses to start: {why}"),
                        Label::new(token.span, "site address"),
                    )
                    .with_help("write the address as [scheme://]host[:port], e.g. `https://shop.example.com:443`"),
                );
                continue;
            }
        };
        let tls = address.tls(g.ports) || (has_tls && address.scheme.as_deref() != Some("http"));
        let port = address.port(g.ports);
        let part = &mut parts[tls as usize];
        part.tokens.push(token.span);
        if address.catch_all() {
            part.catch_all = true;
        } else {
            part.names.push((address.host.clone(), token.span));
            if tls && port != g.ports.http {
                https_hosts.push((address.host.clone(), token.span));
            }
        }
        let addrs = if bind.is_empty() {
            vec![ListenAddr::AnyV4]
        } else {
            bind.iter().map(|(a, _)| a.clone()).collect()
        };
        for addr in addrs {
            let listener = Listener {
                addr,
                port: Some(port),
                tls,
                default_server: false,
                span: token.span,
            };
            if !part.listeners.contains(&listener) {
                part.listeners.push(listener);
            }
        }
    }
    if parts.iter().all(|p| p.listeners.is_empty()) {
        return (Vec::new(), https_hosts);
    }
    if let (Some(plain), Some(tls)) = (parts[0].tokens.first(), connection_policy(&site.body)) {
        findings.push(
            Finding::new(
                codes::PARSE_ERROR,
                "Caddy refuses to start: a plain-HTTP address of this site is HTTP, but the site attempts to configure TLS connection policies",
                Label::new(tls, "configures the TLS handshake (certificates, client_auth, protocols)"),
            )
            .with_label(Label::new(*plain, "plain-HTTP address"))
            .with_help("give the http:// address a site block of its own, without the tls directive"),
        );
    }
    let auth = client_auth(&site.body, map, opts, findings);
    let (action, action_span) = site_action(&site.body, findings);
    let mut servers = Vec::new();
    for (tls, part) in parts.into_iter().enumerate() {
        let (Some(first), Some(last)) = (part.tokens.first(), part.tokens.last()) else {
            continue;
        };
        let mut server = Server::new(ServerKind::Caddy, first.to(*last));
        server.names = part.names;
        server.listeners = part.listeners;
        if !part.catch_all {
            server.host_guard = Some(server.span);
        }
        if tls == 1 {
            server.client_verify = auth.verify;
            server.ca = auth.ca.clone();
            if server.client_verify.value != ClientVerify::Off {
                server.verify_bypass = g.strict_sni_off;
            }
        }
        server.real_ip = g.real_ip.clone();
        server.action = action;
        server.action_span = action_span;
        servers.push(server);
    }
    (servers, https_hosts)
}

/// A `tls` directive that shapes the handshake itself (certificate files, client
/// authentication, protocols, ciphers), which Caddy cannot apply to a plain-HTTP address
/// (measured with `caddy validate` 2.11.7: "server listening on [:8080] is HTTP, but attempts
/// to configure TLS connection policies"). Issuers and `internal` only obtain certificates.
fn connection_policy(body: &[Directive]) -> Option<Span> {
    const HANDSHAKE: &[&str] = &["client_auth", "protocols", "ciphers", "curves", "alpn"];
    body.iter()
        .filter(|d| d.is("tls"))
        .find(|d| {
            d.args.len() == 2
                || d.children()
                    .iter()
                    .any(|c| HANDSHAKE.contains(&c.name.text.as_str()))
        })
        .map(Directive::span)
}

/// The server automatic HTTPS adds on the HTTP port, for the `redirected` names that have no
/// plain-HTTP server of their own (whose own answer comes first).
pub(crate) fn add_redirects(
    servers: &mut Vec<Server>,
    mut redirected: Vec<(String, Span)>,
    g: &Global,
) {
    let plain_hosts: HashSet<&str> = servers
        .iter()
        .filter(|s| {
            s.listeners
                .iter()
                .any(|l| !l.tls && l.port == Some(g.ports.http))
        })
        .flat_map(|s| s.names.iter().map(|(n, _)| n.as_str()))
        .collect();
    redirected.retain(|(h, _)| !plain_hosts.contains(h.as_str()));
    if !redirected.is_empty() {
        servers.push(redirect_server(&redirected, g));
    }
}

/// What automatic HTTPS adds on the HTTP port: a redirect to HTTPS for every site name.
fn redirect_server(hosts: &[(String, Span)], g: &Global) -> Server {
    let span = hosts[0].1;
    let mut server = Server::new(ServerKind::Caddy, span);
    server.names = hosts.to_vec();
    let addrs = if g.default_bind.is_empty() {
        vec![ListenAddr::AnyV4]
    } else {
        g.default_bind.iter().map(|(a, _)| a.clone()).collect()
    };
    for addr in addrs {
        server.listeners.push(Listener {
            addr,
            port: Some(g.ports.http),
            tls: false,
            default_server: false,
            span,
        });
    }
    server.action = aop_model::Action::Redirects;
    server.action_span = Some(span);
    server
}

/// Listeners grouped by address:port. The site that answers unknown hostnames is a
/// catch-all site (`:443`, `https://`) when there is one; otherwise every site matches its
/// own names only, and the first one listed stands for the port.
pub(crate) fn address_ports(servers: &[Server]) -> Vec<AddressPort> {
    let mut out: Vec<AddressPort> = Vec::new();
    for (i, s) in servers.iter().enumerate() {
        for l in &s.listeners {
            match out
                .iter_mut()
                .find(|ap| ap.addr == l.addr && ap.port == l.port && ap.tls == l.tls)
            {
                Some(ap) => {
                    // Servers come in order, so a server already listed is the last one:
                    // no search through the port's (possibly 100,000) servers.
                    if ap.servers.last() != Some(&i) {
                        ap.servers.push(i);
                    }
                    let current_guarded = servers[ap.default].host_guard.is_some();
                    if current_guarded && s.host_guard.is_none() {
                        ap.default = i;
                        ap.default_span = l.span;
                    }
                }
                None => out.push(AddressPort::first_listed(l, i)),
            }
        }
    }
    out
}
