//! Verdicts on the public trees of `../shared/corpus/realworld/`, checked against the real
//! servers: each tree is served as written (chrooted into a prepared copy, inside private
//! mount and network namespaces) and probed from an "internet" address, a Cloudflare edge
//! address and loopback; aop-lint lints the same copy. See docs/real-servers.md.
//!
//! Runs when the corpus is there (`CI` set: it must be); `--nocapture` shows the table.

#[path = "real_servers/curl.rs"]
mod curl;
#[allow(dead_code)]
#[path = "real_servers/pki.rs"]
mod pki;
#[path = "real_servers/report_codes.rs"]
mod report_codes;

mod realworld {
    pub mod edit;
    pub mod known;
    pub mod lint;
    pub mod namespace;
    pub mod prepare;
    pub mod probe;
    pub mod trees;
}

use std::path::{Path, PathBuf};

use realworld::edit::until_accepted;
use realworld::lint::{lint, Lint};
use realworld::namespace::{apache_launch, nginx_launch, start, Launch, Started};
use realworld::prepare::{prepare, Prepared};
use realworld::probe::{probe_all, Outcome, Probe};
use realworld::{known, trees};

const TOOLS: &[&str] = &[
    "nginx", "apache2", "curl", "openssl", "unshare", "nsenter", "ip", "ss", "chroot",
];

fn ci() -> bool {
    std::env::var("CI").map(|v| !v.is_empty()).unwrap_or(false)
}

/// `AOP_REAL_SERVERS=off` skips on purpose, as for tests/real_servers.rs (not under CI).
fn switched_off() -> bool {
    let off = std::env::var("AOP_REAL_SERVERS").as_deref() == Ok("off") && !ci();
    if off {
        println!("realworld: not run: AOP_REAL_SERVERS=off");
    }
    off
}

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/realworld");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        !ci(),
        "CI is set but {} is missing: the real-world corpus must sit beside the clone",
        dir.display()
    );
    println!(
        "realworld: not run: {} is missing (CI unset)",
        dir.display()
    );
    None
}

