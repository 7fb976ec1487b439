use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Audits nginx and Apache origin configurations for Cloudflare Authenticated Origin Pulls.
///
/// Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage error or nothing
/// could be read.
#[derive(Parser, Debug)]
#[command(name = "aop-lint", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the virtual-host model: each address:port, its default server, and every server.
    Servers(ServersArgs),
}

#[derive(Args, Debug)]
pub struct Common {
    /// Server kind, when the tree does not tell (default: detected from the file names).
    #[arg(long, value_enum)]
    pub server: Option<ServerArg>,

    /// Where `/` of the linted system is: absolute paths in the configuration are read below
    /// it (for a tree copied out of `/`).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Configuration directories (`/etc/nginx`) or main files (`nginx.conf`); `-` reads an
    /// `nginx -T` dump from standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// An `nginx -T` dump to lint; findings point at the original files and lines.
    #[arg(long, value_name = "FILE")]
    pub nginx_dump: Vec<PathBuf>,

    #[command(flatten)]
    pub common: Common,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    #[command(flatten)]
    pub ca: CaArgs,
}

/// How CA files are judged.
#[derive(Args, Debug)]
pub struct CaArgs {
    /// Judge certificate expiry at this instant instead of the clock (RFC 3339, e.g.
    /// 2026-01-01T00:00:00Z).
    #[arg(long, value_name = "TIME", env = "AOP_LINT_NOW", value_parser = parse_now)]
    pub now: Option<i64>,

    /// Warn about client CAs expiring within this many days [default: 30, or the
    /// configuration file's expiry_warn_days].
    #[arg(long, value_name = "DAYS")]
    pub expiry_warn_days: Option<u32>,

    /// Configuration file [default: the nearest aop-lint.toml from the linted path upwards].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

fn parse_now(text: &str) -> Result<i64, String> {
    aop_pki::parse_rfc3339(text)
        .ok_or_else(|| format!("`{text}` is not an RFC 3339 time such as 2026-01-01T00:00:00Z"))
}

#[derive(Args, Debug)]
pub struct ServersArgs {
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    #[command(flatten)]
    pub common: Common,

    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ServerArg {
    Nginx,
    Apache,
}
