//! From expanded directives to the model: `http {}` settings inherited by each `server {}`,
//! listeners, names, client verification, CA files, and what each server does.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use aop_model::{
    codes, AddressPort, CaRef, CaRefKind, ClientVerify, DefaultWhy, Finding, Label, Listener,
    LoadOptions, Location, Server, ServerKind, Setting, Written,
};
use aop_source::{SourceMap, Span};

use crate::action::{server_decision, Decision};
use crate::ast::{Block, Directive};
use crate::certificate::{missing_certificates, TlsFacts};
use crate::enforce::{
    enforcement, error_page_bypass, host_guard, location_enforcement, unverified_flags,
};
use crate::errors::ConfError;
use crate::listen::{parse_listen, UnknownParam};
use crate::names::catch_all_name;

/// The settings one block writes: `http {}`'s, which every server inherits unless it sets its
/// own, or a server's own (merged over the inherited ones in [`finish_server`]).
#[derive(Default, Clone)]
struct BlockSettings {
    verify: Option<(ClientVerify, Span)>,
    client_certificate: Option<(String, Span)>,
    trusted_certificate: Option<(String, Span)>,
    ssl_on: Option<(bool, Span)>,
    reject_handshake: Option<(bool, Span)>,
    session_tickets: Option<(bool, Span)>,
    /// Whether `ssl_session_cache` keeps sessions (`builtin`, `shared:`), not `none`/`off`.
    session_cache: Option<(bool, Span)>,
    certificate: Option<Span>,
    real_ip_header: Option<(String, Span)>,
    /// `set_real_ip_from` entries: a server's own list replaces the inherited one whole.
    real_ip_from: Vec<(String, Span)>,
    /// `satisfy any`.
    satisfy_any: bool,
}

pub struct Lowered {
    pub servers: Vec<Server>,
    pub address_ports: Vec<AddressPort>,
}

/// The block `d` opens and the module file it needs, when the build ships that module as a
/// dynamic one and no `load_module` before `d` loaded it.
fn dynamic_module_missing(
    d: &Directive,
    opts: &LoadOptions,
    loaded: &[String],
) -> Option<(&'static str, &'static str)> {
    let build = opts.build?;
    build
        .nginx_dynamic_modules()
        .iter()
        .find(|(block, file)| d.name == *block && !loaded.iter().any(|l| l == file))
        .copied()
}

/// nginx's own refusal of a dynamic module's block used before its `load_module`.
fn unknown_dynamic_block(d: &Directive, block: &str, file: &str, opts: &LoadOptions) -> Finding {
    let build = opts.build.map_or("this build", |b| b.describe());
    let mut f = Finding::new(
        codes::PARSE_ERROR,
        ConfError::UnknownDirective { name: block.into() }.to_string(),
        Label::new(
            d.name_span,
            format!("{build}: a dynamic module, not loaded before this line"),
        ),
    );
    f.help = Some(format!(
        "load the module before this block, at the top of nginx.conf:\n    load_module modules/{file};\n(Debian: install libnginx-mod-{block} and keep `include /etc/nginx/modules-enabled/*.conf;`; RHEL: install nginx-mod-{block}; nginx.org's packages compile it in: `--build upstream`)"
    ).into());
    f
}

