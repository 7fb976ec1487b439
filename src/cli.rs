use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Audits nginx and Apache origin configurations for Cloudflare Authenticated Origin Pulls.
///
/// Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage error or nothing
/// could be read.
#[derive(Parser, Debug)]
#[command(
    name = "aop-lint",
    version = env!("AOP_LINT_VERSION"),
    args_conflicts_with_subcommands = true
)]
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
    /// List every rule: code, name, severity, summary.
    Rules(RulesArgs),
    /// Print a rule's documentation: what it catches, why, an example and the fix.
    Explain(ExplainArgs),
    /// Send a running origin the requests it must refuse (no client certificate, one from an
    /// unknown CA, no SNI, plain HTTP) and report what it served. Contacts only the
    /// addresses given.
    Probe(ProbeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), for `man -l -` or packaging.
    Man,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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

    /// A name httpd is started with `-D NAME` (Apache; repeatable). Once one is given, the
    /// names not given are taken as not defined.
    #[arg(long = "define", value_name = "NAME")]
    pub defines: Vec<String>,

    /// The nginx version that runs the tree (`1.26.2`, or `nginx -v`'s `nginx/1.26.2`):
    /// verdicts that depend on it (CVE-2025-23419, `ssl_trusted_certificate` alone) are
    /// decided for it. Without it (nor `nginx_version` in the settings file) they take the
    /// answer that is unsafe on some version and say so.
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    pub nginx_version: Option<aop_model::Version>,

    /// The Apache httpd version that runs the tree (`2.4.62`, or `Apache/2.4.62`).
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    pub apache_version: Option<aop_model::Version>,

    /// Which build of the server runs the tree, for the modules it compiles in: `debian`
    /// (Debian and Ubuntu packages), `rhel` (RHEL, Fedora and rebuilds) or `upstream`
    /// (nginx.org packages, httpd's own build and the official Docker images). Without it,
    /// Debian's `apache2.conf` says Debian, and nothing else is assumed.
    #[arg(long, value_name = "BUILD", value_parser = parse_build)]
    pub build: Option<aop_model::Build>,

    /// Settings file (default: the first `aop-lint.toml` found from the linted path upwards).
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Use no settings file at all: neither one found upwards nor --config.
    #[arg(long)]
    pub isolated: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Configuration directories (`/etc/nginx`), main files (`nginx.conf`), or any files of
    /// a tree (as pre-commit passes them): each tree's main file is found upwards and each
    /// tree is linted once. `-` reads an `nginx -T` dump from standard input.
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

    /// Print which settings file applies to each path and what it sets, and lint nothing.
    #[arg(long)]
    pub show_settings: bool,

    /// The paths are the files a commit changes, as a pre-commit hook passes them: a file
    /// of no tree that holds no server directive (a systemd or logrotate `.conf`) is noted
    /// and left, and a certificate of no tree has every tree of the repository linted.
    #[arg(long)]
    pub hook: bool,

    /// Print how many findings each rule has instead of the findings (human and concise
    /// formats); the exit code still gates.
    #[arg(long)]
    pub statistics: bool,

    /// Write the report to FILE instead of standard output (`-`: standard output); the exit
    /// code still gates.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Where the rule pages (`docs/rules/` of aop-lint) are published: SARIF's `helpUri` of
    /// each rule is this URL followed by `AOP201.md`. Without it `helpUri` is left out, since
    /// code scanning accepts only absolute URIs there; the page itself is in `help` anyway.
    #[arg(long, value_name = "URL", env = "AOP_LINT_DOCS_URL", value_parser = crate::catalog::parse_docs_url)]
    pub docs_url: Option<String>,

    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    /// Report only these rules: codes (AOP201), names (default-server-missing), code
    /// prefixes (AOP2) or ALL; comma-separated or repeated. Replaces `select` of the
    /// settings file.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Never report these rules (same forms as --select); added to `ignore` of the settings
    /// file.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Print findings only: no summary line, nothing at all when clean.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Colours in the human report: auto (a terminal, unless NO_COLOR or TERM=dumb; a pipe
    /// with FORCE_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

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
    /// settings file's expiry_warn_days].
    #[arg(long, value_name = "DAYS")]
    pub expiry_warn_days: Option<u32>,
}

