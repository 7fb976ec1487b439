//! `aop-lint probe`: the requests a locked origin must refuse, sent to the running server.
//! What came back is written as a transcript, one line a request, and each finding points at
//! the line of the request that proved it, so every report format carries the evidence.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use aop_model::{Finding, Label, LoadOptions, RuleId};
use aop_probe::{
    plan, Claim, ClientCert, Outcome, Probe, Result as ProbeResult, SiteHints, TargetSpec,
};
use aop_report::{HumanOptions, Report};
use aop_rules::find_rule;
use aop_source::{SourceMap, Span};

use crate::cli::{Format, ProbeArgs};
use crate::run::{
    emit_report, error, gate_exit, use_color, write_out, Destination, EXIT_CLEAN, EXIT_INPUT,
};

/// More CA names than an origin-pull setup needs (Cloudflare's CA, a zone's own CA, their
/// successors): past this, the client CA file is a bundle.
const MAX_EXPECTED_CAS: usize = 8;

pub fn probe(args: ProbeArgs) -> i32 {
    let mut map = SourceMap::default();
    let files = match &args.config {
        Some(path) => match StaticView::read(path, args.root.clone(), &mut map) {
            Ok(view) => Some(view),
            Err(e) => {
                error(&e);
                return EXIT_INPUT;
            }
        },
        None => None,
    };
    let user_cert = match (&args.client_cert, &args.client_key) {
        (Some(c), Some(k)) => match ClientCert::from_pem_files(c, k) {
            Ok(cert) => Some(cert),
            Err(e) => {
                error(&e);
                return EXIT_INPUT;
            }
        },
        _ => None,
    };
    let from_files = |tls: bool, default: u16| match &files {
        Some(f) => f.ports(tls),
        None => vec![default],
    };
    let tls_ports = if args.ports.is_empty() {
        from_files(true, 443)
    } else {
        args.ports.clone()
    };
    let plain_ports = match (args.no_http, args.http_ports.is_empty()) {
        (true, _) => Vec::new(),
        (false, true) => from_files(false, 80),
        (false, false) => args.http_ports.clone(),
    };
    let hosts = match (&files, args.hosts.is_empty()) {
        (Some(f), true) => f.names(),
        _ => args.hosts.clone(),
    };
    if hosts.is_empty() {
        error("no site name to probe: give --host NAME (the configuration names none)");
        return EXIT_INPUT;
    }
    // A forwarding header sent from Cloudflare's own address is Cloudflare's word about the
    // client, which it never forges: only a claim from elsewhere tests the files' trust.
    let claims_count = !args.source.is_some_and(aop_rules::is_cloudflare_address);
    let from_files: Vec<SiteHints> = match &files {
        Some(f) => hosts.iter().map(|h| f.hints(h, claims_count)).collect(),
        None => Vec::new(),
    };
    let mut specs = Vec::new();
    for target in &args.targets {
        match address(target) {
            Ok(address) => specs.push(TargetSpec {
                address,
                source: args.source,
                paths: args.paths.clone(),
                tls_ports: tls_ports.clone(),
                plain_ports: plain_ports.clone(),
                hosts: hosts.clone(),
                user_cert: user_cert.is_some(),
                from_files: from_files.clone(),
            }),
            Err(e) => {
                error(&format!("{target}: {e}"));
                return EXIT_INPUT;
            }
        }
    }
    if args.dry_run {
        let mut text = String::new();
        for spec in &specs {
            for p in plan(spec).probes {
                text.push_str(&format!("{} {}\n", spec.address.ip(), p.describe()));
            }
        }
        return write_out(&text);
    }
    let mut findings = Vec::new();
    for spec in &specs {
        let plan = plan(spec);
        let results = aop_probe::run(&plan, user_cert.as_ref());
        findings.extend(judge(spec.address, &results, files.as_ref(), &mut map));
    }
    report(&args, &map, findings)
}

/// `203.0.113.7`, `[2001:db8::7]`, `origin.example.net`: the port is the probe's, so any
/// given here is ignored.
fn address(target: &str) -> Result<SocketAddr, String> {
    let host = target
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or(target);
    (host, 0)
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or_else(|| "no address".to_string())
}

