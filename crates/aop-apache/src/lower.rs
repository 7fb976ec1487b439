//! From the tree to the model: one `Server` per `<VirtualHost>` with httpd's inheritance from
//! the main server, the address:port sets with their default vhost, and the main server
//! itself where a `Listen` reaches no vhost.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aop_model::{
    codes, Action, AddressPort, CaRef, CaRefKind, Config, DefaultWhy, Finding, Label, ListenAddr,
    Listener, LoadOptions, Location, Server, ServerKind, Setting, Written,
};
use aop_source::{FileId, Span};

use crate::action::{section_action, verify_enforcement, Answers};
use crate::address::{parse_listen, parse_vhost_addr};
use crate::ast::Directive;
use crate::certificates;
use crate::enforce::{per_directory, refusal_page, regrants};
use crate::errors::ConfError;
use crate::md::Managed;
use crate::paths::TreePaths;
use crate::reach;
use crate::remoteip::{believes_loopback_claims, real_ip, ProxyLists};
use crate::scope::{per_directory_name, verify_value, Scope};
use crate::{arity, global_only};

pub struct Listen {
    pub addr: ListenAddr,
    pub port: u16,
    pub https: bool,
    pub span: Span,
}

pub struct Lowering<'a> {
    pub opts: &'a LoadOptions,
    pub paths: &'a TreePaths,
    pub proxy_lists: &'a ProxyLists,
    pub findings: Vec<Finding>,
}