/// Lowers the expanded tree. The servers of a top-level `http {}` were drafted as they were
/// spliced in (`drafts`, in order, their blocks already freed); a server still holding its
/// block (one the reader did not draft) is drafted here.
// Boxed drafts: see `IncludeSplicer::drafts`.
#[allow(clippy::vec_box)]
pub fn lower(
    mut top: Vec<Directive>,
    drafts: Vec<Box<Draft>>,
    prefix: &Path,
    opts: &LoadOptions,
    map: &SourceMap,
    // Some include was not read: a directive it holds may be missing.
    incomplete: bool,
    findings: &mut Vec<Finding>,
) -> Lowered {
    // Sized at once: thousands of servers in a vector grown by doubling leave the freed
    // smaller copies resident until the allocator returns them.
    let mut servers = Vec::with_capacity(drafts.len());
    let mut tls_facts = Vec::with_capacity(drafts.len());
    let mut drafts = drafts.into_iter().peekable();
    // The files `load_module` named so far: a dynamic module's block needs one before it.
    let mut loaded: Vec<String> = Vec::new();
    for d in top.iter_mut() {
        if let Some((block, file)) = dynamic_module_missing(d, opts, &loaded) {
            findings.push(unknown_dynamic_block(d, block, file, opts));
            continue;
        }
        match d.name.as_str() {
            "load_module" => loaded.extend(
                d.arg(0)
                    .map(|path| path.rsplit('/').next().unwrap_or(path).to_string()),
            ),
            "http" => {
                let Some(block) = d.block.as_mut() else {
                    continue;
                };
                let http = &mut block.directives;
                let mut inherited = BlockSettings::default();
                read_settings(http, &mut inherited, findings);
                let flags = unverified_flags(http);
                let bypass = error_page_bypass(http);
                let http_written = with_paths(written(http, opts), prefix, opts);
                for s in http.iter_mut() {
                    if s.name != "server" {
                        continue;
                    }
                    let draft = match s.block.take() {
                        Some(block) => {
                            s.block = Some(block);
                            let draft = draft_server(s, map, opts, findings);
                            s.block = None;
                            Box::new(draft)
                        }
                        None if drafts.peek().is_some_and(|x| x.head() == s.head_span()) => {
                            drafts.next().expect("peeked")
                        }
                        None => continue,
                    };
                    let (mut server, tls) =
                        finish_server(*draft, bypass, &inherited, &flags, prefix, opts);
                    server.directives.inherited = Arc::clone(&http_written);
                    servers.push(server);
                    tls_facts.push(tls);
                }
            }
            "stream" => findings.push(Finding::new(
                codes::NOT_CHECKED,
                "`stream {}` servers are not checked: TCP and TLS passed through here never meet HTTP client verification",
                Label::new(d.head_span(), "not checked"),
            )),
            "server" if d.block.is_some() => findings.push(Finding::new(
                codes::PARSE_ERROR,
                ConfError::NotAllowedHere {
                    directive: "server".into(),
                }
                .to_string(),
                Label::new(d.head_span(), "a server block belongs inside `http {}`"),
            )),
            _ => {}
        }
    }
    let address_ports = address_ports(&servers, findings);
    // A certificate may be set in a file that was not read.
    if !incomplete {
        missing_certificates(&servers, &tls_facts, &address_ports, map, findings);
    }
    // TLS is a property of the socket: one `listen ... ssl` makes the address:port TLS for
    // every server listening there.
    for ap in address_ports.iter().filter(|ap| ap.tls) {
        for &i in &ap.servers {
            for l in servers[i].listeners.iter_mut() {
                if l.addr == ap.addr && l.port == ap.port {
                    l.tls = true;
                }
            }
        }
    }
    Lowered {
        servers,
        address_ports,
    }
}

fn on_off(d: &Directive, findings: &mut Vec<Finding>) -> Option<bool> {
    match d.arg(0) {
        Some("on") if d.args.len() == 1 => Some(true),
        Some("off") if d.args.len() == 1 => Some(false),
        value => {
            findings.push(Finding::new(
                codes::PARSE_ERROR,
                ConfError::InvalidFlag {
                    value: value.unwrap_or_default().into(),
                    directive: d.name.to_string(),
                }
                .to_string(),
                Label::new(d.head_span(), "nginx refuses this value"),
            ));
            None
        }
    }
}