/// The transcript of one target and the findings its lines prove.
fn judge(
    address: SocketAddr,
    results: &[ProbeResult],
    files: Option<&StaticView>,
    map: &mut SourceMap,
) -> Vec<Finding> {
    let mut text = String::new();
    let mut lines = Vec::new();
    for r in results {
        let start = text.len();
        text.push_str(&format!(
            "{} {}: {}",
            address.ip(),
            r.probe.describe(),
            r.outcome.describe()
        ));
        if r.asked_for_certificate {
            text.push_str(&format!(
                "; asked for a client certificate from {} CAs",
                r.acceptable_cas.len()
            ));
        }
        lines.push((start, text.len()));
        text.push('\n');
    }
    let file = map.add(format!("probe {}", address.ip()), text.into_bytes());
    let mut out = Vec::new();
    let mut public_list_said = Vec::new();
    for (r, &(start, end)) in results.iter().zip(&lines) {
        let span = Span::new(file, start, end);
        if let Outcome::NotSent(why) = &r.outcome {
            out.push(
                Finding::new(
                    code_of("AOP004"),
                    format!("not checked: {}", r.probe.describe()),
                    Label::new(span, "this request was not sent"),
                )
                .with_help(why.clone()),
            );
            continue;
        }
        let page = files.and_then(|f| f.refusal_page_served(r));
        let served = r.outcome.is_content() || page.is_some();
        let code = match (&r.probe, served) {
            (p, true) if p.claim.is_some() => Some("AOP607"),
            (p, true) if p.must_be_refused() && !p.tls => Some("AOP603"),
            (p, true) if p.must_be_refused() && p.cert == aop_probe::CertChoice::Throwaway => {
                Some("AOP602")
            }
            (p, true) if p.must_be_refused() => Some("AOP601"),
            (p, false) if !p.must_be_refused() => Some("AOP605"),
            _ => None,
        };
        if let Some(code) = code {
            let mut f = finding(code, &r.probe, &r.outcome, span);
            if let (Outcome::Answered(a), Some(page)) = (&r.outcome, &page) {
                let request = match r.probe.cert {
                    aop_probe::CertChoice::Throwaway => "a certificate from a CA made on the spot",
                    _ => "a request without a client certificate",
                };
                f.message = format!(
                    "the origin answered HTTP {} to {request}, but the body is the site's page at {} (`{}` in the files): anyone gets that page",
                    a.status, page.path, page.directive
                )
                .into();
            }
            out.push(f);
        }
        if let Some(f) = files.and_then(|f| f.disagreement(r, served, span)) {
            out.push(f);
        }
        if r.acceptable_cas.len() > MAX_EXPECTED_CAS && !public_list_said.contains(&r.probe.port) {
            public_list_said.push(r.probe.port);
            let mut f = Finding::new(
                code_of("AOP604"),
                format!(
                    "the origin asks for client certificates from {} CAs on :{}: its client CA file is a bundle",
                    r.acceptable_cas.len(),
                    r.probe.port
                ),
                Label::new(span, "the CertificateRequest of this handshake"),
            )
            .with_help("trust Cloudflare's origin-pull CA (and your zone's own CA) only");
            f.note = Some(
                format!(
                    "the first names: {}",
                    r.acceptable_cas
                        .iter()
                        .take(5)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; ")
                )
                .into(),
            );
            out.push(f);
        }
    }
    out
}

fn code_of(code: &str) -> RuleId {
    find_rule(code)
        .expect("probe codes are registered rules")
        .meta()
        .id()
}

