//! `apps.http.servers` to the model: one model server per top-level route (its `host`
//! matchers are the site's names, a route without one answers every name), split like a
//! Caddyfile site into its plain-HTTP and its TLS listeners, with the client authentication
//! of the TLS connection policy its names get. Automatic HTTPS is applied as Caddy 2.11
//! applies it when it loads the config: a server that listens on a port other than the HTTP
//! port and names hosts gets TLS, and a redirect from the HTTP port.

use std::path::Path;

use aop_model::{
    codes, Action, ClientVerify, Finding, Label, ListenAddr, Listener, LoadOptions, RealIp, Server,
    ServerKind,
};
use aop_source::{FileId, SourceMap, Span};

use crate::action::Seen;
use crate::address::Ports;
use crate::json::handlers::Walk;
use crate::json::listen::{self, Listen};
use crate::json::policy::{self, Policy};
use crate::json::unknown_fields;
use crate::json::value::{Kind, Value};
use crate::lower::{add_redirects, address_ports, Global, Lowered};
use crate::modules::{log_encoder, plugin, under_build};

/// The members Caddy's top-level `Config` has: it refuses any other.
const TOP_LEVEL: &[&str] = &["admin", "logging", "storage", "apps"];
/// The apps of the stock Caddy 2.11.7 (`caddy list-modules`).
const STOCK_APPS: &[&str] = &["http", "tls", "pki", "events"];
/// The members of `apps.http` in Caddy 2.11.7.
const HTTP_APP: &[&str] = &[
    "grace_period",
    "http_port",
    "https_port",
    "metrics",
    "servers",
    "shutdown_delay",
];
/// The members of a server in Caddy 2.11.7; those not read have nothing to say about who
/// reaches which site (timeouts, logs, protocols, listener wrappers).
const SERVER: &[&str] = &[
    "allow_0rtt",
    "automatic_https",
    "client_ip_headers",
    "enable_full_duplex",
    "errors",
    "expected_dot_headers",
    "expected_underscore_headers",
    "idle_timeout",
    "keepalive_count",
    "keepalive_idle",
    "keepalive_interval",
    "listen",
    "listen_protocols",
    "listener_wrappers",
    "logs",
    "max_header_bytes",
    "max_write_chunk",
    "metrics",
    "named_routes",
    "packet_conn_wrappers",
    "protocols",
    "read_header_timeout",
    "read_idle_timeout",
    "read_min_rate",
    "read_timeout",
    "routes",
    "strict_sni_host",
    "tls_connection_policies",
    "trusted_proxies",
    "trusted_proxies_strict",
    "trusted_proxies_unix",
    "write_idle_timeout",
    "write_min_rate",
    "write_timeout",
];
/// The members of a server's `automatic_https` in Caddy 2.11.7.
const AUTO_HTTPS: &[&str] = &[
    "disable",
    "disable_certificates",
    "disable_redirects",
    "ignore_loaded_certificates",
    "skip",
    "skip_certificates",
];
/// The members of a route in Caddy 2.11.7.
const ROUTE: &[&str] = &["group", "handle", "match", "terminal"];

struct Cx<'a> {
    file: FileId,
    path: &'a Path,
    dir: &'a Path,
    opts: &'a LoadOptions,
    findings: &'a mut Vec<Finding>,
    plugins: Vec<Finding>,
    ports: Ports,
}

impl Cx<'_> {
    fn span(&self, v: &Value) -> Span {
        Span::new(self.file, v.start, v.end)
    }

    fn key_span(&self, m: &crate::json::value::Member) -> Span {
        Span::new(self.file, m.key_start, m.key_end)
    }

    fn refused(&mut self, span: Span, message: String, help: &str) {
        self.findings.push(
            Finding::new(
                codes::PARSE_ERROR,
                format!("Caddy refuses to start: {message}"),
                Label::new(span, "here"),
            )
            .with_help(help.to_string()),
        );
    }

    fn not_checked(&mut self, span: Span, message: String) {
        self.findings.push(Finding::new(
            codes::NOT_CHECKED,
            message,
            Label::new(span, "not checked"),
        ));
    }
}

pub fn lower(
    root: &Value,
    file: FileId,
    map: &SourceMap,
    opts: &LoadOptions,
    findings: &mut Vec<Finding>,
) -> Lowered {
    let dir = map
        .file(file)
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut cx = Cx {
        file,
        path: &map.file(file).path,
        dir: &dir,
        opts,
        findings,
        plugins: Vec::new(),
        ports: Ports {
            http: 80,
            https: 443,
        },
    };
    let lowered = read_root(root, &mut cx);
    let mut plugins = std::mem::take(&mut cx.plugins);
    under_build(&mut plugins, opts.build);
    cx.findings.append(&mut plugins);
    lowered
}

