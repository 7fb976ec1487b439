//! `aop-lint probe --config` on each served fixture, sent from the internet and the edge
//! addresses as the harness's own probes are: the running server's open verdict by the probe,
//! to hold against aop-lint's static one (docs/probe.md).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::common::probe_open_proofs;

use super::layout::MARKER_FILE;
use super::nginx_rewrite::Served;
use super::probe::FOREIGN_NAME;
use super::process::run_with_timeout;
use super::sources::{EDGE, INTERNET};

/// Whether `aop-lint probe` finds the served tree open, and the requests that proved it.
/// `config` is the tree the server runs (the rewritten copy: its ports are the ones served),
/// from which the probe takes its paths, its post-handshake-authentication client, its
/// forwarding-header claims and the refusal pages that are pages of the site.
pub fn probe_open(served: &Served, config: &Path) -> Result<(bool, Vec<String>), String> {
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
        args.extend(["--config".into(), config.display().to_string()]);
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
        // The file the harness put in every root; the paths of the locations come from the
        // files.
        args.extend(["--path".into(), MARKER_FILE.to_string()]);
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
            for proof in probe_open_proofs(&out.stdout, &out.stderr)? {
                proofs.push(format!("from {from}: {proof}"));
            }
        }
    }
    Ok((!proofs.is_empty(), proofs))
}

/// The scenarios only `--config` adds, as [`scenarios_proving`] counts them.
pub const FROM_FILES: [&str; 4] = [
    "a path from the files",
    "post-handshake authentication",
    "a forwarding-header claim",
    "a refusal page of the site",
];

/// Which of [`FROM_FILES`] proved a serving open, from the proofs of [`probe_open`]: the
/// harness asks no path but `/` and its marker file itself, so any other came from the files.
pub fn scenarios_proving(proofs: &[String]) -> [bool; 4] {
    let from_files_path = |p: &String| {
        p.split(" GET ")
            .nth(1)
            .and_then(|rest| rest.split([',', ' ', ']']).next())
            .is_some_and(|path| path != "/" && path != MARKER_FILE)
    };
    [
        proofs.iter().any(from_files_path),
        proofs
            .iter()
            .any(|p| p.contains("(offering post-handshake authentication)")),
        proofs.iter().any(|p| p.contains(": AOP607: ")),
        proofs
            .iter()
            .any(|p| p.contains("but the body is the site's page")),
    ]
}
