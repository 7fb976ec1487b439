use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::Parser;

use aop_gate::{gate, resolve_rules, Policy};
use aop_model::{codes, Config, Finding, Label, LoadOptions, ServerKind, ServerVersions, Severity};
use aop_report::{
    render_concise, render_github, render_gitlab, render_human, render_junit, render_sarif,
    render_statistics, sort_findings, sort_suppressed, write_json, HumanOptions, Report,
};
use aop_rules::{CaSettings, Context};
use aop_source::{FileId, SourceMap, Span};

use crate::catalog;
use crate::cli::{
    CaArgs, CheckArgs, Cli, ColorChoice, Command, Common, ExplainArgs, FailOn, Format, ListFormat,
    RulesArgs, ServerArg, ServersArgs,
};
use crate::config::{self, ConfigError, Settings};
use crate::discover::discover;
use crate::self_report::{self, SelfReport};
use crate::trees::{plan, Given, Tree};

pub(crate) const EXIT_CLEAN: i32 = 0;
pub(crate) const EXIT_FINDINGS: i32 = 1;
pub(crate) const EXIT_INPUT: i32 = 2;

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_INPUT
            } else {
                EXIT_CLEAN
            };
        }
    };
    match cli.command {
        Some(Command::Servers(args)) => servers(args),
        Some(Command::Probe(args)) => crate::probe::probe(args),
        Some(Command::Completions(args)) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // Into memory first: the generator panics on a closed pipe (`... | head`).
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut cmd, "aop-lint", &mut out);
            write_out(&String::from_utf8_lossy(&out))
        }
        Some(Command::Man) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            match clap_mangen::Man::new(cmd).render(&mut out) {
                Ok(()) => write_out(&String::from_utf8_lossy(&out)),
                Err(e) => {
                    error(&e.to_string());
                    EXIT_INPUT
                }
            }
        }
        Some(Command::Rules(args)) => rules(args),
        Some(Command::Explain(args)) => explain(args),
        None => check(cli.check),
    }
}

fn cli_kind(common: &Common) -> Option<ServerKind> {
    common.server.map(|s| match s {
        ServerArg::Nginx => ServerKind::Nginx,
        ServerArg::Apache => ServerKind::Apache,
        ServerArg::Caddy => ServerKind::Caddy,
    })
}

fn options(common: &Common) -> LoadOptions {
    LoadOptions {
        root: common.root.clone(),
        defines: (!common.defines.is_empty()).then(|| common.defines.clone()),
        build: common.build,
        directives: aop_rules::directives_read(),
        ..LoadOptions::default()
    }
}

/// The options for one tree: without `--root`, a tree whose path ends in `etc/nginx`,
/// `etc/apache2` or `etc/httpd` is a copy of `/` (a repository's `deploy/etc/nginx`), and its
/// absolute paths are read below that copy, never from this machine; said on standard error
/// unless `quiet`.
fn tree_options(
    opts: &LoadOptions,
    tree: &Path,
    settings: Option<&Settings>,
    quiet: bool,
) -> LoadOptions {
    let opts = &LoadOptions {
        build: opts.build.or(settings.and_then(|s| s.build)),
        ..opts.clone()
    };
    if opts.root.is_some() {
        return opts.clone();
    }
    if let Some(root) = settings.and_then(|s| s.root.as_deref()) {
        return LoadOptions {
            root: Some(root.to_path_buf()),
            ..opts.clone()
        };
    }
    let Some(root) = crate::trees::copied_root(tree) else {
        return opts.clone();
    };
    if !quiet && root != Path::new("/") {
        eprintln!(
            "aop-lint: note: {} is read as a copy of `/` rooted at {}: absolute paths in it resolve below that directory (`--root` chooses another)",
            tree.display(),
            root.display()
        );
    }
    LoadOptions {
        root: Some(root),
        ..opts.clone()
    }
}

/// The most bytes read from a dump: a dump holds a whole tree.
const MAX_DUMP_BYTES: u64 = 1 << 30;

