//! `aop-lint probe`: the requests a locked origin must refuse, sent to the running server.
//! What came back is written as a transcript, one line a request, and each finding points at
//! the line of the request that proved it, so every report format carries the evidence.

use std::net::{SocketAddr, ToSocketAddrs};

use aop_model::{Code, Finding, Label};
use aop_probe::{plan, ClientCert, Outcome, Probe, Result as ProbeResult, TargetSpec};
use aop_report::{render_concise, render_github, render_human, render_sarif, write_json};
use aop_report::{HumanOptions, Report};
use aop_rules::find_rule;
use aop_source::{SourceMap, Span};

use crate::catalog;
use crate::cli::{Format, ProbeArgs};
use crate::run::{error, gate_exit, use_color, write_out, EXIT_CLEAN, EXIT_INPUT};

/// More CA names than an origin-pull setup needs (Cloudflare's CA, a zone's own CA, their
/// successors): past this, the client CA file is a bundle.
const MAX_EXPECTED_CAS: usize = 8;

pub fn probe(args: ProbeArgs) -> i32 {
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
    let tls_ports = if args.ports.is_empty() {
        vec![443]
    } else {
        args.ports.clone()
    };
    let plain_ports = match (args.no_http, args.http_ports.is_empty()) {
        (true, _) => Vec::new(),
        (false, true) => vec![80],
        (false, false) => args.http_ports.clone(),
    };
    let mut specs = Vec::new();
    for target in &args.targets {
        match address(target) {
            Ok(address) => specs.push(TargetSpec {
                address,
                tls_ports: tls_ports.clone(),
                plain_ports: plain_ports.clone(),
                hosts: args.hosts.clone(),
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
    let mut map = SourceMap::default();
    let mut findings = Vec::new();
    for spec in &specs {
        let plan = plan(spec);
        let results = aop_probe::run(&plan, user_cert.as_ref());
        findings.extend(judge(spec.address, &results, &mut map));
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
fn judge(address: SocketAddr, results: &[ProbeResult], map: &mut SourceMap) -> Vec<Finding> {
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
    let meta = find_rule(code)
        .expect("probe codes are registered rules")
        .meta();
    Code {
        code: meta.code,
        name: meta.name,
        severity: meta.severity,
    }
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
    let written = match args.format {
        Format::Json => {
            let mut out = Vec::new();
            match write_json(&report, &mut out) {
                Ok(()) => write_out(&String::from_utf8_lossy(&out)),
                Err(_) => EXIT_INPUT,
            }
        }
        Format::Sarif => write_out(&render_sarif(&report, &catalog::rule_infos(None))),
        Format::Github => write_out(&render_github(&report)),
        Format::Concise => write_out(&render_concise(&report)),
        Format::Human => {
            let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
            let mut text = render_human(
                &report,
                HumanOptions {
                    color: use_color(args.color, terminal),
                    quiet: true,
                    ..HumanOptions::default()
                },
            );
            // The transcript is the evidence of a clean run too.
            for (_, f) in map.files() {
                text.push_str(&String::from_utf8_lossy(&f.bytes));
            }
            write_out(&text)
        }
    };
    if written != EXIT_CLEAN {
        return written;
    }
    gate_exit(args.fail_on, &report.findings)
}
