//! One tree from the corpus to a result: prepared, linted, served as written and, when
//! the server refuses it, served again as edited.

use std::path::{Path, PathBuf};

use super::edit::until_accepted;
use super::lint::lint;
use super::namespace::{apache_launch, caddy_launch, nginx_launch, start, Launch, Started};
use super::prepare::{inside, prepare, Prepared};
use super::probe::probe_all;
use super::trees;
use super::verdict::{Kind, Run, Served, TreeResult};

/// Where the trees keep the Caddyfile Caddy is started with: the official image's place,
/// the FreeBSD port's, and Nextcloud AIO's rewritten copy.
const CADDYFILES: &[&str] = &[
    "etc/caddy/Caddyfile",
    "usr/local/etc/caddy/Caddyfile",
    "tmp/Caddyfile",
];

/// The Caddyfile of a Caddy tree, absolute in the served system.
fn caddyfile(tree: &Path) -> Option<String> {
    CADDYFILES
        .iter()
        .find(|f| tree.join(f).is_file())
        .map(|f| format!("/{f}"))
}

/// What aop-lint is pointed at, and how the server is started, for a prepared root.
pub fn entry(kind: Kind, root: &Path, caddy: Option<&Path>) -> Result<(PathBuf, Launch), String> {
    match kind {
        Kind::Nginx => Ok((root.join("etc/nginx"), nginx_launch())),
        Kind::Caddy => {
            let config = caddyfile(root).ok_or("no Caddyfile")?;
            let binary = caddy.ok_or("caddy not installed")?;
            Ok((inside(root, &config), caddy_launch(&config, binary)))
        }
        Kind::Apache => {
            let layouts = [
                ("etc/apache2", "apache2.conf"),
                ("etc/httpd", "conf/httpd.conf"),
                ("usr/local/apache2", "conf/httpd.conf"),
            ];
            let (server_root, main) = layouts
                .iter()
                .find(|(dir, main)| root.join(dir).join(main).is_file())
                .ok_or("no Apache main file")?;
            let envvars = root.join(server_root).join("envvars").is_file();
            let launch = apache_launch(
                &format!("/{server_root}"),
                &format!("/{server_root}/{main}"),
                envvars,
            );
            Ok((root.join(server_root).join(main), launch))
        }
    }
}

/// `caddy` is the binary Caddy trees are served with.
pub fn check_tree(dir: &Path, kind: Kind, caddy: Option<&Path>) -> Result<TreeResult, String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let spec = trees::spec(&name)
        .ok_or_else(|| format!("{name}: no entry in tests/realworld/trees.rs"))?;
    let source =
        std::fs::read_to_string(dir.join("SOURCE")).map_err(|e| format!("{name}/SOURCE: {e}"))?;
    let uncovered = trees::uncovered(spec, &source);
    if !uncovered.is_empty() {
        return Err(format!(
            "{name}: SOURCE names {} but tests/realworld/trees.rs generates nothing there",
            uncovered.join(", ")
        ));
    }
    let temp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = temp.path().join("root");
    let symlinks = source.to_lowercase().contains("symlink");
    let config = caddyfile(dir).filter(|_| kind == Kind::Caddy);
    let prepared = prepare(dir, spec, &root, symlinks, config.as_deref())
        .map_err(|e| format!("{name}: {e}"))?;
    let (target, launch) = entry(kind, &root, caddy).map_err(|e| format!("{name}: {e}"))?;
    let lint = lint(&root, &target, kind.label()).map_err(|e| format!("{name}: {e}"))?;
    let serve = |ctl: &Path| {
        let run = serve_once(&root, ctl, &launch, &prepared, spec.hostname);
        if let Some(e) = run.started.as_ref().err() {
            println!("{name}: {e}");
        }
        run
    };
    let first = serve(&temp.path().join("ctl"));
    let started = first.started.clone();
    let mut not_edited = None;
    let served = match &first.started {
        Ok(()) => Some(Served {
            edits: Vec::new(),
            run: first,
            lint: lint.clone(),
        }),
        Err(why) if why.starts_with("refused") => match until_accepted(&root, &launch, spec) {
            Ok(edits) => {
                let lint = super::lint::lint(&root, &target, kind.label())
                    .map_err(|e| format!("{name}: edited copy: {e}"))?;
                let run = serve(&temp.path().join("ctl-edited"));
                Some(Served { edits, run, lint })
            }
            Err(e) => {
                not_edited = Some(e);
                None
            }
        },
        Err(_) => None,
    };
    if std::env::var_os("AOP_REALWORLD_KEEP").is_some() {
        println!("{name}: prepared root kept in {}", temp.keep().display());
    }
    Ok(TreeResult {
        tree: name,
        kind,
        started,
        lint,
        served,
        not_edited,
        edits: prepared.edits,
    })
}

pub fn serve_once(
    root: &Path,
    ctl: &Path,
    launch: &Launch,
    prepared: &Prepared,
    hostname: Option<&str>,
) -> Run {
    let (started, rows) = match start(root, ctl, launch, &prepared.backends, hostname) {
        Started::Running(running) => {
            let (rows, truncated) = probe_all(&running, &prepared.names, &prepared.paths);
            if truncated {
                println!("{}: probe plan cut at its bound", root.display());
            }
            if running.alive() {
                (Ok(()), rows)
            } else {
                let log = std::fs::read_to_string(&running.log).unwrap_or_default();
                let why = format!("stopped while probed: {}", first_error(&log));
                (Err(why), Vec::new())
            }
        }
        Started::Refused(why) => (Err(format!("refused: {}", first_error(&why))), Vec::new()),
        Started::Exited(why) => {
            let why = format!("{why}{}", error_logs(root));
            (
                Err(format!("did not stay up: {}", first_error(&why))),
                Vec::new(),
            )
        }
    };
    Run { started, rows }
}

/// The last lines of the error logs the server wrote in the root (where a server that
/// passed its configuration test says why it stopped).
pub fn error_logs(root: &Path) -> String {
    let mut out = String::new();
    for entry in walkdir::WalkDir::new(root)
        .max_depth(6)
        .into_iter()
        .filter_entry(|e| {
            !["proc", "usr", "dev"]
                .iter()
                .any(|d| e.path() == root.join(d))
        })
        .flatten()
    {
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && name.contains("error") && name.contains("log") {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            for line in lines.iter().rev().take(5).rev() {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// The line of a server's start-up output that says why (warnings skipped), without
/// nginx's time stamp and pid.
pub fn first_error(output: &str) -> String {
    let line = output
        .lines()
        .find(|l| {
            l.contains("emerg")
                || l.contains(":error]")
                || l.contains("rror:")
                || l.contains("Invalid")
                || l.contains("AH00526")
                || l.contains(r#""level":"error""#)
        })
        .or_else(|| output.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("no output");
    // Caddy logs JSON: its message, without the step that failed.
    let line = match line.split_once(r#""msg":""#) {
        Some((_, msg)) => msg.split(r#"",""#).next().unwrap_or(msg),
        None => line,
    };
    let line = line.trim_start_matches("adapting config using caddyfile: ");
    let line = match line.split_once("[emerg] ") {
        Some((_, rest)) => rest.split_once(": ").map_or(rest, |(_, why)| why),
        None => line,
    };
    line.trim().chars().take(140).collect()
}