fn read_root(root: &Value, cx: &mut Cx) -> Lowered {
    if !matches!(root.kind, Kind::Object(_)) {
        let message = format!(
            "decoding config: json: cannot unmarshal {} into Go value of type caddy.Config",
            root.type_name()
        );
        cx.refused(
            cx.span(root),
            message,
            "a Caddy JSON config is an object: `{\"apps\": {\"http\": {\"servers\": {...}}}}`",
        );
        return Lowered::default();
    }
    for m in root.members() {
        if !TOP_LEVEL.contains(&m.key.as_str()) {
            let span = cx.key_span(m);
            cx.refused(
                span,
                format!("decoding config: json: unknown field \"{}\"", m.key),
                "a Caddy JSON config holds `admin`, `logging`, `storage` and `apps` only; is this Caddy's config?",
            );
        }
    }
    if let Some(logs) = root.get("logging").and_then(|l| l.get("logs")) {
        for log in logs.members() {
            encoders(log.value.get("encoder"), cx);
        }
    }
    let apps = root.get("apps");
    for app in apps.map_or(&[][..], Value::members) {
        if !STOCK_APPS.contains(&app.key.as_str()) {
            let finding = plugin(
                &format!("\"apps\": {{\"{}\"", app.key),
                cx.key_span(app),
                &app.key,
                "Caddy app",
            );
            cx.plugins.push(finding);
        }
    }
    if let Some(tls) = apps.and_then(|a| a.get("tls")) {
        dns_providers(tls, cx);
    }
    let Some(http) = apps.and_then(|a| a.get("http")) else {
        let span = match root.members().iter().find(|m| m.key == "apps") {
            Some(m) => cx.key_span(m),
            None => Span::new(cx.file, root.start, root.start + 1),
        };
        cx.not_checked(
            span,
            "this Caddy config has no `apps.http`: it serves no site, and nothing in it was checked for client certificates".into(),
        );
        return Lowered::default();
    };
    unknown_fields(http, HTTP_APP, cx.file, cx.findings);
    for (key, slot) in [("http_port", 0), ("https_port", 1)] {
        if let Some(v) = http.get(key) {
            match &v.kind {
                Kind::Number(n) => match n.parse() {
                    Ok(p) if slot == 0 => cx.ports.http = p,
                    Ok(p) => cx.ports.https = p,
                    Err(_) => cx.not_checked(
                        cx.span(v),
                        format!("`{key}` {n} is not a port, not checked"),
                    ),
                },
                _ => cx.not_checked(cx.span(v), format!("`{key}` is not a number, not checked")),
            }
        }
    }
    let mut servers = Vec::new();
    let mut redirected = Vec::new();
    let mut redirect_binds = Vec::new();
    let mut wildcard_redirect = false;
    let servers_value = http.get("servers");
    if servers_value.is_none_or(|s| s.members().is_empty()) {
        let span = servers_value.map_or(cx.span(http), |s| cx.span(s));
        cx.not_checked(
            span,
            "`apps.http` has no servers: no site is served, nothing was checked".into(),
        );
    }
    for srv in servers_value.map_or(&[][..], Value::members) {
        let read = read_server(&srv.key, &srv.value, cx);
        if read.redirects && !read.redirect_hosts.is_empty() {
            for l in read
                .servers
                .iter()
                .flat_map(|s| &s.listeners)
                .filter(|l| l.tls)
            {
                if l.addr.is_wildcard() {
                    wildcard_redirect = true;
                } else if !redirect_binds.iter().any(|(a, _)| a == &l.addr) {
                    redirect_binds.push((l.addr.clone(), l.span));
                }
            }
            redirected.extend(read.redirect_hosts);
        }
        servers.extend(read.servers);
    }
    let g = Global {
        ports: cx.ports,
        redirects: true,
        strict_sni_off: None,
        default_bind: if wildcard_redirect {
            Vec::new()
        } else {
            redirect_binds
        },
        real_ip: None,
    };
    add_redirects(&mut servers, redirected, &g);
    let address_ports = address_ports(&servers);
    Lowered {
        servers,
        address_ports,
    }
}