fn finding(code: &str, probe: &Probe, outcome: &Outcome, span: Span) -> Finding {
    let (message, help) = match code {
        "AOP605" => (
            format!(
                "the origin refused your own client certificate: {}",
                outcome.describe()
            ),
            "check that the origin's client CA file holds the CA that issued it",
        ),
        "AOP607" => (
            format!(
                "the origin served content to a client that claimed another address in a forwarding header: {}",
                outcome.describe()
            ),
            "believe forwarding headers from Cloudflare's ranges only (`aop-lint` on the configuration says where), require client certificates, reload, and probe again",
        ),
        "AOP603" => (
            format!("the origin served content over plain HTTP: {}", outcome.describe()),
            "redirect plain HTTP to https or refuse it, reload the server, and probe again",
        ),
        "AOP602" => (
            format!(
                "the origin served content to a certificate from a CA made on the spot: {}",
                outcome.describe()
            ),
            "verify client certificates against Cloudflare's origin-pull CA, reload, and probe again",
        ),
        _ => (
            format!(
                "the origin served content without a client certificate: {}",
                outcome.describe()
            ),
            "require client certificates (`aop-lint` on the configuration says where), reload the server, and probe again",
        ),
    };
    let mut f = Finding::new(
        code_of(code),
        message,
        Label::new(span, format!("this request: {}", probe.describe())),
    )
    .with_help(help);
    // The formats that carry no label text (JSON, SARIF's message) still name the request.
    f.note = Some(format!("the request: {}", probe.describe()).into());
    f
}

fn report(args: &ProbeArgs, map: &SourceMap, mut findings: Vec<Finding>) -> i32 {
    aop_report::sort_findings(&mut findings, map);
    let report = Report {
        map,
        findings,
        suppressed: Vec::new(),
        servers: 0,
        address_ports: 0,
        settings: Vec::new(),
    };
    let human = HumanOptions {
        color: use_color(args.color, Destination::Stdout),
        quiet: true,
        ..HumanOptions::default()
    };
    let mut written = emit_report(&report, args.format, None, human, None, false);
    if written == EXIT_CLEAN && args.format == Format::Human {
        // The transcript is the evidence of a clean run too.
        let transcript: String = map
            .files()
            .map(|(_, f)| String::from_utf8_lossy(&f.bytes).into_owned())
            .collect();
        written = write_out(&transcript);
    }
    if written != EXIT_CLEAN {
        return written;
    }
    gate_exit(args.fail_on, &report.findings)
}