impl Lowering<'_> {
    pub fn lower(mut self, entry: FileId, tree: &[Directive]) -> Config {
        let main = Scope::collect(tree, &mut self.findings);
        let by_md = certificates::managed_names(tree);
        let managed = Managed::of(tree);
        // mod_ssl sets up the main server too, whether or not a connection reaches it.
        if let Some((_, engine)) = main.ssl_engine {
            let names: Vec<String> = main
                .server_name
                .iter()
                .map(|n| host_name(&n.value))
                .collect();
            let empty = Scope::default();
            certificates::check(&main, &empty, &names, &by_md, engine, &mut self.findings);
        }
        let listens = listens(tree);
        let main_written = written(&main.directives, self.opts, self.paths);
        let mut servers = Vec::new();
        let mut answers = Vec::new();
        for d in tree.iter().filter(|d| d.is("virtualhost")) {
            let (mut server, answer) = self.vhost(d, &main, &listens, &by_md, &managed);
            server.directives.inherited = Arc::clone(&main_written);
            servers.push(server);
            answers.push(answer);
        }
        self.htaccess(tree);
        self.nested_vhosts(tree);
        arity::check(tree, &mut self.findings);
        global_only::check(tree, &mut self.findings);
        global_only::sni_policy_values(tree, &mut self.findings);
        self.section_verify_values(tree);
        let mut address_ports = group(&servers);
        let complete = tree
            .iter()
            .filter(|d| d.is("listen"))
            .all(|d| d.arg(0).and_then(|a| parse_listen(a, d.arg(1))).is_some());
        reach::apply(
            &listens,
            complete,
            &mut servers,
            &mut address_ports,
            &mut self.findings,
        );
        // Names nobody configured reach a vhost only where it is the default.
        for (i, (server, answer)) in servers.iter_mut().zip(&answers).enumerate() {
            let default = address_ports.iter().any(|ap| ap.default == i);
            let ((action, span), guard) = answer.for_server(default);
            server.action = action;
            server.action_span = span;
            server.host_guard = guard;
        }
        self.main_server(&main, &listens, &mut servers, &mut address_ports);
        Config {
            kind: ServerKind::Apache,
            syntax: aop_model::ConfigSyntax::Directives,
            entry,
            servers,
            address_ports,
            findings: self.findings,
        }
    }

    fn vhost(
        &mut self,
        d: &Directive,
        main: &Scope,
        listens: &[Listen],
        by_md: &[String],
        managed: &Managed,
    ) -> (Server, Answers) {
        let own = Scope::collect(d.children(), &mut self.findings);
        let mut server = Server::new(ServerKind::Apache, d.span);
        server.expanded_from = d.via;
        let https_ports: HashSet<u16> =
            listens.iter().filter(|l| l.https).map(|l| l.port).collect();
        let engine = Setting::own_or_inherited(own.ssl_engine, main.ssl_engine);
        let has_cert = own.certificate.or(main.certificate).is_some();
        let addrs: Vec<(ListenAddr, Option<u16>, Span)> = d
            .args
            .iter()
            .map(|a| {
                let (addr, port) = parse_vhost_addr(&a.value);
                (addr, port, a.span)
            })
            .collect();
        let tls = match engine {
            Some(s) => s.value,
            None => {
                has_cert
                    && addrs
                        .iter()
                        .any(|(_, p, _)| p.is_some_and(|p| https_ports.contains(&p) || p == 443))
            }
        };
        server.tls_switch = engine;
        server.listeners = addrs
            .into_iter()
            .map(|(addr, port, span)| Listener {
                addr,
                port,
                tls,
                default_server: false,
                span,
            })
            .collect();
        if let Some(n) = own.server_name.or(main.server_name) {
            server.names.push((host_name(&n.value), n.span));
        }
        server.names.extend(
            own.aliases
                .iter()
                .map(|a| (a.value.to_ascii_lowercase(), a.span)),
        );
        if let Some(v) = Setting::own_or_inherited(own.verify, main.verify) {
            server.client_verify = v;
        }
        server.ca = self.ca_refs(&own, main);
        let names: Vec<String> = server.names.iter().map(|(n, _)| n.clone()).collect();
        certificates::check(&own, main, &names, by_md, d.span, &mut self.findings);
        let port = only_port(&server.listeners);
        let peers_real = !believes_loopback_claims(&own.directives, &main.directives);
        let mut answers = Answers::of(&own, main, &names, (tls, port), peers_real);
        // mod_md redirects before any other module looks at the request.
        if let Some(span) = managed.redirects_plain(&names).filter(|_| !tls) {
            answers.named = (Action::Redirects, Some(span));
        }
        server.verify_enforced = verify_enforcement(&own, main);
        server.refusal_page = refusal_page(&own, main);
        server.regrants = regrants(&own, main, server.verify_enforced, &mut self.findings);
        server.locations = own
            .sections
            .iter()
            .filter(|s| {
                matches!(
                    s.name.as_str(),
                    "location" | "locationmatch" | "directory" | "directorymatch"
                )
            })
            .map(|s| Location {
                span: s.span,
                path: s.arg(0).unwrap_or("").to_string(),
                action: section_action(s),
            })
            .collect();
        server.per_directory_verify = per_directory(&own, main);
        server.real_ip = real_ip(&own.directives, &main.directives, self.proxy_lists);
        server.directives.own = written(&own.directives, self.opts, self.paths);
        (server, answers)
    }

    fn ca_refs(&self, own: &Scope, main: &Scope) -> Vec<CaRef> {
        let mut out = Vec::new();
        let pairs = [
            (own.ca_file, main.ca_file, CaRefKind::ApacheFile),
            (own.ca_path, main.ca_path, CaRefKind::ApachePath),
        ];
        for (mine, inherited, kind) in pairs {
            let Some(Setting { value: d, origin }) = Setting::own_or_inherited(
                mine.map(|d| (d, d.span)),
                inherited.map(|d| (d, d.span)),
            ) else {
                continue;
            };
            let Some(path) = d.args.first() else { continue };
            out.push(CaRef {
                kind,
                path: path.value.clone(),
                // A link loop below the root leaves nothing to read: the CA checks report it
                // unreadable, as httpd would fail to open it.
                resolved: self
                    .paths
                    .resolve(&path.value, self.opts)
                    .unwrap_or_default(),
                span: d.span,
                inherited: origin.is_inherited(),
                inline: None,
            });
        }
        out
    }

    /// Server-level `SSLVerifyClient` values are checked while collecting each scope; these
    /// are the ones inside sections.
    fn section_verify_values(&mut self, tree: &[Directive]) {
        for d in tree.iter().filter(|d| d.section.is_some()) {
            if d.is("virtualhost") {
                for c in d.children().iter().filter(|c| c.section.is_some()) {
                    self.verify_values_in(c);
                }
            } else {
                self.verify_values_in(d);
            }
        }
    }

    fn verify_values_in(&mut self, section: &Directive) {
        for c in section.children() {
            if c.section.is_some() {
                self.verify_values_in(c);
            } else if c.is("sslverifyclient") {
                verify_value(c, &mut self.findings);
            }
        }
    }

    /// `.htaccess` files may set `SSLVerifyClient` wherever `AllowOverride` lets them.
    fn htaccess(&mut self, tree: &[Directive]) {
        let mut seen = HashSet::new();
        let mut stack: Vec<&Directive> = tree.iter().collect();
        while let Some(d) = stack.pop() {
            stack.extend(d.children().iter());
            if !matches!(d.name.as_str(), "directory" | "directorymatch") {
                continue;
            }
            let Some(allow) = d
                .children()
                .iter()
                .rev()
                .find(|c| c.is("allowoverride") || c.is("allowoverridelist"))
            else {
                continue;
            };
            let permits = allow.args.iter().any(|a| {
                let v = a.value.to_ascii_lowercase();
                v == "all"
                    || v == "authconfig"
                    || v.starts_with("authconfig")
                    || v == "sslverifyclient"
            });
            if permits && seen.insert(allow.span) {
                let dir = d.arg(0).unwrap_or("");
                self.findings.push(
                    Finding::new(
                        codes::NOT_CHECKED,
                        format!(
                            "`.htaccess` files under `{dir}` may change `SSLVerifyClient`: the static view of the configuration cannot see them"
                        ),
                        Label::new(allow.span, "lets .htaccess override authentication settings"),
                    )
                    .with_label(Label::new(d.span, "for this directory"))
                    .with_help("AllowOverride None"),
                );
            }
        }
    }

    /// httpd refuses a `<VirtualHost>` inside any other section.
    fn nested_vhosts(&mut self, tree: &[Directive]) {
        let mut stack: Vec<&Directive> = tree.iter().filter(|d| d.section.is_some()).collect();
        while let Some(outer) = stack.pop() {
            for c in outer.children().iter().filter(|c| c.section.is_some()) {
                if c.is("virtualhost") {
                    let error = match per_directory_name(&outer.name) {
                        _ if outer.is("virtualhost") => ConfError::VirtualHostInVirtualHost,
                        Some(section) => ConfError::VirtualHostInSection {
                            section: section.into(),
                        },
                        None => ConfError::VirtualHostInSection {
                            section: outer.name.clone(),
                        },
                    };
                    self.findings.push(
                        Finding::new(
                            codes::PARSE_ERROR,
                            format!("{error}: httpd refuses to start"),
                            Label::new(c.span, "nested virtual host"),
                        )
                        .with_label(Label::new(outer.span, "inside this section")),
                    );
                }
                stack.push(c);
            }
        }
    }

    /// A `Listen` that no vhost covers is answered by the main server.
    fn main_server(
        &mut self,
        main: &Scope,
        listens: &[Listen],
        servers: &mut Vec<Server>,
        aps: &mut Vec<AddressPort>,
    ) {
        let uncovered: Vec<&Listen> = listens
            .iter()
            .filter(|l| {
                !aps.iter().any(|ap| {
                    (ap.port == Some(l.port) || ap.port.is_none())
                        && (ap.addr.is_wildcard() || ap.addr == l.addr)
                })
            })
            .collect();
        let Some(first) = uncovered.first() else {
            return;
        };
        let mut server = Server::new(ServerKind::Apache, first.span);
        // The main server inherits from nothing: what it writes is its own.
        let engine = Setting::own_or_inherited(main.ssl_engine, None);
        server.tls_switch = engine;
        let index = servers.len();
        for l in &uncovered {
            let tls = engine.map_or(main.certificate.is_some() && l.https, |e| e.value);
            server.listeners.push(Listener {
                addr: l.addr.clone(),
                port: Some(l.port),
                tls,
                default_server: false,
                span: l.span,
            });
            if aps
                .iter()
                .any(|ap| ap.addr == l.addr && ap.port == Some(l.port))
            {
                continue;
            }
            aps.push(AddressPort {
                addr: l.addr.clone(),
                port: Some(l.port),
                tls,
                servers: vec![index],
                default: index,
                default_span: l.span,
                default_why: DefaultWhy::FirstListed,
            });
        }
        if let Some(n) = main.server_name {
            server.names.push((host_name(&n.value), n.span));
        }
        if let Some(v) = Setting::own_or_inherited(main.verify, None) {
            server.client_verify = v;
        }
        let empty = Scope::default();
        server.ca = self.ca_refs(main, &empty);
        let names: Vec<String> = server.names.iter().map(|(n, _)| n.clone()).collect();
        let tls = server.listeners.iter().any(|l| l.tls);
        let port = only_port(&server.listeners);
        let peers_real = !believes_loopback_claims(&main.directives, &[]);
        let answers = Answers::of(main, &empty, &names, (tls, port), peers_real);
        let ((action, span), guard) = answers.for_server(true);
        server.action = action;
        server.action_span = span;
        server.host_guard = guard;
        server.verify_enforced = verify_enforcement(main, &empty);
        server.refusal_page = refusal_page(main, &empty);
        server.regrants = regrants(main, &empty, server.verify_enforced, &mut self.findings);
        server.per_directory_verify = per_directory(main, &empty);
        server.real_ip = real_ip(&main.directives, &[], self.proxy_lists);
        server.directives.own = written(&main.directives, self.opts, self.paths);
        servers.push(server);
    }
}

