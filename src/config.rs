//! `aop-lint.toml`: a project's settings, found from the linted path upwards or given with
//! `--config`. Every key is checked: an unknown key or a bad value is an error pointing at
//! its place in the file, never a setting silently dropped.
//!
//! ```toml
//! select = ["AOP1", "default-server-missing"]   # only these rules (default: all)
//! ignore = ["AOP305"]                           # never these
//! server = "nginx"                              # when the tree does not tell
//! trusted_ca_sha256 = ["ab12...64 hex digits"]  # your own client CAs
//! expiry_warn_days = 30                         # warn this long before a CA expires
//! root = "."                                    # `/` of the linted system (as --root),
//!                                               # relative to this file's directory
//! nginx_version = "1.26.2"                      # the server that runs the tree
//! apache_version = "2.4.62"
//! build = "debian"                              # debian, rhel or upstream: the modules
//!                                               # the server compiles in
//!
//! [severity]                                    # per rule, by code or name
//! AOP201 = "warning"
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use aop_gate::resolve_rules;
use aop_model::{Build, ServerKind, ServerVersions, Severity, Version};
use aop_pki::{parse_sha256, Sha256Fingerprint};

pub const FILE_NAME: &str = "aop-lint.toml";

/// The file as written. Its schema (docs/schemas/settings.schema.json) is generated from
/// these fields, so the two cannot drift apart; the checks the schema cannot express (rule
/// names, fingerprints, directories) are [`parse`]'s.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "aop-lint.toml",
    description = "Settings of aop-lint, found from the linted path upwards or given with --config."
)]
struct Raw {
    /// Only these rules: codes (AOP101), code prefixes (AOP1), names, or ALL. Default: all.
    #[schemars(with = "Option<Vec<String>>")]
    select: Option<Vec<Spanned<String>>>,
    /// Never these rules, written as in `select`.
    #[schemars(with = "Option<Vec<String>>")]
    ignore: Option<Vec<Spanned<String>>>,
    /// A severity per rule, by code, prefix or name.
    #[schemars(with = "Option<BTreeMap<String, SeverityName>>")]
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    /// SHA-256 fingerprints of your own client CAs: 64 hex digits, with or without `:`
    /// between pairs, optionally after `sha256:`.
    #[schemars(with = "Option<Vec<String>>")]
    trusted_ca_sha256: Option<Vec<Spanned<String>>>,
    /// Warn this many days before a client CA expires.
    #[schemars(with = "Option<u32>")]
    expiry_warn_days: Option<Spanned<i64>>,
    /// The server kind, when the tree does not tell.
    #[schemars(with = "Option<ServerName>")]
    server: Option<Spanned<String>>,
    /// Where `/` of the linted system is (as --root), relative to this file's directory.
    #[schemars(with = "Option<String>")]
    root: Option<Spanned<String>>,
    /// The nginx version that runs the tree, such as 1.26.2.
    #[schemars(with = "Option<VersionText>")]
    nginx_version: Option<Spanned<String>>,
    /// The Apache httpd version that runs the tree, such as 2.4.62.
    #[schemars(with = "Option<VersionText>")]
    apache_version: Option<Spanned<String>>,
    /// Whose packages the server comes from, which decides the modules compiled in.
    #[schemars(with = "Option<BuildName>")]
    build: Option<Spanned<String>>,
}

// The words the fields above accept, for the schema only: reading checks them in `parse`.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum SeverityName {
    Error,
    Warning,
    Info,
}

#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum ServerName {
    Nginx,
    Apache,
    Caddy,
}

/// `debian` (also `ubuntu`), `rhel` (also `fedora`, `centos`, `rocky`, `alma`) or
/// `upstream` (also `official`, `docker`), in any case.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct BuildName(#[schemars(extend("examples" = ["debian", "rhel", "upstream"]))] String);

/// `1.26.2`, or as the server prints it (`nginx/1.26.2`, `Apache/2.4.62 (Debian)`). Looser
/// than the reading: a file the schema refuses is always refused.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct VersionText(#[schemars(regex(pattern = r"[0-9]+\.[0-9]+"))] String);

/// The JSON Schema of `aop-lint.toml`, as docs/schemas/settings.schema.json holds it.
pub fn settings_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Raw)).expect("a schema is JSON")
}

/// The settings of one file, checked and resolved to rule codes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// The file they came from; `None` when no file was found.
    pub path: Option<PathBuf>,
    /// `None`: the file does not restrict the rules.
    pub select: Option<Vec<&'static str>>,
    pub ignore: Vec<&'static str>,
    pub severity: HashMap<&'static str, Severity>,
    /// SHA-256 fingerprints of the user's own client CAs, whichever form (`AB:CD:...`,
    /// `abcd...`, `sha256:...`) the file used.
    pub trusted_ca_sha256: Vec<Sha256Fingerprint>,
    pub expiry_warn_days: Option<u32>,
    pub server: Option<ServerKind>,
    /// `root`: where `/` of the linted system is, resolved against the file's directory.
    pub root: Option<PathBuf>,
    pub versions: ServerVersions,
    pub build: Option<Build>,
}