fn read_settings(block: &[Directive], s: &mut BlockSettings, findings: &mut Vec<Finding>) {
    for d in block {
        let span = d.head_span();
        match d.name.as_str() {
            "ssl_verify_client" => {
                let v = match d.arg(0) {
                    Some("on") => ClientVerify::On,
                    Some("off") => ClientVerify::Off,
                    Some("optional") => ClientVerify::Optional,
                    Some("optional_no_ca") => ClientVerify::OptionalNoCa,
                    value => {
                        findings.push(
                            Finding::new(
                                codes::PARSE_ERROR,
                                ConfError::InvalidValue {
                                    value: value.unwrap_or_default().into(),
                                }
                                .to_string(),
                                Label::new(span, "nginx refuses this value"),
                            )
                            .with_help(
                                "ssl_verify_client takes on, off, optional or optional_no_ca",
                            ),
                        );
                        continue;
                    }
                };
                s.verify = Some((v, span));
            }
            "ssl_client_certificate" => {
                if let Some(p) = d.arg(0) {
                    s.client_certificate = Some((p.to_string(), span));
                }
            }
            "ssl_trusted_certificate" => {
                if let Some(p) = d.arg(0) {
                    s.trusted_certificate = Some((p.to_string(), span));
                }
            }
            "ssl" => {
                if let Some(v) = on_off(d, findings) {
                    s.ssl_on = Some((v, span));
                }
            }
            "real_ip_header" => {
                if let Some(h) = d.arg(0) {
                    s.real_ip_header = Some((h.to_string(), span));
                }
            }
            "satisfy" => s.satisfy_any = d.arg(0) == Some("any"),
            "set_real_ip_from" => {
                if let Some(from) = d.arg(0) {
                    s.real_ip_from.push((from.to_string(), span));
                }
            }
            "ssl_certificate" => s.certificate = Some(span),
            "ssl_reject_handshake" => {
                if let Some(v) = on_off(d, findings) {
                    s.reject_handshake = Some((v, span));
                }
            }
            "ssl_session_tickets" => {
                if let Some(v) = on_off(d, findings) {
                    s.session_tickets = Some((v, span));
                }
            }
            "ssl_session_cache" => {
                let stores = d
                    .args
                    .iter()
                    .any(|a| a.value.starts_with("builtin") || a.value.starts_with("shared:"));
                s.session_cache = Some((stores, span));
            }
            _ => {}
        }
    }
}

/// The directives of `block` that open no block and that a rule asks about, for the model's
/// table of what each server has in force (`Server::directive`).
fn written(block: &[Directive], opts: &LoadOptions) -> Arc<[Written]> {
    block
        .iter()
        .filter(|d| d.block.is_none() && opts.keeps_directive(ServerKind::Nginx, &d.name))
        .map(|d| Written {
            name: d.name.to_string(),
            args: d.args.iter().map(|a| a.value.to_string()).collect(),
            span: d.head_span(),
            path: None,
        })
        .collect()
}

/// `written` with each first argument resolved as a path from nginx's prefix: done once the
/// prefix is known, since servers are drafted before.
fn with_paths(written: Arc<[Written]>, prefix: &Path, opts: &LoadOptions) -> Arc<[Written]> {
    if written.is_empty() {
        return written;
    }
    written
        .iter()
        .map(|w| Written {
            path: w
                .arg(0)
                .and_then(|a| opts.resolve(prefix, Path::new(a)).ok()),
            ..w.clone()
        })
        .collect()
}

/// What a server's own block says, read as soon as the server is spliced in: the settings it
/// inherits from `http {}` may still follow (nginx merges them once `http {}` is read), so
/// they are applied later by [`finish_server`]. The block itself can then be freed: only the
/// `if`/`location` outline that client-verification enforcement is judged on is kept.
pub struct Draft {
    head: Span,
    server: Server,
    own: BlockSettings,
    has_listen: bool,
    /// The server's own `error_page` verdict, when it has any `error_page`: its own replace
    /// the inherited ones.
    own_bypass: Option<Option<Span>>,
    outline: Vec<Directive>,
    /// The `ssl`/`quic` flag each listener was written with, in `server.listeners`' order.
    tls_flags: Vec<Option<&'static str>>,
    /// What the server does, and its locations, where the client's address may come from a
    /// header (realip) or a password may stand in for it (`satisfy any` inherited): kept
    /// only when it differs, i.e. an allow-list of this machine's addresses decided.
    if_peer_not_real: Option<Box<(Decision, Vec<Location>)>>,
}

