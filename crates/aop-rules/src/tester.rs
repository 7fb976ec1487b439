//! Runs one rule over configuration snippets held in memory: the `#[cfg(test)]` module of a
//! rule file lists snippets that must raise the rule (`fail`) and snippets that must not
//! (`pass`), for nginx and Apache, and keeps what the rule says about the failing ones as
//! one compact snapshot beside the rule (`src/rules/snapshots/`).
//!
//! Nothing is read from this machine: the snippet is the main file of a tree whose root
//! does not exist, so includes and CA files it names are missing, as on an empty system.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use aop_model::{Finding, LoadOptions, ServerKind, ServerVersions, Version};
use aop_source::SourceMap;

use crate::{Context, Rule};

/// A `/` that does not exist: absolute paths in snippets resolve below it, to nothing.
const NO_ROOT: &str = "/nonexistent/aop-rules-tester";

/// nginx: one TLS server on *:443 with its certificate, holding `body`, inside `http {}`.
pub fn nginx_tls(body: &str) -> String {
    format!(
        "http {{\n server {{\n listen 443 ssl;\n ssl_certificate c.pem;\n ssl_certificate_key c.key;\n {body}\n }}\n}}\n"
    )
}

/// Apache: mod_ssl, `Listen 443` and one TLS virtual host with its certificate, holding `body`.
pub fn apache_tls(body: &str) -> String {
    format!(
        "LoadModule ssl_module modules/mod_ssl.so\nListen 443\n<VirtualHost *:443>\n SSLEngine on\n SSLCertificateFile c.pem\n {body}\n</VirtualHost>\n"
    )
}

/// Apache: a site that requires Cloudflare's certificate, for [`apache_tls`].
pub const APACHE_VERIFIED_SITE: &str =
    "SSLVerifyClient require\n SSLCACertificateFile ca.pem\n DocumentRoot /var/www/shop";

/// nginx: what serves content in the vectors.
pub const PROXY: &str = "location / { proxy_pass http://127.0.0.1:8080; }";

pub struct Tester {
    rule: &'static dyn Rule,
    cases: Vec<Case>,
    versions: ServerVersions,
    /// `/` of the snippets and the directory their main file is in.
    root: PathBuf,
}

struct Case {
    kind: ServerKind,
    must_raise: bool,
    config: String,
    versions: ServerVersions,
}

impl Tester {
    pub fn new(rule: &'static dyn Rule) -> Self {
        Tester {
            rule,
            cases: Vec::new(),
            versions: ServerVersions::default(),
            root: PathBuf::from(NO_ROOT),
        }
    }

    /// Reads the snippets as if their main file were in `dir` of the repository (and `dir`
    /// were `/`), for a rule that opens the files a directive names.
    pub fn files_in(mut self, dir: &str) -> Self {
        self.root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(dir);
        self
    }

    /// The server versions the cases added after this run under (`--nginx-version`,
    /// `--apache-version`): `"nginx/1.26.2"`, `"apache/2.4.62"`, or `""` for none.
    pub fn versions(mut self, given: &str) -> Self {
        self.versions = match given.split_once('/') {
            Some(("nginx", v)) => ServerVersions {
                nginx: Version::parse(v),
                apache: None,
            },
            Some(("apache", v)) => ServerVersions {
                nginx: None,
                apache: Version::parse(v),
            },
            _ => ServerVersions::default(),
        };
        self
    }

    pub fn nginx_fail(self, config: impl Into<String>) -> Self {
        self.case(ServerKind::Nginx, true, config.into())
    }

    pub fn nginx_pass(self, config: impl Into<String>) -> Self {
        self.case(ServerKind::Nginx, false, config.into())
    }

    pub fn apache_fail(self, config: impl Into<String>) -> Self {
        self.case(ServerKind::Apache, true, config.into())
    }

    pub fn apache_pass(self, config: impl Into<String>) -> Self {
        self.case(ServerKind::Apache, false, config.into())
    }