/// The lint's verdicts on the configuration the origin is said to run, to hold each answer
/// against: a request the files refuse that the server served means the running server is
/// not running these files (never reloaded, another process on the port, a proxy in front).
struct StaticView {
    config: aop_model::Config,
    /// (code, server names, ports) of each finding that says someone gets content.
    open: Vec<(&'static str, Vec<String>, Vec<u16>)>,
    /// For each server (by index), the page of the site its refusal carries.
    refusal_pages: Vec<Option<RefusalPage>>,
    /// For each server, the literal paths it serves besides `/`: the sections that let
    /// everyone in past its check first, then its locations, aliases and proxied paths.
    served_paths: Vec<Vec<String>>,
}

/// httpd directives whose first word is a URL path the server answers from elsewhere than
/// its `DocumentRoot` (nginx writes those as locations, which the model already holds).
const URL_PATH_DIRECTIVES: [aop_model::DirectiveName; 3] = [
    aop_model::DirectiveName {
        nginx: "",
        apache: "Alias",
    },
    aop_model::DirectiveName {
        nginx: "",
        apache: "ScriptAlias",
    },
    aop_model::DirectiveName {
        nginx: "",
        apache: "ProxyPass",
    },
];

/// The page of the site a refusal carries (`ErrorDocument 403 /index.html`, nginx
/// `error_page 495 496 /page`), as the files write it.
#[derive(Clone, Debug)]
struct RefusalPage {
    directive: String,
    path: String,
    /// The statuses it answers with on the wire.
    statuses: Vec<u16>,
}

impl RefusalPage {
    fn read(text: &[u8]) -> Option<RefusalPage> {
        let text = String::from_utf8_lossy(text);
        let directive = text
            .lines()
            .next()?
            .trim()
            .trim_end_matches(';')
            .to_string();
        let path = directive
            .split_whitespace()
            .last()?
            .trim_matches(|c| c == '"' || c == '\'')
            .to_string();
        let mut statuses = Vec::new();
        for word in directive.split_whitespace().skip(1) {
            match word.strip_prefix('=').unwrap_or(word).parse::<u16>() {
                // nginx sends its certificate errors (494 to 497) as 400.
                Ok(494..=497) => statuses.push(400),
                Ok(status) => statuses.push(status),
                Err(_) => {}
            }
        }
        (path.starts_with('/') && !statuses.is_empty()).then_some(RefusalPage {
            directive,
            path,
            statuses,
        })
    }
}

/// The URI path a section opener names: `<Location /public/>`, nginx `location = /health`;
/// `None` for a pattern, a named location or a directory.
fn section_path(opener: &str) -> Option<String> {
    let opener = opener.lines().next()?.trim();
    let lower = opener.to_ascii_lowercase();
    let words: Vec<&str> = opener
        .trim_start_matches('<')
        .trim_end_matches(['>', '{'])
        .split_whitespace()
        .collect();
    let path = if lower.starts_with("<location ") {
        words.get(1).copied()
    } else if lower.starts_with("location ") {
        match words.get(1..).unwrap_or_default() {
            [path] | ["=" | "^~", path] => Some(*path),
            _ => None,
        }
    } else {
        None
    }?;
    let path = path.trim_matches('"');
    let literal = path.starts_with('/')
        && path.len() > 1
        && !path.contains(['*', '?', '[', '(', '$', '^', '~', '\\']);
    literal.then(|| path.to_string())
}

/// The findings that say a request without Cloudflare's certificate gets content, by kind.
/// (AOP201 says an unknown name gets a real site with Cloudflare's certificate: the probe
/// has none, so it is not among them.)
const OPEN_TLS: &[&str] = &["AOP101", "AOP102", "AOP103", "AOP107"];
const OPEN_PLAIN: &str = "AOP202";

impl StaticView {
    fn read(path: &Path, root: Option<PathBuf>, map: &mut SourceMap) -> Result<StaticView, String> {
        let mut directives = aop_rules::directives_read();
        directives.extend(URL_PATH_DIRECTIVES);
        let opts = LoadOptions {
            root,
            directives,
            ..LoadOptions::default()
        };
        let config = crate::run::load(path, None, &opts, map)?;
        let mut found = config.findings.clone();
        found.extend(aop_rules::check(&aop_rules::Context::new(&config, map)));
        let open = found
            .iter()
            .filter(|f| OPEN_TLS.contains(&f.code) || f.code == OPEN_PLAIN)
            .filter_map(|f| {
                let s = f.server.as_ref()?;
                let ports = s.listen.iter().filter_map(|l| port_of(l)).collect();
                Some((f.code, s.names.clone(), ports))
            })
            .collect();
        let refusal_pages = config
            .servers
            .iter()
            .map(|s| {
                s.refusal_page
                    .or(s.verify_bypass)
                    .and_then(|span| RefusalPage::read(map.bytes(span)))
            })
            .collect();
        let served_paths = config
            .servers
            .iter()
            .map(|s| {
                s.regrants
                    .iter()
                    .filter_map(|r| section_path(&String::from_utf8_lossy(map.bytes(r.section))))
                    .collect()
            })
            .collect();
        let mut view = StaticView {
            config,
            open,
            refusal_pages,
            served_paths,
        };
        view.add_location_paths(map);
        Ok(view)
    }

    /// Adds, after the sections that let everyone in, the literal paths of the locations
    /// that serve content and of httpd's `Alias` and `ProxyPass`: a site that answers 404 or
    /// 403 at `/` may serve them.
    fn add_location_paths(&mut self, map: &SourceMap) {
        for (i, s) in self.config.servers.iter().enumerate() {
            let mapped = s
                .directives
                .own
                .iter()
                .chain(s.directives.inherited.iter())
                .filter(|w| {
                    URL_PATH_DIRECTIVES
                        .iter()
                        .any(|d| w.name.eq_ignore_ascii_case(d.apache))
                })
                // `ProxyPass /static/ !` keeps a path from the backend: not one it serves.
                .filter(|w| w.arg(1) != Some("!"))
                .filter_map(|w| w.arg(0))
                .filter(|p| p.starts_with('/') && p.len() > 1 && !p.contains(['*', '?', '[']))
                .map(str::to_string)
                .collect::<Vec<_>>();
            for path in mapped {
                if !self.served_paths[i].contains(&path) {
                    self.served_paths[i].push(path);
                }
            }
            for l in s
                .locations
                .iter()
                .filter(|l| l.action == aop_model::Action::Serves)
            {
                let Some(path) = section_path(&String::from_utf8_lossy(map.bytes(l.span))) else {
                    continue;
                };
                if !self.served_paths[i].contains(&path) {
                    self.served_paths[i].push(path);
                }
            }
        }
    }

