//! `aop-lint probe`: the requests a locked origin must refuse, sent to the running server.
//! What came back is written as a transcript, one line a request, and each finding points at
//! the line of the request that proved it, so every report format carries the evidence.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use aop_model::{Code, Finding, Label, LoadOptions};
use aop_probe::{plan, ClientCert, Outcome, Probe, Result as ProbeResult, TargetSpec};
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
        let served = r.outcome.is_content();
        let code = match (&r.probe, served) {
            (p, true) if p.must_be_refused() && !p.tls => Some("AOP603"),
            (p, true) if p.must_be_refused() && p.cert == aop_probe::CertChoice::Throwaway => {
                Some("AOP602")
            }
            (p, true) if p.must_be_refused() => Some("AOP601"),
            (p, false) if !p.must_be_refused() => Some("AOP605"),
            _ => None,
        };
        if let Some(code) = code {
            out.push(finding(code, &r.probe, &r.outcome, span));
        }
        if let Some(f) = files.and_then(|f| f.disagreement(r, span)) {
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
            f.note = Some(format!(
                "the first names: {}",
                r.acceptable_cas
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
            out.push(f);
        }
    }
    out
}

fn code_of(code: &str) -> Code {
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
    Finding::new(
        code_of(code),
        message,
        Label::new(span, format!("this request: {}", probe.describe())),
    )
    .with_help(help)
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
}

/// The findings that say a request without Cloudflare's certificate gets content, by kind.
/// (AOP201 says an unknown name gets a real site with Cloudflare's certificate: the probe
/// has none, so it is not among them.)
const OPEN_TLS: &[&str] = &["AOP101", "AOP102", "AOP103", "AOP107"];
const OPEN_PLAIN: &str = "AOP202";

impl StaticView {
    fn read(path: &Path, root: Option<PathBuf>, map: &mut SourceMap) -> Result<StaticView, String> {
        let opts = LoadOptions {
            root,
            directives: aop_rules::directives_read(),
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
        Ok(StaticView { config, open })
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

    fn disagreement(&self, r: &ProbeResult, span: Span) -> Option<Finding> {
        let open_by_files = self.says_open(&r.probe)?;
        let served = r.outcome.is_content();
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
