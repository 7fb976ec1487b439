use std::path::PathBuf;

use aop_source::{FileId, Span};

use crate::{AddressPort, DirectiveName, Directives, Finding, Listener, ServerRef, Written};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerKind {
    Nginx,
    Apache,
    Caddy,
}

impl ServerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ServerKind::Nginx => "nginx",
            ServerKind::Apache => "apache",
            ServerKind::Caddy => "caddy",
        }
    }
}

/// Client-certificate verification, in nginx's words (Apache: `none`, `require`, `optional`,
/// `optional_no_ca`; Caddy: `require_and_verify`, `verify_if_given`, `request`, and
/// `require`, which is [`ClientVerify::AnyCertificate`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientVerify {
    Off,
    On,
    Optional,
    OptionalNoCa,
    /// A certificate is required but never verified: any certificate from any issuer, even
    /// one made up on the spot, is accepted (Caddy's `client_auth { mode require }`).
    AnyCertificate,
}

impl ClientVerify {
    /// Whether a client's chain is checked against the configured CA: `on` and `optional`.
    /// `optional_no_ca` and Caddy's `require` accept a chain from any issuer.
    pub fn checks_chain(self) -> bool {
        matches!(self, ClientVerify::On | ClientVerify::Optional)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ClientVerify::Off => "off",
            ClientVerify::On => "on",
            ClientVerify::Optional => "optional",
            ClientVerify::OptionalNoCa => "optional_no_ca",
            ClientVerify::AnyCertificate => "any_certificate",
        }
    }

    /// The value as the server's own configuration writes it.
    pub fn written(self, kind: ServerKind) -> &'static str {
        match (kind, self) {
            (ServerKind::Caddy, ClientVerify::Off) => "no client_auth",
            (ServerKind::Caddy, ClientVerify::On) => "mode require_and_verify",
            (ServerKind::Caddy, ClientVerify::Optional) => "mode verify_if_given",
            (ServerKind::Caddy, ClientVerify::OptionalNoCa) => "mode request",
            (ServerKind::Caddy, ClientVerify::AnyCertificate) => "mode require",
            (_, v) => v.as_str(),
        }
    }
}

/// Where an effective value came from: the server's default, a directive in the server
/// itself, or a directive inherited from an enclosing context (shown as a second label).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Default,
    Own(Span),
    Inherited(Span),
}

impl Origin {
    pub fn span(self) -> Option<Span> {
        match self {
            Origin::Default => None,
            Origin::Own(s) | Origin::Inherited(s) => Some(s),
        }
    }
}

/// An effective value and the directive that decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    pub fn default_value(value: T) -> Self {
        Setting {
            value,
            origin: Origin::Default,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaRefKind {
    /// nginx `ssl_client_certificate`: verifies and is sent to clients as acceptable CAs.
    NginxClientCertificate,
    /// nginx `ssl_trusted_certificate`: verifies without being advertised.
    NginxTrustedCertificate,
    /// Apache `SSLCACertificateFile`.
    ApacheFile,
    /// Apache `SSLCACertificatePath`: a directory of hashed links.
    ApachePath,
    /// Caddy `client_auth { trust_pool file ... }`.
    CaddyTrustPoolFile,
    /// Caddy's deprecated `client_auth { trusted_ca_cert_file ... }`.
    CaddyTrustedCaCertFile,
    /// Caddy JSON's certificates written into the config (`"ca": {"provider": "inline",
    /// "trusted_ca_certs": [...]}`, base64 DER): what `caddy adapt` makes of a
    /// `trusted_ca_cert_file`.
    CaddyInlineCerts,
}

impl CaRefKind {
    pub fn directive(self) -> &'static str {
        match self {
            CaRefKind::NginxClientCertificate => "ssl_client_certificate",
            CaRefKind::NginxTrustedCertificate => "ssl_trusted_certificate",
            CaRefKind::ApacheFile => "SSLCACertificateFile",
            CaRefKind::ApachePath => "SSLCACertificatePath",
            CaRefKind::CaddyTrustPoolFile => "trust_pool file",
            CaRefKind::CaddyTrustedCaCertFile => "trusted_ca_cert_file",
            CaRefKind::CaddyInlineCerts => "trusted_ca_certs",
        }
    }
}

/// A CA file or directory a server verifies clients against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaRef {
    pub kind: CaRefKind,
    /// As written in the configuration.
    pub path: String,
    /// Resolved as the server resolves it (nginx: conf prefix; Apache: `ServerRoot`).
    pub resolved: PathBuf,
    /// The directive naming it.
    pub span: Span,
    pub inherited: bool,
    /// The certificates themselves, as PEM, when the configuration holds them rather than
    /// naming a file (`CaddyInlineCerts`): read instead of `resolved`.
    pub inline: Option<String>,
}