    /// The servers a name reaches, on any port: those that name it.
    fn named<'a>(
        &'a self,
        host: &'a str,
    ) -> impl Iterator<Item = (usize, &'a aop_model::Server)> + 'a {
        self.config
            .servers
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.names.iter().any(|(n, _)| n == host))
    }

    /// What the files suggest asking for `host`: the paths its servers serve, a second
    /// client offering post-handshake authentication where they verify per directory, and
    /// a claim of `127.0.0.1` in the header they take the client's address from (when
    /// `claims` are wanted).
    fn hints(&self, host: &str, claims: bool) -> SiteHints {
        let mut hints = SiteHints {
            host: host.to_string(),
            ..SiteHints::default()
        };
        for (i, s) in self.named(host) {
            for p in &self.served_paths[i] {
                if !hints.paths.contains(p) {
                    hints.paths.push(p.clone());
                }
            }
            hints.post_handshake_auth |= !s.per_directory_verify.is_empty();
            if let Some(real_ip) = s.real_ip.as_ref().filter(|_| claims) {
                // Unless told otherwise nginx reads `X-Real-IP`, Caddy `X-Forwarded-For` first;
                // httpd always names its header.
                let default = match s.kind {
                    aop_model::ServerKind::Caddy => "X-Forwarded-For",
                    _ => "X-Real-IP",
                };
                let header = real_ip.header.as_ref().map_or(default, |(h, _)| h.as_str());
                let claim = Claim {
                    header: header.to_string(),
                    address: "127.0.0.1".to_string(),
                };
                if !hints.claims.contains(&claim) {
                    hints.claims.push(claim);
                }
            }
        }
        hints
    }

    /// The server a request reaches on its port: the one naming its host, else the port's
    /// default.
    fn server_for(&self, p: &Probe) -> Option<usize> {
        let ap =
            self.config.address_ports.iter().find(|ap| {
                ap.port == Some(p.port) && ap.tls == p.tls && ap.reachable_from_outside()
            })?;
        ap.servers
            .iter()
            .copied()
            .find(|&i| {
                self.config.servers[i]
                    .names
                    .iter()
                    .any(|(n, _)| n == &p.host)
            })
            .or(Some(ap.default))
    }

    /// The page of the site an error answer carries, when the files say the server's
    /// refusal is that page and the body is not the server's own error page: content, as
    /// the lint counts it.
    fn refusal_page_served(&self, r: &ProbeResult) -> Option<RefusalPage> {
        let Outcome::Answered(a) = &r.outcome else {
            return None;
        };
        if !r.probe.must_be_refused() || a.body_len == 0 || a.server_error_page {
            return None;
        }
        self.refusal_pages
            .get(self.server_for(&r.probe)?)?
            .clone()
            .filter(|page| page.statuses.contains(&a.status))
    }

    fn ports(&self, tls: bool) -> Vec<u16> {
        let mut ports: Vec<u16> = self
            .config
            .address_ports
            .iter()
            .filter(|ap| ap.tls == tls && ap.reachable_from_outside())
            .filter_map(|ap| ap.port)
            .collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    }