pub fn parse_path(path: &str) -> Result<String, String> {
    // Sent in the request line as written: it must be one, not a way to add headers.
    if path.starts_with('/') && path.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(path.to_string())
    } else {
        Err(format!("`{path}` is not a request path: it starts with `/` and holds no spaces or control characters"))
    }
}

fn parse_build(word: &str) -> Result<aop_model::Build, String> {
    aop_model::Build::parse(word).ok_or_else(|| {
        format!(
            "`{word}` is not a build: use {}",
            aop_model::Build::NAMES.join(", ")
        )
    })
}

fn parse_version(text: &str) -> Result<aop_model::Version, String> {
    aop_model::Version::parse(text)
        .ok_or_else(|| format!("`{text}` is not a version such as 1.26.2"))
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

    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,

    /// For each address:port reachable from outside, what each kind of request gets (the
    /// site's names, an unknown name, no SNI; no certificate, an unrelated CA's, a trusted
    /// one) and which server decides it.
    #[arg(long)]
    pub scenarios: bool,
}

#[derive(Args, Debug)]
pub struct ProbeArgs {
    /// Origin addresses: `203.0.113.7`, `[2001:db8::7]`, `origin.example.net`.
    #[arg(value_name = "ADDRESS", required = true)]
    pub targets: Vec<String>,

    /// A site name to send as SNI and `Host` (repeatable; with --config, the names of its
    /// servers by default).
    #[arg(long = "host", value_name = "NAME", required_unless_present = "config")]
    pub hosts: Vec<String>,

    /// The configuration the origin runs (a tree, as for the lint): its names and ports are
    /// probed unless given, and every answer that differs from what the files say is a
    /// finding of its own.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Where `/` of the origin's system is, for --config (as for the lint).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// A TLS port to probe (repeatable; default 443).
    #[arg(long = "port", value_name = "PORT")]
    pub ports: Vec<u16>,

    /// A plain-HTTP port to probe (repeatable; default 80).
    #[arg(long = "http-port", value_name = "PORT")]
    pub http_ports: Vec<u16>,

    /// Send the probes from this address of this machine, as a client elsewhere would (an
    /// origin that trusts its own network answers its own addresses differently).
    #[arg(long, value_name = "ADDRESS")]
    pub source: Option<std::net::IpAddr>,

    /// Also ask for this path (repeatable), without a client certificate, on every port and
    /// name: a site that answers 404 at `/` may serve the paths its locations name.
    #[arg(long = "path", value_name = "PATH", value_parser = parse_path)]
    pub paths: Vec<String>,

    /// Probe no plain-HTTP port.
    #[arg(long)]
    pub no_http: bool,

    /// Your own client certificate (PEM), e.g. your zone's, to confirm the path that must
    /// work; with --client-key.
    #[arg(long, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,

    /// The key of --client-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,

    /// Print the requests that would be sent, and send none.
    #[arg(long)]
    pub dry_run: bool,

    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A rule code (AOP201) or name (default-server-missing).
    #[arg(value_name = "RULE")]
    pub rule: String,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// miette's graphical report, for people.
    Human,
    /// aop-lint's own schema (docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the changed files.
    Github,
    /// One line per finding, `path:line:column: severity CODE message`, as editors and grep
    /// read it.
    Concise,
    /// GitLab Code Quality (`artifacts:reports:codequality`).
    Gitlab,
    /// JUnit XML: a test suite per file, a failure per finding.
    Junit,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
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
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ServerArg {
    Nginx,
    Apache,
    Caddy,
}