    fn case(mut self, kind: ServerKind, must_raise: bool, config: String) -> Self {
        assert!(
            self.rule.meta().kinds.contains(&kind),
            "{} does not check {} configurations",
            self.rule.meta().code,
            kind.as_str()
        );
        self.cases.push(Case {
            kind,
            must_raise,
            config,
            versions: self.versions,
        });
        self
    }

    /// Checks every case and returns the snapshot text: each failing case's findings of this
    /// rule, one block per case. Panics, naming the case, when a case disagrees.
    pub fn run(self) -> String {
        let code = self.rule.meta().code;
        let mut problems = Vec::new();
        let mut snapshot = String::new();
        for (i, case) in self.cases.iter().enumerate() {
            let (findings, map) = self.findings(case);
            let mut label = format!(
                "{} {} #{}",
                case.kind.as_str(),
                if case.must_raise { "fail" } else { "pass" },
                i + 1
            );
            for v in [case.versions.nginx, case.versions.apache]
                .into_iter()
                .flatten()
            {
                write!(label, " (version {v})").unwrap();
            }
            match (case.must_raise, findings.is_empty()) {
                (true, true) => problems.push(format!("{label} does not raise {code}")),
                (false, false) => {
                    problems.push(format!("{label} raises {code}: {}", findings[0].message))
                }
                _ => {}
            }
            if case.must_raise {
                writeln!(snapshot, "--- {label}").unwrap();
                for f in &findings {
                    render(f, &map, &mut snapshot);
                }
            }
        }
        assert!(
            self.cases.iter().any(|c| c.must_raise) && self.cases.iter().any(|c| !c.must_raise),
            "{code}: give at least one failing and one passing case"
        );
        assert!(problems.is_empty(), "{code}:\n{}", problems.join("\n"));
        snapshot
    }

    /// This rule's findings on one case: the readers' findings under its code (AOP001,
    /// AOP002, AOP004 come from reading) and what its check adds.
    fn findings(&self, case: &Case) -> (Vec<Finding>, SourceMap) {
        let opts = LoadOptions {
            root: Some(self.root.clone()),
            directives: crate::directives_read(),
            ..LoadOptions::default()
        };
        let mut map = SourceMap::default();
        let main = match case.kind {
            ServerKind::Nginx => "nginx.conf",
            ServerKind::Apache => "apache2.conf",
            ServerKind::Caddy => "Caddyfile",
        };
        let entry = self.root.join(main);
        let file = map.add(entry.clone(), case.config.clone().into_bytes());
        let config = match case.kind {
            ServerKind::Nginx => aop_nginx::load_file(file, entry, &mut map, &opts),
            ServerKind::Apache => aop_apache::load_file(file, &mut map, &opts),
            ServerKind::Caddy => aop_caddy::load_file(file, &mut map, &opts),
        };
        let code = self.rule.meta().code;
        let mut out: Vec<Finding> = config
            .findings
            .iter()
            .filter(|f| f.code == code)
            .cloned()
            .collect();
        // The whole pipeline, so that the simulation's decision (crate::simulated) is tested
        // with each rule.
        out.extend(
            crate::check(&Context::new(&config, &map).with_versions(case.versions))
                .into_iter()
                .filter(|f| f.code == code),
        );
        (out, map)
    }
}

/// One finding in a few lines: where, what, each label with the text it points at, the
/// help's first line.
fn render(f: &Finding, map: &SourceMap, out: &mut String) {
    let at = |span| {
        let l = map.location(span);
        let text = map.text(span);
        let first = text.lines().next().unwrap_or_default().trim();
        format!("{}:{} `{first}`", l.line, l.column)
    };
    writeln!(out, "{} {}: {}", f.code, f.severity.as_str(), f.message).unwrap();
    writeln!(out, "  {} {}", at(f.primary.span), f.primary.text).unwrap();
    for l in &f.secondary {
        writeln!(out, "  {} {}", at(l.span), l.text).unwrap();
    }
    if let Some(help) = &f.help {
        writeln!(out, "  help: {}", help.lines().next().unwrap_or_default()).unwrap();
    }
}