/// `"encoder": {"format": "..."}`, and the encoder a `filter` or `append` wraps.
fn encoders(encoder: Option<&Value>, cx: &mut Cx) {
    let Some(encoder) = encoder else {
        return;
    };
    if let Some(format) = encoder.get("format") {
        let name = format.str().unwrap_or_default();
        let span = cx.span(format);
        let mut found = Vec::new();
        log_encoder(name, &format!("\"format\": \"{name}\""), span, &mut found);
        for f in found {
            if f.code == codes::PARSE_ERROR.code {
                cx.findings.push(f);
            } else {
                cx.plugins.push(f);
            }
        }
    }
    encoders(encoder.get("wrap"), cx);
}

/// `apps.tls.automation.policies[].issuers[].challenges.dns.provider.name`.
fn dns_providers(tls: &Value, cx: &mut Cx) {
    let policies = tls
        .get("automation")
        .and_then(|a| a.get("policies"))
        .map_or(&[][..], Value::items);
    for issuer in policies
        .iter()
        .flat_map(|p| p.get("issuers").map_or(&[][..], Value::items))
    {
        let name = issuer
            .get("challenges")
            .and_then(|c| c.get("dns"))
            .and_then(|d| d.get("provider"))
            .and_then(|p| p.get("name"));
        if let Some(name) = name {
            let text = name.str().unwrap_or_default();
            let finding = plugin(
                &format!("\"provider\": {{\"name\": \"{text}\"}}"),
                cx.span(name),
                &format!("dns.providers.{text}"),
                "DNS provider",
            );
            cx.plugins.push(finding);
        }
    }
}

struct ReadServer {
    servers: Vec<Server>,
    /// The names automatic HTTPS redirects to this server from the HTTP port.
    redirect_hosts: Vec<(String, Span)>,
    redirects: bool,
}

/// A top-level route: the names its `host` matchers give, whether it also answers names it
/// does not give, and what it answers.
struct Route {
    names: Vec<(String, Span)>,
    catch_all: bool,
    span: Span,
    answers: Vec<(Action, Span)>,
    terminal: bool,
}

fn read_server(name: &str, srv: &Value, cx: &mut Cx) -> ReadServer {
    let mut out = ReadServer {
        servers: Vec::new(),
        redirect_hosts: Vec::new(),
        redirects: false,
    };
    unknown_fields(srv, SERVER, cx.file, cx.findings);
    let binds = listeners(name, srv, cx);
    if binds.is_empty() {
        return out;
    }
    let auto = srv.get("automatic_https");
    if let Some(auto) = auto {
        unknown_fields(auto, AUTO_HTTPS, cx.file, cx.findings);
    }
    let flag = |key: &str| auto.and_then(|a| a.get(key)).is_some_and(Value::is_true);
    let skipped: Vec<String> = auto
        .and_then(|a| a.get("skip"))
        .map_or(&[][..], Value::items)
        .iter()
        .filter_map(|v| v.str().map(str::to_ascii_lowercase))
        .collect();
    let routes = routes(srv, cx);
    // `null` is no policies at all, as Go decodes it.
    let policies_value = srv
        .get("tls_connection_policies")
        .filter(|p| p.kind != Kind::Null);
    let reader = policy::PolicyReader {
        file: cx.file,
        path: cx.path,
        dir: cx.dir,
        opts: cx.opts,
    };
    let mut policies: Vec<Policy> = policies_value
        .map(|p| reader.policies(p, cx.findings))
        .unwrap_or_default();
    let http = cx.ports.http;
    let other_than = |port: u16| binds.iter().any(|(_, p, _)| *p != Some(port));
    let auto_on = !flag("disable") && other_than(http);
    let domains: Vec<(String, Span)> = routes
        .iter()
        .flat_map(|r| r.names.iter())
        .filter(|(n, _)| !skipped.contains(n) && !n.contains('{'))
        .cloned()
        .collect();
    if auto_on && policies_value.is_none() && (!other_than(cx.ports.https) || !domains.is_empty()) {
        // Caddy adds one empty policy: TLS, no client authentication.
        policies.push(Policy {
            sni: None,
            auth: Default::default(),
        });
    }
    let tls_on = !policies.is_empty();
    if auto_on && tls_on && !flag("disable_redirects") {
        out.redirects = true;
        out.redirect_hosts = domains;
    }
    let strict_sni_off = srv
        .get("strict_sni_host")
        .filter(|v| v.kind == Kind::Bool(false))
        .map(|v| cx.span(v));
    let real_ip = real_ip(srv, cx);
    let plain = plain(&binds, http, tls_on);
    let secure = secure(&binds, http, tls_on);
    for (i, route) in routes.iter().enumerate() {
        let mut seen = Seen::default();
        for (action, span) in route.answers.iter().chain(
            // A route that is not terminal lets the routes after it answer too.
            routes[i + 1..]
                .iter()
                .filter(|_| !route.terminal)
                .flat_map(|r| r.answers.iter()),
        ) {
            seen.saw(*action, *span);
        }
        let answer = seen.verdict();
        if !plain.is_empty() {
            let names = route.names.clone();
            let mut server = site(route, names, route.catch_all, plain.clone(), answer);
            server.real_ip = real_ip.clone();
            out.servers.push(server);
        }
        if secure.is_empty() {
            continue;
        }
        for (chosen, names, catch_all) in policy_groups(route, &policies) {
            let mut server = site(route, names, catch_all, secure.clone(), answer);
            let auth = policy::verify_of(chosen.map(|c| &policies[c]));
            server.client_verify = auth.verify;
            server.ca = auth.ca;
            if server.client_verify.value != ClientVerify::Off {
                server.verify_bypass = strict_sni_off;
            }
            server.real_ip = real_ip.clone();
            out.servers.push(server);
        }
    }
    out
}