/// Why a settings file was refused, with the place in it when there is one.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// The first `aop-lint.toml` in `start` (a directory or a file's directory) or above it,
/// up to the repository root (the first directory holding `.git`). A directory others may
/// write to (`/tmp`) ends the search before its file is taken: anyone could have put one
/// there that silences every tree below it.
pub fn find(start: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(start).ok()?;
    let dir = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent()?
    };
    for d in dir.ancestors() {
        if writable_by_others(d) {
            return None;
        }
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() && !writable_by_others(&candidate) {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
    }
    None
}

#[cfg(unix)]
fn writable_by_others(p: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).is_ok_and(|m| m.mode() & 0o002 != 0)
}

#[cfg(not(unix))]
fn writable_by_others(_: &Path) -> bool {
    false
}

/// The largest settings file read: a real one is a few hundred bytes.
const MAX_SETTINGS_BYTES: u64 = 64 * 1024;

/// Reads and checks one settings file.
pub fn load(path: &Path) -> Result<Settings, ConfigError> {
    let fail = |message: String| ConfigError {
        path: path.to_path_buf(),
        text: String::new(),
        span: None,
        message,
    };
    // Regular files only, bounded: a FIFO would block and a huge file exhaust memory.
    let bytes = aop_source::read_regular_file(path, MAX_SETTINGS_BYTES)
        .map_err(|e| fail(format!("cannot read the settings file: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| fail("the settings file is not UTF-8 text".to_string()))?;
    parse(path, text)
}

pub fn parse(path: &Path, text: String) -> Result<Settings, ConfigError> {
    let raw: Raw = match toml::from_str(&text) {
        Ok(r) => r,
        Err(e) => {
            return Err(ConfigError {
                path: path.to_path_buf(),
                span: e.span(),
                message: e.message().trim().to_string(),
                text,
            })
        }
    };
    let err = |span: Range<usize>, message: String| ConfigError {
        path: path.to_path_buf(),
        text: text.clone(),
        span: Some(span),
        message,
    };
    let rules = |list: &[Spanned<String>]| -> Result<Vec<&'static str>, ConfigError> {
        let mut out = Vec::new();
        for item in list {
            let codes = resolve_rules(item.get_ref()).map_err(|m| err(item.span(), m))?;
            out.extend(codes);
        }
        Ok(out)
    };
    let mut settings = Settings {
        path: Some(path.to_path_buf()),
        ..Settings::default()
    };
    if let Some(list) = &raw.select {
        settings.select = Some(rules(list)?);
    }
    if let Some(list) = &raw.ignore {
        settings.ignore = rules(list)?;
    }
    for (rule, level) in raw.severity.iter().flatten() {
        let sev = Severity::parse(level.get_ref()).ok_or_else(|| {
            err(
                level.span(),
                format!(
                    "unknown severity `{}`: use error, warning or info",
                    level.get_ref()
                ),
            )
        })?;
        for code in resolve_rules(rule.get_ref()).map_err(|m| err(rule.span(), m))? {
            settings.severity.insert(code, sev);
        }
    }
    for fp in raw.trusted_ca_sha256.iter().flatten() {
        let parsed = parse_sha256(fp.get_ref()).ok_or_else(|| {
            err(
                fp.span(),
                "not a SHA-256 fingerprint: 64 hex digits, with or without `:` between pairs (`openssl x509 -noout -fingerprint -sha256 -in ca.pem`)".to_string(),
            )
        })?;
        settings.trusted_ca_sha256.push(parsed);
    }
    if let Some(days) = &raw.expiry_warn_days {
        let d = u32::try_from(*days.get_ref()).map_err(|_| {
            err(
                days.span(),
                "expiry_warn_days is a number of days, 0 or more".to_string(),
            )
        })?;
        settings.expiry_warn_days = Some(d);
    }
    let version = |v: &Spanned<String>| {
        Version::parse(v.get_ref()).ok_or_else(|| {
            err(
                v.span(),
                format!("`{}` is not a version such as 1.26.2", v.get_ref()),
            )
        })
    };
    settings.versions = ServerVersions {
        nginx: raw.nginx_version.as_ref().map(version).transpose()?,
        apache: raw.apache_version.as_ref().map(version).transpose()?,
    };
    if let Some(build) = &raw.build {
        settings.build = Some(Build::parse(build.get_ref()).ok_or_else(|| {
            err(
                build.span(),
                format!(
                    "unknown build `{}`: use {}",
                    build.get_ref(),
                    Build::NAMES.join(", ")
                ),
            )
        })?);
    }
    if let Some(kind) = &raw.server {
        settings.server = Some(match kind.get_ref().as_str() {
            "nginx" => ServerKind::Nginx,
            "apache" => ServerKind::Apache,
            "caddy" => ServerKind::Caddy,
            other => {
                return Err(err(
                    kind.span(),
                    format!("unknown server kind `{other}`: use nginx, apache or caddy"),
                ))
            }
        });
    }
    if let Some(root) = &raw.root {
        let written = Path::new(root.get_ref());
        let dir = path.parent().unwrap_or(Path::new("."));
        let resolved = if written.is_absolute() {
            written.to_path_buf()
        } else {
            dir.join(written)
        };
        if !resolved.is_dir() {
            return Err(err(
                root.span(),
                format!("root `{}` is not a directory", resolved.display()),
            ));
        }
        settings.root = Some(resolved);
    }
    Ok(settings)
}

/// The error as a miette report pointing into the settings file.
pub fn render_error(e: &ConfigError, color: bool) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};
    let shown = aop_report::display_path(&e.path);
    let Some(span) = &e.span else {
        return format!("aop-lint: error: {shown}: {}\n", e.message);
    };
    let diag = MietteDiagnostic::new(format!("invalid settings in {shown}: {}", e.message))
        .with_label(LabeledSpan::at(span.clone(), "here"));
    let report =
        miette::Report::new(diag).with_source_code(miette::NamedSource::new(shown, e.text.clone()));
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme).with_links(false);
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("aop-lint: error: {e}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Settings, ConfigError> {
        parse(Path::new("aop-lint.toml"), text.to_string())
    }

    #[test]
    fn every_key_is_read() {
        let fp = "AB:".repeat(31) + "AB";
        let s = parse_str(&format!(
            "select = [\"AOP1\", \"default-server-missing\"]\nignore = [\"AOP104\"]\nserver = \"apache\"\ntrusted_ca_sha256 = [\"{fp}\"]\nexpiry_warn_days = 14\nnginx_version = \"1.26.2\"\napache_version = \"2.4.62\"\nbuild = \"rhel\"\n[severity]\nAOP201 = \"warning\"\nclient-verify-missing = \"info\"\n"
        ))
        .unwrap();
        let select = s.select.unwrap();
        assert!(select.contains(&"AOP101") && select.contains(&"AOP201"));
        assert_eq!(s.ignore, vec!["AOP104"]);
        assert_eq!(s.server, Some(ServerKind::Apache));
        assert_eq!(s.trusted_ca_sha256, vec![[0xab; 32]]);
        assert_eq!(s.expiry_warn_days, Some(14));
        assert_eq!(s.versions.nginx, Some(Version::new(1, 26, 2)));
        assert_eq!(s.versions.apache, Some(Version::new(2, 4, 62)));
        assert_eq!(s.build, Some(Build::Rhel));
        assert_eq!(s.severity["AOP201"], Severity::Warning);
        assert_eq!(s.severity["AOP101"], Severity::Info);
    }

    #[test]
    fn an_unknown_build_points_at_its_value() {
        let e = parse_str("build = \"gentoo\"\n").unwrap_err();
        assert_eq!(
            e.message,
            "unknown build `gentoo`: use debian, rhel, upstream"
        );
        assert_eq!(e.span, Some(8..16));
    }

    #[test]
    fn an_empty_file_changes_nothing() {
        let s = parse_str("").unwrap();
        assert_eq!(s.select, None);
        assert!(s.ignore.is_empty() && s.severity.is_empty());
    }

    fn error_at(text: &str) -> (String, String) {
        let e = parse_str(text).unwrap_err();
        let span = e.span.clone().expect("a span");
        (text[span].to_string(), e.message)
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        let (at, msg) = error_at("select = [\"AOP101\"]\nfail_on = \"error\"\n");
        assert_eq!(at, "fail_on");
        assert!(msg.contains("unknown field"), "{msg}");

        let (at, msg) = error_at("ignore = [\"AOP101\", \"AOP999\"]\n");
        assert_eq!(at, "\"AOP999\"");
        assert!(msg.contains("unknown rule"), "{msg}");

        let (at, msg) = error_at("[severity]\nAOP201 = \"fatal\"\n");
        assert_eq!(at, "\"fatal\"");
        assert!(msg.contains("unknown severity"), "{msg}");

        let (at, _) = error_at("[severity]\nnope = \"error\"\n");
        assert_eq!(at, "nope");

        let (at, _) = error_at("trusted_ca_sha256 = [\"abc\"]\n");
        assert_eq!(at, "\"abc\"");

        let (at, _) = error_at("expiry_warn_days = -1\n");
        assert_eq!(at, "-1");

        let (at, msg) = error_at("nginx_version = \"latest\"\n");
        assert_eq!(at, "\"latest\"");
        assert!(msg.contains("not a version"), "{msg}");

        let (at, _) = error_at("server = \"iis\"\n");
        assert_eq!(at, "\"iis\"");

        let (_, msg) = error_at("select = \"AOP101\"\n");
        assert!(msg.contains("sequence") || msg.contains("array"), "{msg}");
    }

    #[test]
    fn fingerprints_in_any_usual_form() {
        let s = parse_str(
            "trusted_ca_sha256 = [\"062465eea14401f48be7d9a873f2ee674f96806584225d50c04f761d4480b8ba\", \"sha256:062465EEA14401F48BE7D9A873F2EE674F96806584225D50C04F761D4480B8BA\"]\n",
        )
        .unwrap();
        assert_eq!(s.trusted_ca_sha256.len(), 2);
        assert_eq!(s.trusted_ca_sha256[0], s.trusted_ca_sha256[1]);
        assert_eq!(s.trusted_ca_sha256[0][0], 0x06);
    }
}