/// What a server (or location) does with a request that reaches it. What counts as content
/// is defined in docs/semantics.md ("What serves content").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Hands out content: proxies, serves files, runs an application, answers with a text.
    Serves,
    /// Only redirects (any 3xx, to https or elsewhere).
    Redirects,
    /// Refuses or hands out nothing: closes the connection, an error status, a `204` or
    /// another `2xx` without a body, or no TLS handshake at all.
    Rejects,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Serves => "serves",
            Action::Redirects => "redirects",
            Action::Rejects => "rejects",
        }
    }
}

/// A `location` (nginx) or `<Location>`/`<Directory>` (Apache) and what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub span: Span,
    pub path: String,
    pub action: Action,
}

/// Client verification set inside a `<Directory>`/`<Location>` (Apache): it needs a
/// renegotiation (TLS 1.2) or post-handshake authentication (TLS 1.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PerDirectoryVerify {
    pub section: Span,
    pub directive: Span,
    pub value: ClientVerify,
    /// The section applies to every request the server answers (`<Location />`), and no
    /// section merged after it sets another value: no path escapes this value.
    pub covers_site: bool,
}

/// A section merged after a server's `Require` check of the client certificate whose own
/// authorization replaces the check for its paths (Apache: `<Location /public/>` with
/// `Require all granted`, under the default `AuthMerging Off`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regrant {
    /// The section's opener.
    pub section: Span,
    /// The directive that lets requests through (a `Require`, or `AuthMerging Off`).
    pub grant: Span,
}

/// Client-address rewriting: the header read, and the sources trusted to set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RealIp {
    /// `real_ip_header` / `RemoteIPHeader`, with its span; `None` for nginx's default
    /// (`X-Real-IP`).
    pub header: Option<(String, Span)>,
    /// Each trusted source (`set_real_ip_from 0.0.0.0/0`; Apache's partial and netmask
    /// forms as CIDR, `10` as `10.0.0.0/8`) and its span. Empty only for Apache's
    /// `RemoteIPHeader` without any trusted proxy, where mod_remoteip believes every peer.
    pub trusted: Vec<(String, Span)>,
    pub inherited: bool,
}

/// One virtual server: an nginx `server {}` or an Apache `<VirtualHost>` (or the main server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub kind: ServerKind,
    /// The opener: `server {` or `<VirtualHost *:443>`.
    pub span: Span,
    pub names: Vec<(String, Span)>,
    pub listeners: Vec<Listener>,
    /// nginx's old `ssl on`, or Apache's `SSLEngine`: makes every listener TLS.
    pub tls_switch: Option<Setting<bool>>,
    pub client_verify: Setting<ClientVerify>,
    pub ca: Vec<CaRef>,
    pub action: Action,
    /// The directive that decided `action` (a `proxy_pass`, a `return 444`...), when one did.
    pub action_span: Option<Span>,
    /// What it serves is only the ACME challenge directory (`/.well-known/acme-challenge/`);
    /// every other request is redirected or refused. Those files are for the certificate
    /// authority, not the site's content.
    pub acme_only: bool,
    pub locations: Vec<Location>,
    /// A server-level refusal of clients whose certificate did not verify
    /// (`if ($ssl_client_verify != SUCCESS) { return 403; }`, `Require expr ...`).
    pub verify_enforced: Option<Span>,
    /// nginx `ssl_reject_handshake on`: no handshake of its own. Requests still reach it by
    /// `Host` over another server's handshake (see `answers_by_host`).
    pub reject_handshake: Option<Span>,
    /// A server that refuses handshakes but still has content of its own (a `root`, a
    /// `proxy_pass`, a `return` with a text): the directive that serves it to requests routed
    /// here by `Host` after a handshake with another server of the address:port. `None` when
    /// it serves nothing, or only nginx's compiled-in root (docs/semantics.md).
    pub answers_by_host: Option<Span>,
    pub per_directory_verify: Vec<PerDirectoryVerify>,
    /// The line that produced this server when it was expanded from a template (Apache's
    /// mod_macro `Use`): its own spans point into the template.
    pub expanded_from: Option<Span>,
    /// Where the server takes the client's address from a request header (nginx realip,
    /// Apache mod_remoteip), and whom it believes.
    pub real_ip: Option<RealIp>,
    /// A server-level check that refuses requests for hostnames other than the server's own
    /// (`if ($host != shop.example.com) { return 444; }`): a default server with one serves
    /// no unknown name.
    pub host_guard: Option<Span>,
    /// A `server_name` (a regular expression) that matches hostnames nobody configured, so
    /// this server answers them before the default server does.
    pub catch_all_name: Option<Span>,
    /// A directive that turns a missing or failed client certificate into content anyway
    /// (nginx `error_page 495 496 ...` to a page of the site).
    pub verify_bypass: Option<Span>,
    /// A page of the site sent as the body of the 403 that refuses unverified clients
    /// (Apache `ErrorDocument 403 /page`): the refusal itself hands out content.
    pub refusal_page: Option<Span>,
    /// Sections that replace the server's `Require` check for some paths.
    pub regrants: Vec<Regrant>,
    /// nginx `ssl_session_tickets` (on unless turned off): resumes TLS sessions from tickets.
    pub session_tickets: Setting<bool>,
    /// nginx `ssl_session_cache builtin` or `shared:...`: a cache that resumes sessions by
    /// id. `None` for nginx's default (`none`) and for `off`.
    pub session_cache: Option<Span>,
    /// Every directive at the server's level and at the level it inherits from, as written:
    /// what a rule reads through [`Server::directive`] when no field above holds its answer.
    pub directives: Directives,
}