impl Draft {
    pub fn head(&self) -> Span {
        self.head
    }
}

/// Reads a server block on its own; findings come in the order nginx would give them.
pub fn draft_server(
    d: &Directive,
    map: &SourceMap,
    opts: &LoadOptions,
    findings: &mut Vec<Finding>,
) -> Draft {
    let children = d.children();
    let mut own = BlockSettings::default();
    read_settings(children, &mut own, findings);
    let mut server = Server::new(ServerKind::Nginx, d.head_span());
    server.directives.own = written(children, opts);
    let mut tls_flags = Vec::new();
    for c in children {
        match c.name.as_str() {
            // TLS from `ssl on` is added when the inherited settings are known: a listener's
            // parse does not otherwise depend on it.
            "listen" => match parse_listen(c, false) {
                Ok(parsed) => {
                    if let Some(joined) = parsed.unknown.iter().find(|u| starts_a_line(map, u)) {
                        // nginx stops at the first word it does not know.
                        findings.push(Finding::new(
                            codes::PARSE_ERROR,
                            ConfError::InvalidParameter {
                                value: joined.word.to_string(),
                            }
                            .to_string(),
                            Label::new(c.head_span(), "nginx refuses this listener"),
                        ));
                        continue;
                    }
                    for u in parsed.unknown {
                        findings.push(unknown_param(u));
                    }
                    server.listeners.push(parsed.listener);
                    tls_flags.push(parsed.tls_flag);
                }
                Err(message) => findings.push(Finding::new(
                    codes::PARSE_ERROR,
                    message,
                    Label::new(c.head_span(), "nginx refuses this listener"),
                )),
            },
            "server_name" => server.names.extend(
                c.args
                    .iter()
                    .map(|a| (a.value.to_ascii_lowercase().into(), a.span)),
            ),
            _ => {}
        }
    }
    let has_listen = children.iter().any(|c| c.name == "listen");
    server.host_guard = host_guard(children);
    let own_bypass = children
        .iter()
        .any(|c| c.name == "error_page")
        .then(|| error_page_bypass(children));
    server.catch_all_name = catch_all_name(&server.names, findings);
    let decision = server_decision(d, &mut server.locations, true);
    let mut locations = Vec::new();
    let if_not_real = server_decision(d, &mut locations, false);
    let if_peer_not_real = (if_not_real != decision || locations != server.locations)
        .then(|| Box::new((if_not_real, locations)));
    server.action = decision.action;
    server.action_span = Some(decision.span);
    server.acme_only = decision.acme_only;
    Draft {
        head: d.head_span(),
        server,
        own,
        has_listen,
        own_bypass,
        outline: outline(children),
        tls_flags,
        if_peer_not_real,
    }
}

/// A word on a later line than the one before it: the `;` that should end the `listen` is
/// missing, and the next directive's words were read as parameters.
fn starts_a_line(map: &SourceMap, u: &UnknownParam) -> bool {
    u.after.end <= u.span.start
        && map
            .bytes(Span::new(
                u.span.file,
                u.after.end as usize,
                u.span.start as usize,
            ))
            .contains(&b'\n')
}