/// Reads a dump, and the `nginx -V` lines printed ahead of it (`{ nginx -V; nginx -T; } 2>&1`),
/// whose build applies when none was named.
fn load_dump(
    source: &Path,
    opts: &LoadOptions,
    map: &mut SourceMap,
) -> Result<(Config, SelfReport), String> {
    let bytes = if source == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_DUMP_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("standard input: {e}"))?;
        if buf.len() as u64 > MAX_DUMP_BYTES {
            return Err(format!("standard input: more than {MAX_DUMP_BYTES} bytes"));
        }
        buf
    } else {
        aop_source::read_regular_file(source, MAX_DUMP_BYTES)
            .map_err(|e| format!("{}: {e}", source.display()))?
    };
    let head = bytes
        .windows(MARKER.len())
        .position(|w| w == MARKER)
        .map_or(&bytes[..], |at| &bytes[..at]);
    let reported = self_report::parse(&String::from_utf8_lossy(head));
    let opts = LoadOptions {
        build: opts.build.or(reported.build),
        ..opts.clone()
    };
    let config = aop_nginx::load_dump(&bytes, map, &opts).ok_or_else(|| {
        format!(
            "{}: not an `nginx -T` dump (no `# configuration file PATH:` line)",
            source.display()
        )
    })?;
    Ok((config, reported))
}

/// The line `nginx -T` starts each file with: what comes before the first is not the tree.
const MARKER: &[u8] = b"# configuration file ";

/// Reads one tree; an error is what to tell the user when nothing of it could be read.
pub(crate) fn load(
    path: &Path,
    forced: Option<ServerKind>,
    opts: &LoadOptions,
    map: &mut SourceMap,
) -> Result<Config, String> {
    let tree = discover(path, forced)?;
    match tree.kind {
        ServerKind::Nginx => aop_nginx::load(&tree.entry, map, opts)
            .map_err(|e| format!("{}: {e}", tree.entry.display())),
        ServerKind::Apache => aop_apache::load(&tree.entry, map, opts)
            .map_err(|e| format!("{}: {e}", tree.entry.display())),
        ServerKind::Caddy if crate::discover::is_json(&tree.entry) => {
            aop_caddy::load_json(&tree.entry, map, opts)
                .map_err(|e| format!("{}: {e}", tree.entry.display()))
        }
        ServerKind::Caddy => aop_caddy::load(&tree.entry, map, opts)
            .map_err(|e| format!("{}: {e}", tree.entry.display())),
    }
}

pub(crate) fn error(msg: &str) {
    eprintln!("aop-lint: error: {msg}");
}

/// Where a report in colour would go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Destination {
    Stdout,
    Stderr,
    /// `--output FILE`: never coloured unless asked for.
    File,
}

/// `--color auto` asks the terminal conventions, as supports-color reads them: `FORCE_COLOR`
/// (and `CLICOLOR_FORCE`) turn colour on, `NO_COLOR` and `TERM=dumb` off, and otherwise a
/// terminal gets colour and a pipe does not.
pub(crate) fn use_color(choice: ColorChoice, destination: Destination) -> bool {
    let stream = match destination {
        Destination::Stdout => supports_color::Stream::Stdout,
        Destination::Stderr => supports_color::Stream::Stderr,
        Destination::File => return choice == ColorChoice::Always,
    };
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => supports_color::on(stream).is_some(),
    }
}

pub(crate) fn write_out(text: &str) -> i32 {
    emit(text, None)
}

fn emit(text: &str, output: Option<&Path>) -> i32 {
    emit_with(output, |w| w.write_all(text.as_bytes()))
}