/// Server-level directives a rule asks about, for the model's table of what each server has
/// in force (`Server::directive`).
fn written(directives: &[&Directive], opts: &LoadOptions, paths: &TreePaths) -> Arc<[Written]> {
    directives
        .iter()
        .filter(|d| opts.keeps_directive(ServerKind::Apache, &d.name))
        .map(|d| Written {
            name: d.name.clone(),
            args: d.args.iter().map(|a| a.value.clone()).collect(),
            span: d.span,
            path: d
                .args
                .first()
                .and_then(|a| paths.resolve(&a.value, opts).ok()),
        })
        .collect()
}

/// The port of a server's listeners when they share one.
fn only_port(listeners: &[Listener]) -> Option<u16> {
    let first = listeners.first()?.port?;
    listeners
        .iter()
        .all(|l| l.port == Some(first))
        .then_some(first)
}

/// `ServerName https://www.example.com:443` names `www.example.com`.
fn host_name(v: &str) -> String {
    let v = v.split_once("://").map_or(v, |(_, rest)| rest);
    let v = match v.strip_prefix('[') {
        Some(rest) => return format!("[{}", rest.split(']').next().unwrap_or(rest)) + "]",
        None => v,
    };
    v.split(':').next().unwrap_or(v).to_ascii_lowercase()
}