impl Server {
    pub fn new(kind: ServerKind, span: Span) -> Self {
        Server {
            kind,
            span,
            names: Vec::new(),
            listeners: Vec::new(),
            tls_switch: None,
            client_verify: Setting::default_value(ClientVerify::Off),
            ca: Vec::new(),
            action: Action::Serves,
            action_span: None,
            acme_only: false,
            locations: Vec::new(),
            verify_enforced: None,
            reject_handshake: None,
            answers_by_host: None,
            per_directory_verify: Vec::new(),
            expanded_from: None,
            real_ip: None,
            host_guard: None,
            catch_all_name: None,
            verify_bypass: None,
            refusal_page: None,
            regrants: Vec::new(),
            session_tickets: Setting::default_value(true),
            session_cache: None,
            directives: Directives::default(),
        }
    }

    /// Whether a TLS session made here can be resumed (tickets, or a session cache).
    pub fn resumes_sessions(&self) -> bool {
        self.session_tickets.value || self.session_cache.is_some()
    }

    /// The occurrence of a directive in force in this server ([`Directives::effective`]).
    pub fn directive(&self, name: DirectiveName) -> Option<Setting<&Written>> {
        self.directives.effective(self.kind, name)
    }

    /// Client verification in a section that covers every request path (Apache
    /// `<Location />`) and refuses clients without a valid certificate: `require`, or
    /// `optional` beside a `Require` check. Each request asks for the certificate after the
    /// handshake.
    pub fn site_verified_per_directory(&self) -> Option<&PerDirectoryVerify> {
        self.per_directory_verify.iter().find(|p| {
            p.covers_site
                && (p.value == ClientVerify::On
                    || (p.value != ClientVerify::Off && self.verify_enforced.is_some()))
        })
    }

    /// Whether this server refuses TLS clients without a valid certificate: verification
    /// `on` (`require`), `optional` with a check that refuses unverified clients, or the same
    /// for the whole site from a section (Apache `<Location />`).
    pub fn requires_client_certificate(&self) -> bool {
        let whole_server = match self.client_verify.value {
            ClientVerify::On => true,
            ClientVerify::Optional | ClientVerify::OptionalNoCa => self.verify_enforced.is_some(),
            ClientVerify::Off | ClientVerify::AnyCertificate => false,
        };
        whole_server || self.site_verified_per_directory().is_some()
    }

    /// Whether this server checks client chains against a CA, for the whole server or in a
    /// section (Apache `<Location>`, `<Directory>`).
    pub fn checks_client_chains(&self) -> bool {
        self.client_verify.value.checks_chain()
            || self
                .per_directory_verify
                .iter()
                .any(|p| p.value.checks_chain())
    }

    /// Whether a TLS client gets content from this server: it completes handshakes (no
    /// `ssl_reject_handshake on`) and serves.
    pub fn serves_content_over_tls(&self) -> bool {
        self.action == Action::Serves && self.reject_handshake.is_none()
    }

    /// Whether this server's handshakes ask the client for a certificate: it completes
    /// handshakes and verification is not off.
    pub fn handshake_asks_for_certificate(&self) -> bool {
        self.reject_handshake.is_none() && self.client_verify.value != ClientVerify::Off
    }

    /// Whether any listener of this server speaks TLS.
    pub fn tls(&self) -> bool {
        self.listeners.iter().any(|l| l.tls)
    }

    /// The first TLS listener a client elsewhere can connect to: what the rules about
    /// client verification judge, since a loopback or unix-socket listener is out of reach
    /// of Cloudflare and of everyone else.
    pub fn tls_from_outside(&self) -> Option<&Listener> {
        self.listeners
            .iter()
            .find(|l| l.tls && l.reachable_from_outside())
    }