/// Writes the report as `write` produces it, to standard output or to `output`.
fn emit_with(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> i32 {
    match output {
        Some(path) if path != Path::new("-") => match write_replacing(path, write) {
            Ok(()) => EXIT_CLEAN,
            Err(e) => {
                error(&format!("{}: {e}", path.display()));
                EXIT_INPUT
            }
        },
        _ => {
            let mut out = std::io::stdout().lock();
            match write(&mut out).and_then(|_| out.flush()) {
                Ok(()) => EXIT_CLEAN,
                // A closed pipe (`aop-lint ... | head`) is not worth a panic.
                Err(_) => EXIT_INPUT,
            }
        }
    }
}

/// Writes a new file beside `path` and renames it over `path`: a link at `path` is replaced,
/// never followed, and a reader of `path` sees the old report or the whole new one.
fn write_replacing(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut n = std::process::id();
    let (temp, mut file) = loop {
        let temp = dir.join(format!(".{name}.{n}.aop-lint-tmp"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(f) => break (temp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n = n.wrapping_add(1),
            Err(e) => return Err(e),
        }
    };
    let written = write(&mut file)
        .and_then(|_| file.sync_all())
        .and_then(|_| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Why `--output` may not be written: it names a file the report was made from (the report
/// would replace the configuration), or something that is not a regular file (a FIFO would
/// block the run, a device would take the report).
fn refuse_output(output: &Path, map: &SourceMap) -> Option<String> {
    if output == Path::new("-") {
        return None;
    }
    if let Ok(meta) = std::fs::symlink_metadata(output) {
        let kind = meta.file_type();
        if !kind.is_file() && !kind.is_symlink() {
            return Some("not a regular file: refusing to write the report there".into());
        }
    }
    let target = canonical(output);
    let is_input = map.files().any(|(_, f)| canonical(&f.path) == target);
    is_input.then(|| "is a file of the linted tree: refusing to replace it with the report".into())
}

fn config_error(e: &ConfigError) -> i32 {
    let color = use_color(ColorChoice::Auto, Destination::Stderr);
    eprint!("{}", config::render_error(e, color));
    EXIT_INPUT
}

/// Settings files, each read once however many trees share it.
struct SettingsSource {
    explicit: Option<(PathBuf, Settings)>,
    found: HashMap<PathBuf, Settings>,
    /// Every file applied to some tree, in the order first used: the report names them.
    applied: Vec<PathBuf>,
    /// `--isolated`: no settings file at all.
    isolated: bool,
}

impl SettingsSource {
    fn new(common: &Common) -> Result<Self, ConfigError> {
        let explicit = common
            .config
            .as_deref()
            .map(|p| config::load(p).map(|s| (p.to_path_buf(), s)))
            .transpose()?;
        Ok(SettingsSource {
            explicit,
            found: HashMap::new(),
            applied: Vec::new(),
            isolated: common.isolated,
        })
    }

    fn for_tree(&mut self, tree: &Path) -> Result<Settings, ConfigError> {
        if self.isolated {
            return Ok(Settings::default());
        }
        let (path, settings) = match &self.explicit {
            Some((path, s)) => (path.clone(), s.clone()),
            None => {
                let Some(path) = config::find(tree) else {
                    return Ok(Settings::default());
                };
                let s = match self.found.get(&path) {
                    Some(s) => s.clone(),
                    None => config::load(&path)?,
                };
                self.found.insert(path.clone(), s.clone());
                (path, s)
            }
        };
        if !self.applied.contains(&path) {
            self.applied.push(path);
        }
        Ok(settings)
    }
}

/// How CA files are judged for one tree: the command line over the settings file over the
/// defaults.
fn ca_settings(settings: &Settings, args: &CaArgs) -> CaSettings {
    let mut ca = CaSettings {
        trusted_sha256: settings.trusted_ca_sha256.clone(),
        ..CaSettings::default()
    };
    if let Some(now) = args.now {
        ca.now = now;
    }
    if let Some(days) = args.expiry_warn_days.or(settings.expiry_warn_days) {
        ca.expiry_warn_days = days;
    }
    ca
}

/// The server versions for one tree: the command line over the settings file.
/// The releases of a tree: named on the command line, in `aop-lint.toml`, or else by the
/// server's own `-V` lines (saved beside the tree or ahead of its dump), with a note saying so.
fn tree_versions(
    settings: &Settings,
    common: &Common,
    reported: Option<&(PathBuf, SelfReport)>,
    quiet: bool,
) -> ServerVersions {
    let named = versions(settings, common);
    let Some((file, reported)) = reported else {
        return named;
    };
    let taken = SelfReport {
        nginx: named.nginx.is_none().then_some(reported.nginx).flatten(),
        apache: named.apache.is_none().then_some(reported.apache).flatten(),
        build: reported.build,
    };
    if !quiet && !taken.is_empty() {
        eprintln!(
            "aop-lint: note: {} as {} says",
            taken.describe(),
            if file == Path::new("-") {
                "the `nginx -V` lines ahead of the dump".to_string()
            } else {
                file.display().to_string()
            }
        );
    }
    ServerVersions {
        nginx: named.nginx.or(taken.nginx),
        apache: named.apache.or(taken.apache),
    }
}

fn versions(settings: &Settings, common: &Common) -> ServerVersions {
    ServerVersions {
        nginx: common.nginx_version.or(settings.versions.nginx),
        apache: common.apache_version.or(settings.versions.apache),
    }
}

/// `--select`/`--ignore` words as codes; `None` for an empty `--select`.
fn cli_rules(words: &[String]) -> Result<Option<Vec<&'static str>>, String> {
    if words.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for w in words {
        out.extend(resolve_rules(w)?);
    }
    Ok(Some(out))
}

fn policy(
    settings: &Settings,
    select: &Option<Vec<&'static str>>,
    ignore: &[&'static str],
) -> Policy {
    let mut all_ignored = settings.ignore.clone();
    all_ignored.extend_from_slice(ignore);
    Policy {
        select: select
            .clone()
            .or_else(|| settings.select.clone())
            .unwrap_or_default(),
        ignore: all_ignored,
        severity: settings.severity.clone(),
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A finding for each given file the tree never reads: nothing in it was checked, and a gate
/// must not pass it as clean (an unrelated `nginx.conf` above it may be the tree found).
fn unread_members(
    tree: &Tree,
    config: &Config,
    settings: Option<&Path>,
    map: &mut SourceMap,
    files: &[FileId],
) -> Vec<Finding> {
    if tree.members.is_empty() {
        return Vec::new();
    }
    // Read as configuration, as a CA file a server names, or as the settings applied.
    let read: HashSet<PathBuf> = files
        .iter()
        .map(|&f| canonical(&map.file(f).path))
        .chain(
            config
                .servers
                .iter()
                .flat_map(|s| s.ca.iter().map(|c| canonical(&c.resolved))),
        )
        .chain(settings.map(canonical))
        .collect();
    let mut out = Vec::new();
    for member in &tree.members {
        // A certificate the tree does not name as a client CA may still be its server's
        // own (`ssl_certificate`): no verdict depends on it.
        let self_report = member
            .file_name()
            .is_some_and(|n| self_report::FILES.iter().any(|f| n == *f));
        if read.contains(&canonical(member)) || crate::trees::is_certificate(member) || self_report
        {
            continue;
        }
        // The file is shown as it is; its bytes were named by the user, so reading them is
        // fine, and an unreadable one still gets its finding at an empty file.
        let id = map
            .read(member)
            .unwrap_or_else(|_| map.add(member.clone(), Vec::new()));
        out.push(
            Finding::new(
                codes::NOT_READ,
                format!(
                    "{} is not read by the tree at {}: nothing in it was checked",
                    member.display(),
                    tree.path.display()
                ),
                Label::new(Span::new(id, 0, 0), "given on the command line"),
            )
            .with_help(format!(
                "lint this file's own tree (the directory holding its main file), or include it from {}",
                tree.path.display()
            )),
        );
    }
    out
}

fn check(mut args: CheckArgs) -> i32 {
    if args.paths.is_empty() && args.nginx_dump.is_empty() {
        error("no path given: try `aop-lint /etc/nginx`");
        return EXIT_INPUT;
    }
    // A settings file given as a path (a pre-commit hook passes every changed file) is
    // checked, not linted as a server's configuration: a broken one fails here.
    let (settings_files, trees): (Vec<PathBuf>, Vec<PathBuf>) = std::mem::take(&mut args.paths)
        .into_iter()
        .partition(|p| p.file_name().is_some_and(|n| n == config::FILE_NAME));
    args.paths = trees;
    for file in &settings_files {
        if let Err(e) = config::load(file) {
            return config_error(&e);
        }
    }
    if args.paths.is_empty() && args.nginx_dump.is_empty() {
        return EXIT_CLEAN;
    }
    let (select, ignore) = match (cli_rules(&args.select), cli_rules(&args.ignore)) {
        (Ok(s), Ok(i)) => (s, i.unwrap_or_default()),
        (Err(e), _) | (_, Err(e)) => {
            error(&e);
            return EXIT_INPUT;
        }
    };
    let mut settings = match SettingsSource::new(&args.common) {
        Ok(s) => s,
        Err(e) => return config_error(&e),
    };
    if args.show_settings {
        return show_settings(&args.paths, &mut settings);
    }
    let opts = options(&args.common);
    let mut map = SourceMap::default();
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    let (mut servers, mut address_ports) = (0, 0);
    let mut unreadable = false;
    let given = if args.hook {
        Given::ByHook
    } else {
        Given::ByUser
    };
    let dumps = args
        .nginx_dump
        .iter()
        .map(|p| (Tree::given(p.clone()), true));
    for (tree, is_dump) in plan(&args.paths, given)
        .into_iter()
        .map(|t| {
            let stdin = t.path == Path::new("-");
            (t, stdin)
        })
        .chain(dumps)
    {
        // A dump names its main file only once read: its settings are looked up from there.
        let before = if is_dump {
            None
        } else {
            match settings.for_tree(&tree.path) {
                Ok(s) => Some(s),
                Err(e) => return config_error(&e),
            }
        };
        let forced = cli_kind(&args.common).or(before.as_ref().and_then(|s| s.server));
        let first_file = map.len();
        let mut opts = tree_options(&opts, &tree.path, before.as_ref(), is_dump || args.quiet);
        let beside = match (is_dump, self_report::beside(&tree.path)) {
            (false, Some(Ok((file, reported)))) => Some((file, reported)),
            (false, Some(Err(e))) => {
                error(&e);
                return EXIT_INPUT;
            }
            _ => None,
        };
        if let Some((_, reported)) = &beside {
            opts.build = opts.build.or(reported.build);
        }
        let loaded = if is_dump {
            load_dump(&tree.path, &opts, &mut map)
                .map(|(config, reported)| (config, Some((tree.path.clone(), reported))))
        } else {
            load(&tree.path, forced, &opts, &mut map).map(|config| (config, beside))
        };
        let (config, reported) = match loaded {
            Ok(c) => c,
            Err(msg) => {
                error(&msg);
                unreadable = true;
                continue;
            }
        };
        let tree_settings = match before {
            Some(s) => s,
            None => match settings.for_tree(&map.file(config.entry).path) {
                Ok(s) => s,
                Err(e) => return config_error(&e),
            },
        };
        let mut files: Vec<FileId> = (first_file..map.len()).map(|i| FileId(i as u32)).collect();
        let mut found = config.findings.clone();
        let before_members = map.len();
        found.extend(unread_members(
            &tree,
            &config,
            tree_settings.path.as_deref(),
            &mut map,
            &files,
        ));
        files.extend((before_members..map.len()).map(|i| FileId(i as u32)));
        found.extend(aop_rules::check(
            &Context::new(&config, &map)
                .with_ca_settings(CaSettings {
                    root: opts.root.clone(),
                    ..ca_settings(&tree_settings, &args.ca)
                })
                .with_versions(tree_versions(
                    &tree_settings,
                    &args.common,
                    reported.as_ref(),
                    args.quiet,
                )),
        ));
        let sifted = gate(
            found,
            &map,
            &files,
            &policy(&tree_settings, &select, &ignore),
        );
        findings.extend(sifted.findings);
        suppressed.extend(sifted.suppressed);
        servers += config.servers.len();
        address_ports += config.address_ports.len();
    }
    sort_findings(&mut findings, &map);
    sort_suppressed(&mut suppressed, &map);
    let report = Report {
        map: &map,
        findings,
        suppressed,
        servers,
        address_ports,
        settings: settings.applied.clone(),
    };
    if let Some(why) = args.output.as_deref().and_then(|o| refuse_output(o, &map)) {
        error(&format!(
            "--output {}: {why}",
            args.output.as_deref().unwrap_or(Path::new("")).display()
        ));
        return EXIT_INPUT;
    }
    let to_stdout = args.output.as_deref().is_none_or(|p| p == Path::new("-"));
    let output = args.output.as_deref();
    let human = HumanOptions {
        color: use_color(
            args.color,
            if to_stdout {
                Destination::Stdout
            } else {
                Destination::File
            },
        ),
        quiet: args.quiet,
        ..HumanOptions::default()
    };
    let written = emit_report(
        &report,
        args.format,
        output,
        human,
        args.docs_url.as_deref(),
        args.statistics,
    );
    if written != EXIT_CLEAN || unreadable {
        return EXIT_INPUT;
    }
    gate_exit(args.fail_on, &report.findings)
}

/// Writes `report` in `format` to standard output or to `output`; `statistics` replaces the
/// findings by their counts in the formats for people.
pub(crate) fn emit_report(
    report: &Report,
    format: Format,
    output: Option<&Path>,
    human: HumanOptions,
    docs_url: Option<&str>,
    statistics: bool,
) -> i32 {
    match format {
        // Streamed: the JSON of thousands of findings is megabytes, not worth holding whole.
        Format::Json => emit_with(output, |w| write_json(report, w)),
        Format::Sarif => emit(
            &render_sarif(report, &catalog::rule_infos(docs_url), docs_url),
            output,
        ),
        Format::Gitlab => emit(&render_gitlab(report), output),
        Format::Junit => emit(&render_junit(report), output),
        _ if statistics => emit(&render_statistics(report), output),
        Format::Github => emit(&render_github(report), output),
        Format::Concise => emit(&render_concise(report), output),
        Format::Human => emit(&render_human(report, human), output),
    }
}

/// 1 when a finding is at or above `--fail-on`, else 0.
pub(crate) fn gate_exit(fail_on: FailOn, findings: &[aop_model::Finding]) -> i32 {
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if findings.iter().any(|f| f.severity >= t) => EXIT_FINDINGS,
        _ => EXIT_CLEAN,
    }
}

fn servers(args: ServersArgs) -> i32 {
    let settings = match SettingsSource::new(&args.common).and_then(|mut s| s.for_tree(&args.path))
    {
        Ok(s) => s,
        Err(e) => return config_error(&e),
    };
    let forced = cli_kind(&args.common).or(settings.server);
    let mut map = SourceMap::default();
    let mut opts = tree_options(&options(&args.common), &args.path, Some(&settings), true);
    if let Some(Ok((_, reported))) = self_report::beside(&args.path) {
        opts.build = opts.build.or(reported.build);
    }
    let loaded = if args.path == Path::new("-") {
        load_dump(&args.path, &opts, &mut map).map(|(config, _)| config)
    } else {
        load(&args.path, forced, &opts, &mut map)
    };
    let config = match loaded {
        Ok(c) => c,
        Err(msg) => {
            error(&msg);
            return EXIT_INPUT;
        }
    };
    let text = match args.format {
        _ if args.scenarios => aop_report::render_scenarios(&config, &map),
        ListFormat::Json => aop_report::render_servers_json(&config, &map),
        ListFormat::Human => aop_report::render_servers_human(&config, &map),
    };
    write_out(&text)
}

fn rules(args: RulesArgs) -> i32 {
    write_out(&match args.format {
        ListFormat::Json => catalog::rules_json(),
        ListFormat::Human => catalog::rules_table(),
    })
}

fn explain(args: ExplainArgs) -> i32 {
    match catalog::explain(&args.rule) {
        Ok(page) => write_out(&page),
        Err(msg) => {
            error(&msg);
            EXIT_INPUT
        }
    }
}

/// `--show-settings`: the settings file each path gets, and what it sets.
fn show_settings(paths: &[PathBuf], settings: &mut SettingsSource) -> i32 {
    let mut text = String::new();
    for path in paths {
        let s = match settings.for_tree(path) {
            Ok(s) => s,
            Err(e) => return config_error(&e),
        };
        let file = s
            .path
            .as_deref()
            .map_or("none (defaults)".to_string(), |p| p.display().to_string());
        text.push_str(&format!("{}: settings from {file}\n", path.display()));
        let list = |codes: &[&str]| codes.join(", ");
        if let Some(select) = &s.select {
            text.push_str(&format!("    select: {}\n", list(select)));
        }
        if !s.ignore.is_empty() {
            text.push_str(&format!("    ignore: {}\n", list(&s.ignore)));
        }
        let mut severity: Vec<_> = s.severity.iter().collect();
        severity.sort();
        for (code, sev) in severity {
            text.push_str(&format!("    severity: {code} = {}\n", sev.as_str()));
        }
        if let Some(kind) = s.server {
            text.push_str(&format!("    server: {}\n", kind.as_str()));
        }
        if let Some(root) = &s.root {
            text.push_str(&format!("    root: {}\n", root.display()));
        }
        if let Some(build) = s.build {
            text.push_str(&format!("    build: {}\n", build.describe()));
        }
        if let Some(days) = s.expiry_warn_days {
            text.push_str(&format!("    expiry_warn_days: {days}\n"));
        }
        if !s.trusted_ca_sha256.is_empty() {
            text.push_str(&format!(
                "    trusted_ca_sha256: {} fingerprints\n",
                s.trusted_ca_sha256.len()
            ));
        }
    }
    write_out(&text)
}