fn site(
    route: &Route,
    names: Vec<(String, Span)>,
    catch_all: bool,
    listeners: Vec<Listener>,
    (action, action_span): (Action, Option<Span>),
) -> Server {
    let mut server = Server::new(ServerKind::Caddy, route.span);
    server.names = names;
    server.listeners = listeners;
    if !catch_all {
        server.host_guard = Some(route.span);
    }
    server.action = action;
    server.action_span = action_span;
    server
}

/// The policy chosen (by index), the names it is chosen for, and whether it also takes the
/// names no policy gives.
type PolicyGroup = (Option<usize>, Vec<(String, Span)>, bool);

/// The route's names grouped by the policy a handshake for each gets; the catch-all part
/// (a route that answers every name) gets the policy of a handshake for a name no policy
/// names, or the first policy when every policy names its hosts.
fn policy_groups(route: &Route, policies: &[Policy]) -> Vec<PolicyGroup> {
    let mut groups: Vec<PolicyGroup> = Vec::new();
    for (name, span) in &route.names {
        let chosen = policy::chosen(policies, Some(name));
        match groups.iter_mut().find(|g| g.0 == chosen) {
            Some(g) => g.1.push((name.clone(), *span)),
            None => groups.push((chosen, vec![(name.clone(), *span)], false)),
        }
    }
    if route.catch_all {
        let chosen = policy::chosen(policies, None).or((!policies.is_empty()).then_some(0));
        match groups.iter_mut().find(|g| g.0 == chosen) {
            Some(g) => g.2 = true,
            None => groups.push((chosen, Vec::new(), true)),
        }
    }
    groups
}

fn plain(binds: &[(ListenAddr, Option<u16>, Span)], http: u16, tls_on: bool) -> Vec<Listener> {
    binds
        .iter()
        .filter(|(_, p, _)| !tls_on || *p == Some(http))
        .map(|(a, p, s)| listener(a, *p, false, *s))
        .collect()
}

fn secure(binds: &[(ListenAddr, Option<u16>, Span)], http: u16, tls_on: bool) -> Vec<Listener> {
    binds
        .iter()
        .filter(|(_, p, _)| tls_on && *p != Some(http))
        .map(|(a, p, s)| listener(a, *p, true, *s))
        .collect()
}

fn listener(addr: &ListenAddr, port: Option<u16>, tls: bool, span: Span) -> Listener {
    Listener {
        addr: addr.clone(),
        port,
        tls,
        default_server: false,
        span,
    }
}

fn listeners(name: &str, srv: &Value, cx: &mut Cx) -> Vec<(ListenAddr, Option<u16>, Span)> {
    let mut out = Vec::new();
    let list = srv.get("listen");
    if list.is_none_or(|l| l.items().is_empty()) {
        let span = list.map_or(cx.span(srv), |l| cx.span(l));
        cx.not_checked(
            span,
            format!("server `{name}` has no `listen` address: where it listens was not checked"),
        );
    }
    for entry in list.map_or(&[][..], Value::items) {
        let span = cx.span(entry);
        let text = entry.str().unwrap_or_default();
        match listen::parse(text) {
            Ok(Listen::At(addr, ports)) => {
                for port in ports {
                    out.push((addr.clone(), port, span));
                }
            }
            Ok(Listen::Placeholder) => cx.not_checked(
                span,
                format!("listen address `{text}` is a placeholder known only where Caddy runs, not checked"),
            ),
            Err(why) => cx.refused(
                span,
                format!("server {name}: listen address `{text}`: {why}"),
                "write the address as `[network/]host:port`, e.g. `\":443\"` or `\"127.0.0.1:8443\"`",
            ),
        }
    }
    out
}