    /// The first TLS listener reachable from outside, for a server that makes handshakes and
    /// serves content: the servers whose client verification every rule about it judges.
    pub fn serves_tls_from_outside(&self) -> Option<&Listener> {
        self.tls_from_outside()
            .filter(|_| self.serves_content_over_tls())
    }

    pub fn reference(&self) -> ServerRef {
        ServerRef {
            kind: self.kind,
            names: self.names.iter().map(|(n, _)| n.clone()).collect(),
            listen: self.listeners.iter().map(Listener::describe).collect(),
        }
    }

    /// The first name, or a placeholder that still tells the reader which server it is.
    pub fn display_name(&self) -> String {
        match self.names.first() {
            Some((n, _)) if !n.is_empty() => n.clone(),
            _ => match self.kind {
                ServerKind::Nginx => "(no server_name)".to_string(),
                ServerKind::Apache => "(no ServerName)".to_string(),
                ServerKind::Caddy => "(any host)".to_string(),
            },
        }
    }
}

/// A whole configuration tree after the server's semantics have been applied.
#[derive(Debug)]
pub struct Config {
    pub kind: ServerKind,
    /// How the configuration is written; Caddy takes a Caddyfile or its JSON.
    pub syntax: ConfigSyntax,
    pub entry: FileId,
    pub servers: Vec<Server>,
    pub address_ports: Vec<AddressPort>,
    /// What reading and lowering found (AOP001, AOP002 and friends).
    pub findings: Vec<Finding>,
}

/// The form of a configuration, so that a fix is shown in the form the user wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConfigSyntax {
    /// nginx's and Apache's files, and the Caddyfile.
    #[default]
    Directives,
    /// Caddy's native JSON.
    Json,
}

impl Config {
    /// The TLS address:ports a client elsewhere can connect to: what the rules about
    /// handshakes and default servers judge.
    pub fn tls_address_ports_from_outside(&self) -> impl Iterator<Item = &AddressPort> {
        self.address_ports
            .iter()
            .filter(|ap| ap.tls && ap.reachable_from_outside())
    }
}

#[cfg(test)]
mod tests {
    use aop_source::{FileId, Span};

    use super::{Action, ClientVerify, PerDirectoryVerify, Server, ServerKind, Setting};

    fn server(verify: ClientVerify) -> Server {
        let mut s = Server::new(ServerKind::Nginx, Span::new(FileId(0), 0, 1));
        s.client_verify = Setting::default_value(verify);
        s
    }

    /// A server verifying clients only in a section (`<Location>`), over the whole site or not.
    fn verified_in_section(value: ClientVerify, covers_site: bool) -> Server {
        let span = Span::new(FileId(0), 0, 1);
        let mut s = server(ClientVerify::Off);
        s.per_directory_verify.push(PerDirectoryVerify {
            section: span,
            directive: span,
            value,
            covers_site,
        });
        s
    }

    #[test]
    fn a_client_certificate_is_required_only_where_unverified_clients_are_refused() {
        let span = Span::new(FileId(0), 0, 1);
        assert!(server(ClientVerify::On).requires_client_certificate());
        assert!(!server(ClientVerify::Off).requires_client_certificate());
        let mut optional = server(ClientVerify::Optional);
        assert!(!optional.requires_client_certificate());
        optional.verify_enforced = Some(span);
        assert!(optional.requires_client_certificate());
        assert!(verified_in_section(ClientVerify::On, true).requires_client_certificate());
    }

    #[test]
    fn only_on_and_optional_check_the_chain_against_the_ca() {
        use ClientVerify::*;
        for (value, checks) in [
            (On, true),
            (Optional, true),
            (OptionalNoCa, false),
            (AnyCertificate, false),
            (Off, false),
        ] {
            assert_eq!(server(value).checks_client_chains(), checks, "{value:?}");
        }
        assert!(verified_in_section(ClientVerify::Optional, false).checks_client_chains());
    }

    #[test]
    fn a_refused_handshake_serves_nothing_and_asks_for_nothing() {
        let span = Span::new(FileId(0), 0, 1);
        let mut s = server(ClientVerify::OptionalNoCa);
        s.action = Action::Serves;
        assert!(s.serves_content_over_tls());
        assert!(s.handshake_asks_for_certificate());
        assert!(!server(ClientVerify::Off).handshake_asks_for_certificate());
        s.reject_handshake = Some(span);
        assert!(!s.serves_content_over_tls());
        assert!(!s.handshake_asks_for_certificate());
        s.reject_handshake = None;
        s.action = Action::Redirects;
        assert!(!s.serves_content_over_tls());
    }
}
