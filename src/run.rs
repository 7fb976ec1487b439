use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use clap::Parser;

use aop_model::{Config, LoadOptions, ServerKind, Severity};
use aop_report::{render_human, render_json, sort_findings, HumanOptions, Report};
use aop_rules::{CaSettings, Context};
use aop_source::SourceMap;

use crate::cli::{CaArgs, CheckArgs, Cli, Command, Common, FailOn, Format, ServerArg, ServersArgs};
use crate::config_file;
use crate::discover::discover;

const EXIT_CLEAN: i32 = 0;
const EXIT_FINDINGS: i32 = 1;
const EXIT_INPUT: i32 = 2;

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
        None => check(cli.check),
    }
}

fn forced_kind(common: &Common) -> Option<ServerKind> {
    common.server.map(|s| match s {
        ServerArg::Nginx => ServerKind::Nginx,
        ServerArg::Apache => ServerKind::Apache,
    })
}

fn options(common: &Common) -> LoadOptions {
    LoadOptions {
        root: common.root.clone(),
        ..LoadOptions::default()
    }
}

/// The most bytes read from a dump: a dump holds a whole tree.
const MAX_DUMP_BYTES: u64 = 1 << 30;

fn load_dump(source: &Path, common: &Common, map: &mut SourceMap) -> Result<Config, String> {
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
    aop_nginx::load_dump(&bytes, map, &options(common)).ok_or_else(|| {
        format!(
            "{}: not an `nginx -T` dump (no `# configuration file PATH:` line)",
            source.display()
        )
    })
}

/// Reads one tree; an error is what to tell the user when nothing of it could be read.
fn load(path: &Path, common: &Common, map: &mut SourceMap) -> Result<Config, String> {
    if path == Path::new("-") {
        return load_dump(path, common, map);
    }
    let tree = discover(path, forced_kind(common))?;
    let opts = options(common);
    match tree.kind {
        ServerKind::Nginx => aop_nginx::load(&tree.entry, map, &opts)
            .map_err(|e| format!("{}: {e}", tree.entry.display())),
        ServerKind::Apache => aop_apache::load(&tree.entry, map, &opts)
            .map_err(|e| format!("{}: {e}", tree.entry.display())),
    }
}

/// The CA settings for one tree: the command line over the configuration file over the
/// defaults.
fn ca_settings(path: &Path, args: &CaArgs) -> Result<CaSettings, String> {
    let file = match &args.config {
        Some(explicit) => Some(config_file::load(explicit)?),
        None => config_file::find(path)
            .map(|found| config_file::load(&found))
            .transpose()?,
    }
    .unwrap_or_default();
    let mut settings = CaSettings {
        trusted_sha256: file.trusted_ca_sha256,
        ..CaSettings::default()
    };
    if let Some(now) = args.now {
        settings.now = now;
    }
    if let Some(days) = args.expiry_warn_days.or(file.expiry_warn_days) {
        settings.expiry_warn_days = days;
    }
    Ok(settings)
}

fn error(msg: &str) {
    eprintln!("aop-lint: error: {msg}");
}

fn write_out(text: &str) -> i32 {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => EXIT_CLEAN,
        // A closed pipe (`aop-lint ... | head`) is not worth a panic.
        Err(_) => EXIT_INPUT,
    }
}

fn check(args: CheckArgs) -> i32 {
    if args.paths.is_empty() && args.nginx_dump.is_empty() {
        error("no path given: try `aop-lint /etc/nginx`");
        return EXIT_INPUT;
    }
    let mut map = SourceMap::default();
    let mut findings = Vec::new();
    let (mut servers, mut address_ports) = (0, 0);
    let mut unreadable = false;
    let sources = args
        .paths
        .iter()
        .map(|p| (p, false))
        .chain(args.nginx_dump.iter().map(|p| (p, true)));
    for (path, is_dump) in sources {
        let loaded = if is_dump {
            load_dump(path, &args.common, &mut map)
        } else {
            load(path, &args.common, &mut map)
        };
        let config = match loaded {
            Ok(c) => c,
            Err(msg) => {
                error(&msg);
                unreadable = true;
                continue;
            }
        };
        // Looked up from the main configuration file, which a dump names too.
        let ca = match ca_settings(&map.file(config.entry).path, &args.ca) {
            Ok(ca) => ca,
            Err(msg) => {
                error(&msg);
                return EXIT_INPUT;
            }
        };
        findings.extend(config.findings.iter().cloned());
        findings.extend(aop_rules::check(
            &Context::new(&config, &map).with_ca_settings(ca),
        ));
        servers += config.servers.len();
        address_ports += config.address_ports.len();
    }
    sort_findings(&mut findings, &map);
    let report = Report {
        map: &map,
        findings,
        servers,
        address_ports,
    };
    let text = match args.format {
        Format::Json => render_json(&report),
        Format::Human => render_human(
            &report,
            HumanOptions {
                color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                ..HumanOptions::default()
            },
        ),
    };
    if write_out(&text) != EXIT_CLEAN {
        return EXIT_INPUT;
    }
    if unreadable {
        return EXIT_INPUT;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if report.findings.iter().any(|f| f.severity >= t) => EXIT_FINDINGS,
        _ => EXIT_CLEAN,
    }
}

fn servers(args: ServersArgs) -> i32 {
    let mut map = SourceMap::default();
    let config = match load(&args.path, &args.common, &mut map) {
        Ok(c) => c,
        Err(msg) => {
            error(&msg);
            return EXIT_INPUT;
        }
    };
    let text = match args.format {
        Format::Json => aop_report::render_servers_json(&config, &map),
        Format::Human => aop_report::render_servers_human(&config, &map),
    };
    write_out(&text)
}
