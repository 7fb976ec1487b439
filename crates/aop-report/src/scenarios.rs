//! `aop-lint servers --scenarios`: for each address:port reachable from outside, what each
//! kind of request gets (docs/semantics.md), and which server decided it.

use aop_model::{Answer, CertSent, Config, Name, Request};
use aop_source::SourceMap;

use crate::display_path;

/// A name no site configures (a reserved top-level domain).
pub const UNKNOWN_NAME: &str = "unknown.invalid";

/// The names a client can send to `ap`'s servers: plain names (not regular expressions,
/// not `_`), a wildcard as one name under it, then a name nobody configured.
fn names(config: &Config, servers: &[usize]) -> Vec<String> {
    let mut out: Vec<String> = servers
        .iter()
        .flat_map(|&i| {
            config.servers[i]
                .names
                .iter()
                .map(|(n, _)| n.to_ascii_lowercase())
        })
        .filter(|n| !n.is_empty() && n != "_" && !n.starts_with('~') && !n.contains('?'))
        .map(|n| {
            let n = n.replace('*', "wild");
            n.trim_start_matches('.').to_string()
        })
        .collect();
    out.sort();
    out.dedup();
    out.push(UNKNOWN_NAME.to_string());
    out
}

/// One row of the table.
pub struct Scenario {
    /// Index into the configuration's address:port pairs.
    pub address_port: usize,
    pub name: String,
    /// SNI as well as `Host` (else `Host` only).
    pub sni: bool,
    pub cert: CertSent,
    pub answer: Answer,
}

/// Every request of the table, per address:port reachable from outside.
pub fn scenarios(config: &Config) -> Vec<Scenario> {
    let mut out = Vec::new();
    for (a, ap) in config.address_ports.iter().enumerate() {
        if !ap.reachable_from_outside() {
            continue;
        }
        let forms: &[bool] = if ap.tls { &[true, false] } else { &[false] };
        let certs: &[CertSent] = if ap.tls {
            &[CertSent::None, CertSent::Unrelated, CertSent::Trusted]
        } else {
            &[CertSent::None]
        };
        for name in names(config, &ap.servers) {
            for &sni in forms {
                for &cert in certs {
                    let form = if sni {
                        Name::Both(&name)
                    } else {
                        Name::HostOnly(&name)
                    };
                    let answer = config.simulate(ap, Request { name: form, cert });
                    out.push(Scenario {
                        address_port: a,
                        name: name.clone(),
                        sni,
                        cert,
                        answer,
                    });
                }
            }
        }
    }
    out
}

pub fn render_scenarios(config: &Config, map: &SourceMap) -> String {
    let mut text = String::new();
    let mut last = None;
    for row in scenarios(config) {
        let a = row.address_port;
        let ap = &config.address_ports[a];
        if last != Some(a) {
            let kind = if ap.tls { "TLS" } else { "plain HTTP" };
            text.push_str(&format!("{} ({kind})\n", ap.address_port()));
            last = Some(a);
        }
        let n = &row.name;
        let name = match (ap.tls, row.sni) {
            (true, true) => format!("SNI {n}, Host {n}"),
            (true, false) => format!("no SNI, Host {n}"),
            (false, _) => format!("Host {n}"),
        };
        let cert = if ap.tls {
            format!(", {}", row.cert.describe())
        } else {
            String::new()
        };
        let server = |i: usize| {
            let s = &config.servers[i];
            let loc = map.location(s.span);
            format!(
                "{} ({}:{})",
                s.display_name(),
                display_path(&map.file(s.span.file).path),
                loc.line
            )
        };
        let said = match row.answer {
            Answer::Content { server: i } => format!("CONTENT from {}", server(i)),
            Answer::Refused { server: i, why } => format!("refused by {} ({why})", server(i)),
            Answer::Undecided { why } => format!("not decided: {why}"),
        };
        text.push_str(&format!("    {name}{cert}: {said}\n"));
    }
    text
}