fn routes(srv: &Value, cx: &mut Cx) -> Vec<Route> {
    let mut plugins = Vec::new();
    let mut walk_findings = Vec::new();
    let mut out = Vec::new();
    let mut walk = Walk {
        file: cx.file,
        findings: &mut walk_findings,
        plugins: &mut plugins,
    };
    let mut error_answers = Vec::new();
    if let Some(errors) = srv.get("errors").and_then(|e| e.get("routes")) {
        walk.routes(errors.items(), &mut error_answers);
    }
    for r in srv.get("routes").map_or(&[][..], Value::items) {
        unknown_fields(r, ROUTE, cx.file, walk.findings);
        let mut answers = Vec::new();
        walk.handlers(r.get("handle").map_or(&[][..], Value::items), &mut answers);
        answers.extend(error_answers.iter().copied());
        let sets = r.get("match").map_or(&[][..], Value::items);
        let mut names = Vec::new();
        let mut catch_all = sets.is_empty();
        for set in sets {
            match set.get("host") {
                Some(hosts) => {
                    for h in hosts.items() {
                        let host = h.str().unwrap_or_default().to_ascii_lowercase();
                        if host == "*" {
                            catch_all = true;
                        } else {
                            names.push((host, Span::new(cx.file, h.start, h.end)));
                        }
                    }
                }
                None => catch_all = true,
            }
        }
        let span = match (r.get("match"), names.is_empty()) {
            (Some(m), false) => Span::new(cx.file, m.start, m.end),
            _ => Span::new(cx.file, r.start, r.start + 1),
        };
        out.push(Route {
            names,
            catch_all,
            span,
            answers,
            terminal: r.get("terminal").is_some_and(Value::is_true),
        });
    }
    cx.findings.append(&mut walk_findings);
    cx.plugins.append(&mut plugins);
    out
}

/// `trusted_proxies: {"source": "static", "ranges": [...]}` and `client_ip_headers`.
fn real_ip(srv: &Value, cx: &mut Cx) -> Option<RealIp> {
    let proxies = srv.get("trusted_proxies")?;
    if proxies.get("source").and_then(Value::str) != Some("static") {
        let span = cx.span(proxies);
        cx.not_checked(
            span,
            "`trusted_proxies`: a source other than `static`, not checked".into(),
        );
        return None;
    }
    let header = srv
        .get("client_ip_headers")
        .and_then(|h| h.items().first())
        .and_then(|h| h.str().map(|t| (t.to_string(), cx.span(h))));
    let trusted = proxies
        .get("ranges")
        .map_or(&[][..], Value::items)
        .iter()
        .filter_map(|r| r.str().map(|t| (t.to_string(), cx.span(r))))
        .collect();
    Some(RealIp {
        header,
        trusted,
        inherited: false,
    })
}

#[cfg(test)]
mod tests {
    use aop_model::{Action, ClientVerify, Config, LoadOptions};
    use aop_source::SourceMap;

    fn load(json: &str) -> (Config, String) {
        let mut map = SourceMap::default();
        let file = map.add("/nonexistent/caddy.json", json.as_bytes().to_vec());
        (
            crate::json::load_file(file, &map, &LoadOptions::default()),
            json.to_string(),
        )
    }

    fn codes(c: &Config) -> Vec<&str> {
        c.findings.iter().map(|f| f.code).collect()
    }