/// Private mount and network namespaces need root (CAP_SYS_ADMIN).
fn namespaces_allowed() -> bool {
    let ok = std::process::Command::new("unshare")
        .args(["--mount", "--net", "--uts", "--fork", "true"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        let message = "realworld: cannot create mount/network namespaces (needs root)";
        assert!(!ci(), "{message}; CI is set, so this is a failure");
        println!("{message}: not run");
    }
    ok
}

fn tools_present() -> bool {
    let missing: Vec<&str> = TOOLS
        .iter()
        .copied()
        .filter(|t| {
            !["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
                .iter()
                .any(|d| Path::new(d).join(t).is_file())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!("realworld: {} not installed", missing.join(", "));
    assert!(!ci(), "{message}; CI is set, so this is a failure");
    println!("{message}: not run");
    false
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Nginx,
    Apache,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Apache => "apache",
        }
    }
}

/// What aop-lint is pointed at, and how the server is started, for a prepared root.
fn entry(kind: Kind, root: &Path) -> Result<(PathBuf, Launch), String> {
    match kind {
        Kind::Nginx => Ok((root.join("etc/nginx"), nginx_launch())),
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

/// One serving of a prepared root: whether it started and stayed up, and the probes.
struct Run {
    started: Result<(), String>,
    rows: Vec<(Probe, Outcome)>,
}

/// The copy whose open, foreign and plain verdicts are compared: the tree as written when
/// it starts, else the copy with the lines the server refused edited out.
struct Served {
    edits: Vec<String>,
    run: Run,
    lint: Lint,
}

struct Result_ {
    tree: String,
    kind: Kind,
    /// The tree as written: the start verdict.
    started: Result<(), String>,
    lint: Lint,
    served: Option<Served>,
    /// Why no edited copy was served, for a refused tree.
    not_edited: Option<String>,
    edits: Vec<String>,
}

impl Served {
    fn served(&self, question: fn(&Probe) -> bool) -> usize {
        self.run
            .rows
            .iter()
            .filter(|(p, o)| question(p) && o.served())
            .count()
    }
    fn open(&self) -> bool {
        self.served(Probe::asks_open) > 0
    }
    fn foreign(&self) -> bool {
        self.served(Probe::asks_foreign) > 0
    }
    /// The part of `open` that plain HTTP accounts for (AOP202's question).
    fn plain(&self) -> bool {
        self.served(|p| p.asks_open() && !p.tls) > 0
    }
}

impl Result_ {
    /// The serving whose probes count: one that started.
    fn compared(&self) -> Option<&Served> {
        self.served.as_ref().filter(|s| s.run.started.is_ok())
    }

    /// `(verdict, server, aop-lint)` for each question that differs.
    fn disagreements(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let started = self.started.is_ok();
        if started == self.lint.refuses {
            out.push((
                "start",
                format!(
                    "server {} | aop-lint {}",
                    if started { "starts" } else { "refuses" },
                    if self.lint.refuses {
                        "says it refuses"
                    } else {
                        "reports no start error"
                    }
                ),
            ));
        }
        let Some(served) = self.compared() else {
            return out;
        };
        for (what, seen, said) in [
            ("open", served.open(), served.lint.open),
            ("foreign", served.foreign(), served.lint.foreign),
            ("plain", served.plain(), served.lint.plain),
        ] {
            if seen != said {
                let edited = if served.edits.is_empty() {
                    ""
                } else {
                    " (edited copy)"
                };
                out.push((
                    what,
                    format!(
                        "server {what}={} | aop-lint {what}={}{edited}",
                        yn(seen),
                        yn(said)
                    ),
                ));
            }
        }
        out
    }
}

fn yn(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn check_tree(dir: &Path, kind: Kind) -> Result<Result_, String> {
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
    let prepared = prepare(dir, spec, &root, symlinks).map_err(|e| format!("{name}: {e}"))?;
    let (target, launch) = entry(kind, &root).map_err(|e| format!("{name}: {e}"))?;
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
                let lint = realworld::lint::lint(&root, &target, kind.label())
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
    Ok(Result_ {
        tree: name,
        kind,
        started,
        lint,
        served,
        not_edited,
        edits: prepared.edits,
    })
}

fn serve_once(
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
fn error_logs(root: &Path) -> String {
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
fn first_error(output: &str) -> String {
    let line = output
        .lines()
        .find(|l| {
            l.contains("emerg")
                || l.contains(":error]")
                || l.contains("rror:")
                || l.contains("Invalid")
                || l.contains("AH00526")
        })
        .or_else(|| output.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("no output");
    let line = match line.split_once("[emerg] ") {
        Some((_, rest)) => rest.split_once(": ").map_or(rest, |(_, why)| why),
        None => line,
    };
    line.trim().chars().take(140).collect()
}

fn print_result(r: &Result_) {
    let verbose = std::env::var_os("AOP_REALWORLD_VERBOSE").is_some();
    let rows = r.served.iter().flat_map(|s| &s.run.rows);
    for (probe, outcome) in rows {
        let asks = if probe.asks_open() {
            "open?"
        } else if probe.asks_foreign() {
            "foreign?"
        } else {
            "info"
        };
        if verbose || (outcome.served() && asks != "info") {
            println!(
                "  {:<36} {:<100} {:<9} {}",
                r.tree,
                probe.describe(),
                asks,
                outcome.describe()
            );
        }
    }
    for edit in &r.edits {
        if !edit.starts_with("symlink") {
            println!("  {:<36} edit: {edit}", r.tree);
        }
    }
    for edit in r.served.iter().flat_map(|s| &s.edits) {
        println!("  {:<36} edited copy: {edit}", r.tree);
    }
}

#[test]
fn realworld_verdicts_match_real_servers() {
    if switched_off() {
        return;
    }
    let Some(corpus) = corpus() else { return };
    if !tools_present() || !namespaces_allowed() {
        return;
    }
    let list =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realworld/known-disagreements.txt");
    let known = known::read(&list).unwrap_or_else(|e| panic!("{e}"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("corpus readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();

    let mut problems = Vec::new();
    let mut results = Vec::new();
    let mut unchecked = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if let Ok(only) = std::env::var("AOP_REALWORLD_ONLY") {
            if !only.split(',').any(|o| name.contains(o)) {
                continue;
            }
        }
        let kind = match name.split('-').next() {
            Some("nginx") => Kind::Nginx,
            Some("apache") => Kind::Apache,
            _ => {
                unchecked.push(name);
                continue;
            }
        };
        match check_tree(dir, kind) {
            Ok(r) => {
                print_result(&r);
                results.push(r);
            }
            Err(e) => problems.push(e),
        }
    }

    println!(
        "\n{:<38} {:<6} {:<8} {:<9} {:>6} {:>8} {:>8}  {:<22} {:<26} agree",
        "tree",
        "kind",
        "server",
        "served",
        "probes",
        "open-hit",
        "frgn-hit",
        "server open/frgn/plain",
        "aop-lint open/frgn/plain"
    );
    let mut seen_disagreements = Vec::new();
    for r in &results {
        let start = match &r.started {
            Ok(()) => "starts",
            Err(e) if e.starts_with("refused") => "refuses",
            Err(_) => "stops",
        };
        let compared = r.compared();
        let (as_served, server, said) = match compared {
            Some(c) => (
                if c.edits.is_empty() {
                    "written".to_string()
                } else {
                    format!("edited {}", c.edits.len())
                },
                format!("{}/{}/{}", yn(c.open()), yn(c.foreign()), yn(c.plain())),
                format!(
                    "{}/{}/{}",
                    yn(c.lint.open),
                    yn(c.lint.foreign),
                    yn(c.lint.plain)
                ),
            ),
            None => ("-".to_string(), "-".to_string(), "-".to_string()),
        };
        let count = |question: fn(&Probe) -> bool| compared.map_or(0, |c| c.served(question));
        let disagreements = r.disagreements();
        let agree = if disagreements.is_empty() {
            "yes".to_string()
        } else {
            format!(
                "NO ({})",
                disagreements
                    .iter()
                    .map(|d| d.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        println!(
            "{:<38} {:<6} {:<8} {:<9} {:>6} {:>8} {:>8}  {:<22} {:<26} {agree}",
            r.tree,
            r.kind.label(),
            start,
            as_served,
            compared.map_or(0, |c| c.run.rows.len()),
            count(Probe::asks_open),
            count(Probe::asks_foreign),
            server,
            format!("{said}{}", if r.lint.refuses { " (refuses)" } else { "" }),
        );
        println!("{:<38} codes: {}", "", r.lint.codes.join(" "));
        if let Err(e) = &r.started {
            println!("{:<38} {e}", "");
        }
        if let Some(c) = r.served.as_ref().filter(|c| !c.edits.is_empty()) {
            println!("{:<38} edited copy's codes: {}", "", c.lint.codes.join(" "));
            if let Err(e) = &c.run.started {
                println!("{:<38} edited copy: {e}", "");
            }
        }
        if let Some(why) = &r.not_edited {
            println!("{:<38} no edited copy: {why}", "");
        }
        for (verdict, sides) in disagreements {
            let listed = known
                .iter()
                .find(|k| k.tree == r.tree && k.verdict == verdict);
            match listed {
                Some(k) => println!(
                    "{:<38} known disagreement ({verdict}): {} [{sides}]",
                    "", k.why
                ),
                None => problems.push(format!(
                    "{}: {verdict}: {sides} (codes: {}); not in {}",
                    r.tree,
                    r.lint.codes.join(" "),
                    list.display()
                )),
            }
            seen_disagreements.push((r.tree.clone(), verdict));
        }
    }
    for name in &unchecked {
        println!("{name:<38} not checked: no Caddy reader yet");
    }
    for k in &known {
        let checked = results.iter().any(|r| r.tree == k.tree);
        let still = seen_disagreements
            .iter()
            .any(|(t, v)| *t == k.tree && *v == k.verdict);
        if checked && !still {
            problems.push(format!(
                "{} {}: listed in {} but aop-lint now agrees with the server: remove the line",
                k.tree,
                k.verdict,
                list.display()
            ));
        }
    }
    let by_kind = |kind: Kind| {
        let of: Vec<&Result_> = results.iter().filter(|r| r.kind == kind).collect();
        let agree = of.iter().filter(|r| r.disagreements().is_empty()).count();
        let probes: usize = of
            .iter()
            .filter_map(|r| r.served.as_ref())
            .map(|s| s.run.rows.len())
            .sum();
        format!(
            "{}: {agree}/{} trees agree, {probes} probes",
            kind.label(),
            of.len()
        )
    };
    println!(
        "\n{}; {}; {} not checked",
        by_kind(Kind::Nginx),
        by_kind(Kind::Apache),
        unchecked.len()
    );
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}