/// A parameter nginx 1.30 does not know, on the line of the `listen` itself: perhaps one of a
/// newer nginx. The listener is kept; what the word would change is not checked.
fn unknown_param(u: UnknownParam) -> Finding {
    Finding::new(
        codes::NOT_CHECKED,
        format!(
            "unknown `listen` parameter `{}`: the listener is read without it",
            u.word
        ),
        Label::new(u.span, "not a `listen` parameter of nginx 1.30"),
    )
    .with_help("if your nginx accepts this parameter (`nginx -t`), check by hand what it changes; otherwise remove it, since nginx refuses to start with it")
}

/// The directives [`enforcement`] and [`location_enforcement`] look at: `if`s with their
/// `return`s, and `location`s with their `internal`, `if`s and nested `location`s.
fn outline(block: &[Directive]) -> Vec<Directive> {
    block
        .iter()
        .filter(|d| matches!(d.name.as_str(), "if" | "location" | "internal" | "return"))
        .map(|d| Directive {
            name: d.name.clone(),
            name_span: d.name_span,
            args: d.args.clone(),
            span: d.span,
            block: d.block.as_ref().map(|b| {
                Box::new(Block {
                    directives: outline(&b.directives),
                    close: b.close,
                    raw: b.raw,
                })
            }),
        })
        .collect()
}

/// Applies what a server inherits from `http {}`.
fn finish_server(
    draft: Draft,
    http_bypass: Option<Span>,
    http: &BlockSettings,
    flags: &HashSet<String>,
    prefix: &Path,
    opts: &LoadOptions,
) -> (Server, TlsFacts) {
    let Draft {
        head,
        mut server,
        own,
        has_listen,
        own_bypass,
        outline,
        tls_flags,
        if_peer_not_real,
    } = draft;
    server.directives.own = with_paths(std::mem::take(&mut server.directives.own), prefix, opts);
    let mut tls = TlsFacts {
        flagged: server
            .listeners
            .iter()
            .zip(tls_flags)
            .filter_map(|(l, flag)| Some((l.addr.clone(), l.port, flag?)))
            .collect(),
        certificate: own.certificate.or(http.certificate).is_some(),
        ssl_on: None,
    };
    let ssl_on = Setting::own_or_inherited(own.ssl_on, http.ssl_on);
    server.tls_switch = ssl_on;
    tls.ssl_on = ssl_on.filter(|s| s.value).and_then(|s| s.origin.span());
    let ssl_on = ssl_on.is_some_and(|s| s.value);
    for l in server.listeners.iter_mut() {
        l.tls |= ssl_on;
    }
    if !has_listen {
        // nginx's default when a server has no `listen`: *:80 (as root).
        server.listeners.push(Listener {
            addr: aop_model::ListenAddr::AnyV4,
            port: Some(80),
            tls: ssl_on,
            default_server: false,
            span: head,
        });
    }

    if let Some(v) = Setting::own_or_inherited(own.verify, http.verify) {
        server.client_verify = v;
    }
    for (kind, own_v, http_v) in [
        (
            CaRefKind::NginxClientCertificate,
            &own.client_certificate,
            &http.client_certificate,
        ),
        (
            CaRefKind::NginxTrustedCertificate,
            &own.trusted_certificate,
            &http.trusted_certificate,
        ),
    ] {
        let Some(Setting {
            value: (path, span),
            origin,
        }) = Setting::own_or_inherited(
            own_v.as_ref().map(|v| (v, v.1)),
            http_v.as_ref().map(|v| (v, v.1)),
        )
        else {
            continue;
        };
        server.ca.push(CaRef {
            kind,
            path: path.clone(),
            // A path that cannot be resolved inside the root (a link loop) is read as nothing:
            // the CA checks then report it unreadable, as nginx would fail to open it.
            resolved: opts.resolve(prefix, Path::new(path)).unwrap_or_default(),
            span: *span,
            inherited: origin.is_inherited(),
            inline: None,
        });
    }
    if let Some((true, span)) = own.reject_handshake.or(http.reject_handshake) {
        server.reject_handshake = Some(span);
    }
    if let Some(v) = Setting::own_or_inherited(own.session_tickets, http.session_tickets) {
        server.session_tickets = v;
    }
    if let Some((true, span)) = own.session_cache.or(http.session_cache) {
        server.session_cache = Some(span);
    }
    server.real_ip = real_ip(&own, http);
    if let Some(other) = if_peer_not_real {
        // realip may take `127.0.0.1` from a header an outside client sends; `satisfy any`
        // lets a password in where the address is refused.
        if server.real_ip.is_some() || http.satisfy_any {
            let (decision, locations) = *other;
            server.action = decision.action;
            server.action_span = Some(decision.span);
            server.acme_only = decision.acme_only;
            server.locations = locations;
        }
    }
    server.verify_enforced =
        enforcement(&outline, flags).or_else(|| location_enforcement(&outline, flags));
    server.verify_bypass = own_bypass.unwrap_or(http_bypass);
    if let Some(span) = server.reject_handshake {
        if server.listeners.iter().all(|l| l.tls) {
            // The content it would serve without the refusal still answers requests routed
            // here by `Host`; the server's own opener stands for nginx's compiled-in root.
            if server.action == aop_model::Action::Serves && server.action_span != Some(head) {
                server.answers_by_host = server.action_span;
            }
            server.action = aop_model::Action::Rejects;
            server.action_span = Some(span);
        }
    }
    (server, tls)
}

