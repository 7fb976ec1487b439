//! `aop-lint probe` on each served fixture, sent from the internet and the edge addresses as
//! the harness's own probes are: the running server's open verdict by the probe, to hold
//! against aop-lint's static one (docs/probe.md).

use std::process::Command;
use std::time::Duration;

use super::layout::MARKER_FILE;
use super::nginx_rewrite::Served;
use super::probe::FOREIGN_NAME;
use super::process::run_with_timeout;
use super::sources::{EDGE, INTERNET};

/// The probe's findings that say someone without Cloudflare's certificate got content.
const OPEN: [&str; 3] = ["AOP601", "AOP602", "AOP603"];

/// Whether `aop-lint probe` finds the served tree open, and the requests that proved it.
pub fn probe_open(served: &Served) -> Result<(bool, Vec<String>), String> {
    let reachable: Vec<_> = served
        .endpoints
        .iter()
        .filter(|e| e.http && !e.local_only())
        .collect();
    let mut hosts: Vec<&str> = reachable.iter().map(|e| e.host.as_str()).collect();
    hosts.sort();
    hosts.dedup();
    let mut proofs = Vec::new();
    for host in hosts {
        let at: Vec<_> = reachable.iter().filter(|e| e.host == host).collect();
        let mut args: Vec<String> = vec!["probe".into(), host.to_string()];
        for name in served.names.iter().take(8) {
            args.extend(["--host".into(), name.clone()]);
        }
        // A tree that names no site is asked with a name nobody configured.
        if served.names.is_empty() {
            args.extend(["--host".into(), FOREIGN_NAME.into()]);
        }
        for e in at.iter().filter(|e| e.tls) {
            args.extend(["--port".into(), e.port.to_string()]);
        }
        let plain: Vec<_> = at.iter().filter(|e| !e.tls).collect();
        if plain.is_empty() {
            args.push("--no-http".into());
        }
        for e in plain {
            args.extend(["--http-port".into(), e.port.to_string()]);
        }
        for path in std::iter::once(MARKER_FILE)
            .chain(served.paths.iter().map(String::as_str))
            .take(8)
        {
            args.extend(["--path".into(), path.to_string()]);
        }
        for source in [INTERNET, EDGE] {
            let from = if host.contains(':') {
                source.v6
            } else {
                source.v4
            };
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_aop-lint"));
            cmd.args(&args).args(["--source", from, "--format", "json"]);
            let out = run_with_timeout(&mut cmd, Duration::from_secs(120))?;
            if std::env::var_os("AOP_PROBE_CLI_SHOW").is_some() {
                println!(
                    "probe {args:?} from {from}:\n{}",
                    String::from_utf8_lossy(&out.stdout)
                );
            }
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
                format!(
                    "aop-lint probe gave no JSON ({e}): {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )
            })?;
            for f in json["findings"].as_array().into_iter().flatten() {
                if OPEN.contains(&f["code"].as_str().unwrap_or_default()) {
                    proofs.push(format!(
                        "{} from {from}: {}",
                        f["code"].as_str().unwrap_or_default(),
                        f["message"].as_str().unwrap_or_default()
                    ));
                }
            }
        }
    }
    Ok((!proofs.is_empty(), proofs))
}