fn listens(tree: &[Directive]) -> Vec<Listen> {
    tree.iter()
        .filter(|d| d.is("listen"))
        .filter_map(|d| {
            let (addr, port, https) = parse_listen(d.arg(0)?, d.arg(1))?;
            Some(Listen {
                addr,
                port,
                https,
                span: d.span,
            })
        })
        .collect()
}

/// Address:port sets in order of first appearance; `*` and `_default_` are one address, and
/// an exact address forms its own set (it takes that address's connections from `*`). A set
/// speaks TLS when its default vhost does: mod_ssl decides the handshake with the vhost the
/// connection's address selects, before any name is known.
fn group(servers: &[Server]) -> Vec<AddressPort> {
    let mut out: Vec<AddressPort> = Vec::new();
    let mut index: HashMap<(ListenAddr, Option<u16>), usize> = HashMap::new();
    for (i, s) in servers.iter().enumerate() {
        for l in &s.listeners {
            let key = (l.addr.clone(), l.port);
            match index.get(&key) {
                Some(&at) => {
                    let ap = &mut out[at];
                    if ap.servers.last() != Some(&i) {
                        ap.servers.push(i);
                    }
                }
                None => {
                    index.insert(key, out.len());
                    out.push(AddressPort::first_listed(l, i));
                }
            }
        }
    }
    out
}