/// The realip module acts only where `set_real_ip_from` names a source.
fn real_ip(own: &BlockSettings, http: &BlockSettings) -> Option<aop_model::RealIp> {
    let (trusted, inherited) = if own.real_ip_from.is_empty() {
        (&http.real_ip_from, true)
    } else {
        (&own.real_ip_from, false)
    };
    if trusted.is_empty() {
        return None;
    }
    Some(aop_model::RealIp {
        header: own.real_ip_header.clone().or(http.real_ip_header.clone()),
        trusted: trusted.clone(),
        inherited,
    })
}

/// An address:port as nginx prints a socket address: `0.0.0.0:443`, `[::]:443`.
fn nginx_address_port(l: &Listener) -> String {
    match (&l.addr, l.port) {
        (aop_model::ListenAddr::AnyV4, Some(p)) => format!("0.0.0.0:{p}"),
        _ => l.address_port(),
    }
}

/// Groups listeners by address:port and picks each one's default server as nginx does.
fn address_ports(servers: &[Server], findings: &mut Vec<Finding>) -> Vec<AddressPort> {
    let mut out: Vec<AddressPort> = Vec::new();
    for (i, s) in servers.iter().enumerate() {
        for l in &s.listeners {
            let pos = out
                .iter()
                .position(|ap| ap.addr == l.addr && ap.port == l.port);
            let ap = match pos {
                Some(p) => &mut out[p],
                None => {
                    out.push(AddressPort {
                        addr: l.addr.clone(),
                        port: l.port,
                        tls: false,
                        servers: Vec::new(),
                        default: i,
                        default_span: l.span,
                        default_why: DefaultWhy::FirstListed,
                    });
                    out.last_mut().expect("just pushed")
                }
            };
            ap.tls |= l.tls;
            // Servers are visited in order, so a repeat can only be the last one pushed: a
            // scan of the whole list would make thousands of servers on one port quadratic.
            if ap.servers.last() != Some(&i) {
                ap.servers.push(i);
            }
            if l.default_server {
                if ap.default_why == DefaultWhy::Flagged && ap.default != i {
                    findings.push(
                        Finding::new(
                            codes::PARSE_ERROR,
                            format!("a duplicate default server for {}", nginx_address_port(l)),
                            Label::new(l.span, "second `default_server`"),
                        )
                        .with_label(Label::new(ap.default_span, "first `default_server`")),
                    );
                    continue;
                }
                ap.default = i;
                ap.default_span = l.span;
                ap.default_why = DefaultWhy::Flagged;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use aop_model::{Build, ClientVerify, LoadOptions, Origin};

    /// What a `stream {}` block gives for each build: Debian's and RHEL's nginx refuse it
    /// without `load_module`, nginx.org's has it compiled in.
    #[test]
    fn a_dynamic_module_block_needs_its_load_module_on_distribution_builds() {
        let stream = "stream {\n  server { listen 9000; proxy_pass 127.0.0.1:9001; }\n}\n";
        let loaded = format!("load_module modules/ngx_stream_module.so;\n{stream}");
        let late = format!("{stream}load_module modules/ngx_stream_module.so;\n");
        let codes = |text: &str, build: Option<Build>| -> Vec<&'static str> {
            let dir = crate::test_tree("lower-dynamic", text, &[]);
            let mut map = aop_source::SourceMap::default();
            let opts = LoadOptions {
                build,
                ..LoadOptions::default()
            };
            let config = crate::load(&dir.join("nginx.conf"), &mut map, &opts).expect("entry");
            std::fs::remove_dir_all(&dir).unwrap();
            config.findings.iter().map(|f| f.code).collect()
        };
        assert_eq!(codes(stream, Some(Build::Debian)), vec!["AOP001"]);
        assert_eq!(codes(stream, Some(Build::Rhel)), vec!["AOP001"]);
        assert_eq!(codes(&late, Some(Build::Debian)), vec!["AOP001"]);
        // Loaded, or compiled in, or the build unknown: the block is read, and its servers
        // are not checked (AOP004), as before.
        assert_eq!(codes(&loaded, Some(Build::Debian)), vec!["AOP004"]);
        assert_eq!(codes(stream, Some(Build::Upstream)), vec!["AOP004"]);
        assert_eq!(codes(stream, None), vec!["AOP004"]);
    }

    /// Servers are drafted as their files are spliced in, before the rest of `http {}` is
    /// read: what `http {}` says after them must still reach them.
    #[test]
    fn http_settings_after_the_included_servers_are_inherited() {
        let sites: Vec<String> = (0..3)
            .map(|n| format!("server {{ listen 44{n}; server_name s{n}; if ($bad) {{ return 403; }} }}\nserver {{ server_name t{n}; error_page 404 /404.html; }}\n"))
            .collect();
        let dir = crate::test_tree(
            "lower-late",
            "http {\n  include sites/*.conf;\n  ssl on;\n  ssl_verify_client optional;\n  ssl_client_certificate ca.pem;\n  map $ssl_client_verify $bad { default 1; SUCCESS 0; }\n  error_page 496 /why;\n}\n",
            &sites,
        );
        let mut map = aop_source::SourceMap::default();
        let config = crate::load(&dir.join("nginx.conf"), &mut map, &LoadOptions::default())
            .expect("entry readable");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(config.servers.len(), 6);
        for s in &config.servers {
            assert_eq!(s.client_verify.value, ClientVerify::Optional);
            assert!(matches!(s.client_verify.origin, Origin::Inherited(_)));
            assert!(s.ca.iter().all(|c| c.inherited && c.path == "ca.pem"));
            // `ssl on` makes every listener TLS, the default `*:80` included.
            assert!(s.listeners.iter().all(|l| l.tls));
        }
        let (checked, plain): (Vec<_>, Vec<_>) = config
            .servers
            .iter()
            .partition(|s| s.names[0].0.starts_with('s'));
        // The `map` after them makes `if ($bad)` the refusal of unverified clients.
        assert!(checked.iter().all(|s| s.verify_enforced.is_some()));
        assert!(plain.iter().all(|s| s.verify_enforced.is_none()));
        // Their own `error_page` replaces the inherited 496 page; the others inherit it.
        assert!(checked.iter().all(|s| s.verify_bypass.is_some()));
        assert!(plain.iter().all(|s| s.verify_bypass.is_none()));
    }
}