    fn server(listen: &str, rest: &str) -> String {
        format!(r#"{{"apps": {{"http": {{"servers": {{"s": {{"listen": [{listen}]{rest}}}}}}}}}}}"#)
    }

    const SHOP: &str = r#", "routes": [{"match": [{"host": ["shop.example.com"]}], "handle": [{"handler": "static_response", "body": "x"}], "terminal": true}]"#;

    #[test]
    fn a_named_host_on_the_https_port_gets_tls_and_a_redirect() {
        let (c, _) = load(&server(r#"":443""#, SHOP));
        assert!(codes(&c).is_empty(), "{:?}", codes(&c));
        let tls: Vec<_> = c.servers.iter().filter(|s| s.tls()).collect();
        assert_eq!(tls.len(), 1);
        assert_eq!(tls[0].names[0].0, "shop.example.com");
        assert_eq!(tls[0].action, Action::Serves);
        let redirect = c.servers.iter().find(|s| !s.tls()).unwrap();
        assert_eq!(redirect.action, Action::Redirects);
        assert_eq!(redirect.listeners[0].port, Some(80));
    }

    #[test]
    fn automatic_https_disabled_leaves_the_port_plain() {
        let rest = format!(r#"{SHOP}, "automatic_https": {{"disable": true}}"#);
        let (c, _) = load(&server(r#"":443""#, &rest));
        assert_eq!(c.servers.len(), 1);
        assert!(!c.servers[0].listeners[0].tls);
    }

    #[test]
    fn skipped_names_on_another_port_stay_plain() {
        let rest = format!(r#"{SHOP}, "automatic_https": {{"skip": ["shop.example.com"]}}"#);
        let (c, _) = load(&server(r#"":8080""#, &rest));
        assert_eq!(c.servers.len(), 1);
        assert!(!c.servers[0].listeners[0].tls);
    }

    #[test]
    fn strict_sni_host_false_with_client_auth_is_a_bypass() {
        let rest = format!(
            r#"{SHOP}, "strict_sni_host": false, "tls_connection_policies": [{{"client_authentication": {{"mode": "require_and_verify", "ca": {{"provider": "file", "pem_files": ["/nonexistent/ca.pem"]}}}}}}]"#
        );
        let (c, text) = load(&server(r#"":443""#, &rest));
        let s = c.servers.iter().find(|s| s.tls()).unwrap();
        assert_eq!(s.client_verify.value, ClientVerify::On);
        let bypass = s.verify_bypass.expect("strict_sni_host false");
        assert_eq!(&text[bypass.start as usize..bypass.end as usize], "false");
    }

    #[test]
    fn names_get_the_policy_their_sni_matches() {
        let rest = r#", "routes": [{"match": [{"host": ["a.example.com", "b.example.com"]}], "handle": [{"handler": "reverse_proxy"}]}], "tls_connection_policies": [{"match": {"sni": ["*.example.com"]}, "client_authentication": {"mode": "request"}}, {}]"#;
        let (c, _) = load(&server(r#"":443""#, rest));
        let tls: Vec<_> = c.servers.iter().filter(|s| s.tls()).collect();
        assert_eq!(tls.len(), 1, "one policy for both names");
        assert_eq!(tls[0].client_verify.value, ClientVerify::OptionalNoCa);
        assert_eq!(tls[0].names.len(), 2);
    }

    #[test]
    fn a_route_without_match_answers_every_name() {
        let rest = r#", "routes": [{"handle": [{"handler": "static_response", "abort": true}]}], "tls_connection_policies": [{}]"#;
        let (c, _) = load(&server(r#"":443""#, rest));
        assert_eq!(c.servers.len(), 1);
        assert!(c.servers[0].host_guard.is_none());
        assert_eq!(c.servers[0].action, Action::Rejects);
    }

    #[test]
    fn what_caddy_refuses_is_a_parse_error() {
        for json in [
            r#"[1]"#,
            r#"{"name": "package", "version": "1.0.0"}"#,
            &server(r#"":443""#, r#", "bogus": 1"#),
            &server(r#""localhost""#, ""),
            &server(r#"":443""#, r#", "routes": [{"handle": [{"body": "x"}]}]"#),
        ] {
            let (c, _) = load(json);
            assert!(codes(&c).contains(&"AOP001"), "{json}: {:?}", codes(&c));
        }
    }

    #[test]
    fn a_config_that_serves_nothing_is_said() {
        for json in [
            "{}",
            r#"{"apps": {"tls": {}}}"#,
            r#"{"apps": {"http": {}}}"#,
        ] {
            let (c, _) = load(json);
            assert_eq!(codes(&c), ["AOP004"], "{json}");
        }
    }

    #[test]
    fn a_plugins_handler_is_not_checked_and_taken_as_content() {
        let rest = r#", "routes": [{"handle": [{"handler": "rate_limit"}]}]"#;
        let (c, _) = load(&server(r#"":80""#, rest));
        assert_eq!(codes(&c), ["AOP004"]);
        assert_eq!(c.servers[0].action, Action::Serves);
    }
}
