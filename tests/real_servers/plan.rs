//! Which requests a served tree gets, from which source address, and the two verdicts drawn
//! from what they got back.

use super::layout::MARKER_FILE;
use super::nginx_rewrite::Served;
use super::parallel::map_parallel;
use super::probe::{run, Cert, Outcome, Probe, FOREIGN_NAME};
use super::sources::{EDGE, INTERNET, LOCAL};

/// Probes in flight at once (each a curl or openssl process).
const PARALLEL: usize = 4;

/// What a probe's answer says about the origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Made from the internet, or from Cloudflare's edge, without Cloudflare's certificate:
    /// content here means the origin is open (to anyone, or to any Cloudflare account that
    /// did not turn on Authenticated Origin Pulls).
    Open,
    /// An unknown name with the Cloudflare certificate, from the edge: content here means
    /// another Cloudflare account reaches the origin.
    Foreign,
    /// Recorded for the table only.
    Info,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Open => "open?",
            Role::Foreign => "foreign?",
            Role::Info => "info",
        }
    }
}

pub struct Row {
    pub probe: Probe,
    pub role: Role,
    pub outcome: Outcome,
}

pub fn probes(served: &Served) -> Vec<(Probe, Role)> {
    let names = &served.names;
    let mut out = Vec::new();
    for ep in served.endpoints.iter().filter(|e| e.http) {
        // Open questions come from the internet; the Cloudflare certificate only ever from
        // the edge.
        let at = |path: &str, sni: Option<&str>, host: &str, cert| Probe {
            source: if cert == Cert::Cloudflare {
                EDGE
            } else {
                INTERNET
            },
            endpoint: ep.clone(),
            sni: sni.map(str::to_string),
            host: host.to_string(),
            cert,
            path: path.to_string(),
            claims_loopback: false,
        };
        let probe = |sni: Option<&str>, host: &str, cert| at("/", sni, host, cert);
        // A file every root holds, and the paths locations name: content there is as much
        // content as at `/` (which may answer 404 for want of an index module).
        let extra = std::iter::once(MARKER_FILE).chain(served.paths.iter().map(String::as_str));
        for path in extra {
            for name in names.iter().map(String::as_str).chain([FOREIGN_NAME]) {
                let sni = ep.tls.then_some(name);
                out.push((at(path, sni, name, Cert::None), Role::Open));
            }
            if ep.tls {
                let sni = Some(FOREIGN_NAME);
                out.push((at(path, sni, FOREIGN_NAME, Cert::Cloudflare), Role::Foreign));
            }
        }
        if !ep.tls {
            for host in names.iter().map(String::as_str).chain([FOREIGN_NAME]) {
                out.push((probe(None, host, Cert::None), Role::Open));
            }
            continue;
        }
        for name in names {
            out.push((probe(Some(name), name, Cert::None), Role::Open));
            out.push((
                probe(Some(name), name, Cert::NoneWithoutPostHandshakeAuth),
                Role::Open,
            ));
            out.push((probe(Some(name), name, Cert::Cloudflare), Role::Info));
            out.push((probe(Some(name), name, Cert::Unrelated), Role::Open));
            // A client talking to the origin directly need not send SNI at all.
            out.push((probe(None, name, Cert::None), Role::Open));
        }
        out.push((
            probe(Some(FOREIGN_NAME), FOREIGN_NAME, Cert::Cloudflare),
            Role::Foreign,
        ));
        out.push((
            probe(Some(FOREIGN_NAME), FOREIGN_NAME, Cert::None),
            Role::Open,
        ));
        if names.len() > 1 {
            for (i, a) in names.iter().enumerate() {
                let b = &names[(i + 1) % names.len()];
                out.push((probe(Some(a), b, Cert::None), Role::Open));
                out.push((probe(Some(a), b, Cert::Cloudflare), Role::Info));
            }
        }
    }
    let mut sourced = Vec::new();
    for (probe, role) in out {
        // A loopback listener is reached from this machine only, not from Cloudflare or
        // anyone else: probed from loopback, recorded, no verdict.
        if probe.endpoint.local_only() {
            let probe = Probe {
                source: LOCAL,
                ..probe
            };
            sourced.push((probe, Role::Info));
            continue;
        }
        // The plain request, no certificate, SNI and Host alike, is also made from the edge
        // (another Cloudflare account without Authenticated Origin Pulls: an allow-list of
        // Cloudflare's ranges lets it in), from the internet claiming to be this machine in
        // forwarding headers (a realip module that believes anyone), and from loopback (what
        // `allow 127.0.0.1` or `Require local` let in, which nobody outside gets: recorded
        // only).
        let plain = probe.path == "/"
            && probe.cert == Cert::None
            && probe.sni.as_deref() == probe.endpoint.tls.then_some(probe.host.as_str());
        let also = (role == Role::Open && plain).then(|| {
            [
                (EDGE, false, Role::Open),
                (INTERNET, true, Role::Open),
                (LOCAL, false, Role::Info),
            ]
            .map(|(source, claims_loopback, role)| {
                let probe = Probe {
                    source,
                    claims_loopback,
                    ..probe.clone()
                };
                (probe, role)
            })
        });
        sourced.push((probe, role));
        sourced.extend(also.into_iter().flatten());
    }
    sourced
}

pub fn run_all(served: &Served) -> Vec<Row> {
    let planned = probes(served);
    let outcomes = map_parallel(&planned, PARALLEL, |(probe, _)| run(probe));
    planned
        .into_iter()
        .zip(outcomes)
        .map(|((probe, role), outcome)| Row {
            probe,
            role,
            outcome,
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub open: bool,
    pub foreign: bool,
}

impl Verdict {
    pub fn observed(rows: &[Row]) -> Verdict {
        let any = |role| rows.iter().any(|r| r.role == role && r.outcome.served());
        Verdict {
            open: any(Role::Open),
            foreign: any(Role::Foreign),
        }
    }
}