    /// Names a client can send: not regular expressions, not nginx's `_`, and a wildcard as
    /// one name under it.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .config
            .servers
            .iter()
            .flat_map(|s| s.names.iter().map(|(n, _)| n.as_str()))
            .filter(|n| !n.is_empty() && *n != "_" && !n.starts_with('~'))
            .map(|n| match n.strip_prefix("*.") {
                Some(rest) => format!("wild.{rest}"),
                None => n.trim_start_matches('.').trim_end_matches(".*").to_string(),
            })
            .collect();
        names.sort();
        names.dedup();
        names.truncate(20);
        names
    }

    /// Whether the files say this request gets content from someone without Cloudflare's
    /// certificate: `None` for the request with the user's own certificate.
    fn says_open(&self, p: &Probe) -> Option<bool> {
        if !p.must_be_refused() {
            return None;
        }
        let known_name = p.sni == aop_probe::Sni::Host && p.host != aop_probe::UNKNOWN_NAME;
        Some(self.open.iter().any(|(code, names, ports)| {
            let on_port = ports.contains(&p.port);
            let named = names.iter().any(|n| n == &p.host);
            match (*code, p.tls) {
                (OPEN_PLAIN, false) => on_port && named,
                (code, true) if OPEN_TLS.contains(&code) => on_port && (named || !known_name),
                _ => false,
            }
        }))
    }

    fn disagreement(&self, r: &ProbeResult, served: bool, span: Span) -> Option<Finding> {
        let open_by_files = self.says_open(&r.probe)?;
        if served == open_by_files {
            return None;
        }
        let f = if served {
            Finding::new(
                code_of("AOP606"),
                format!(
                    "the files refuse this request but the running server served it: {}",
                    r.outcome.describe()
                ),
                Label::new(span, "this request"),
            )
            .with_help("reload the server, check which process answers on the port (`ss -ltnp`), and whether a proxy or load balancer sits in front; then probe again")
        } else {
            Finding::new(
                code_of("AOP606"),
                format!(
                    "the files serve this request but the running server refused it: {}",
                    r.outcome.describe()
                ),
                Label::new(span, "this request"),
            )
            .severity(aop_model::Severity::Info)
            .with_help("the running server is not running these files: reload it, or lint the files it does run")
        };
        Some(f)
    }
}

/// The port of a listener as the model describes it (`*:443 ssl`, `[::]:80`).
fn port_of(listen: &str) -> Option<u16> {
    let address = listen.split_whitespace().next()?;
    address.rsplit(':').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_give_their_literal_paths_only() {
        assert_eq!(
            section_path("<Location /public/>").as_deref(),
            Some("/public/")
        );
        assert_eq!(
            section_path("<Location \"/api\">\n").as_deref(),
            Some("/api")
        );
        assert_eq!(
            section_path("location = /health {").as_deref(),
            Some("/health")
        );
        assert_eq!(
            section_path("location ^~ /static/ {").as_deref(),
            Some("/static/")
        );
        assert_eq!(section_path("location /app/ {").as_deref(), Some("/app/"));
        for none in [
            "<Location />",
            "<LocationMatch ^/api>",
            "<Directory /var/www/>",
            "location ~ \\.php$ {",
            "location @fallback {",
            "location /files/*.txt {",
        ] {
            assert_eq!(section_path(none), None, "{none}");
        }
    }

    /// A request this build cannot send (no post-handshake client) is a finding that says
    /// so, never a refusal.
    #[test]
    fn a_request_not_sent_is_not_checked() {
        let probe = Probe {
            port: 443,
            tls: true,
            sni: aop_probe::Sni::Host,
            host: "shop.example.com".into(),
            path: "/public/".into(),
            cert: aop_probe::CertChoice::None,
            claim: None,
            post_handshake_auth: true,
        };
        let result = ProbeResult {
            probe,
            outcome: Outcome::NotSent("no client offering post-handshake authentication".into()),
            asked_for_certificate: false,
            acceptable_cas: Vec::new(),
        };
        let mut map = SourceMap::default();
        let found = judge(
            "203.0.113.7:443".parse().unwrap(),
            &[result],
            None,
            &mut map,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].code, "AOP004");
        assert!(
            found[0].message.starts_with("not checked: TLS :443"),
            "{}",
            found[0].message
        );
        assert_eq!(
            found[0].help.as_deref(),
            Some("no client offering post-handshake authentication")
        );
    }

    #[test]
    fn a_refusal_page_is_a_local_path_as_the_files_write_it() {
        let page = RefusalPage::read(b"ErrorDocument 403 \"/index.html\"").unwrap();
        assert_eq!(page.path, "/index.html");
        assert_eq!(page.directive, "ErrorDocument 403 \"/index.html\"");
        assert_eq!(page.statuses, [403]);
        let page = RefusalPage::read(b"error_page 495 496 /denied.html;").unwrap();
        assert_eq!(page.statuses, [400, 400]);
        assert_eq!(
            (page.path.as_str(), page.directive.as_str()),
            ("/denied.html", "error_page 495 496 /denied.html")
        );
        assert!(RefusalPage::read(b"ErrorDocument 403 https://example.com/").is_none());
    }
}
