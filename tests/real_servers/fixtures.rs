//! Fixtures the real servers run: a case directory holding a file named `servable`.
//!
//! The file may pin what the servers are known to do, one `key: value` a line, `#` comments:
//! `open: yes|no` and `foreign: yes|no`. A pin is checked against the probes, so a fixture
//! written to show a server behaviour keeps showing it.
//!
//! `known-open: <why>` / `known-foreign: <why>` record that aop-lint's verdict is known to
//! differ from the server's: the difference is printed instead of failing, and the line must
//! go once aop-lint agrees (a stale entry fails).
//!
//! `needs-nginx: 1.29` serves the fixture only with that nginx or a newer one (a parameter
//! older versions refuse); with an older binary it is skipped, saying so.
//! `needs-nginx-before: 1.25` likewise only with an older one (a directive newer releases
//! removed), and `needs-module: http_stub_status_module` only with a build that has the
//! module (`nginx -V` names `--with-http_stub_status_module`).

use std::fs;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Nginx,
    Apache,
}

impl Kind {
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Apache => "apache",
        }
    }
}

pub struct Fixture {
    pub kind: Kind,
    pub name: String,
    /// Relative to the repository root, as aop-lint is given it.
    pub tree: PathBuf,
    pub pinned_open: Option<bool>,
    pub pinned_foreign: Option<bool>,
    pub known_open: Option<String>,
    pub known_foreign: Option<String>,
    /// The oldest nginx (major, minor) that accepts the tree.
    pub needs_nginx: Option<(u32, u32)>,
    pub needs_nginx_before: Option<(u32, u32)>,
    pub needs_modules: Vec<String>,
}

impl Fixture {
    /// What aop-lint is given: the directory for nginx; for Apache the main file itself,
    /// since a directory is searched for `nginx.conf` until Apache detection lands.
    pub fn lint_path(&self) -> PathBuf {
        if self.kind == Kind::Nginx {
            return self.tree.clone();
        }
        ["apache2.conf", "httpd.conf", "conf/httpd.conf"]
            .iter()
            .map(|f| self.tree.join(f))
            .find(|p| root().join(p).is_file())
            .unwrap_or_else(|| self.tree.clone())
    }
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

pub fn servable(kind: Kind) -> Result<Vec<Fixture>, String> {
    let dir = root().join("fixtures").join(kind.dir());
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut cases: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("servable").is_file())
        .collect();
    cases.sort();
    cases
        .into_iter()
        .map(|case| {
            let name = case
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = fs::read_to_string(case.join("servable")).map_err(|e| e.to_string())?;
            let mut fixture = Fixture {
                kind,
                tree: Path::new("fixtures").join(kind.dir()).join(&name),
                name,
                pinned_open: None,
                pinned_foreign: None,
                known_open: None,
                known_foreign: None,
                needs_nginx: None,
                needs_nginx_before: None,
                needs_modules: Vec::new(),
            };
            for (n, line) in text.lines().enumerate() {
                let line = line.split('#').next().unwrap_or("").trim();
                if line.is_empty() {
                    continue;
                }
                let bad = || format!("{}/servable:{}: `{line}`", fixture.tree.display(), n + 1);
                let (key, value) = line.split_once(':').ok_or_else(bad)?;
                match key.trim() {
                    "known-open" => {
                        fixture.known_open = Some(value.trim().to_string());
                        continue;
                    }
                    "known-foreign" => {
                        fixture.known_foreign = Some(value.trim().to_string());
                        continue;
                    }
                    "needs-nginx" => {
                        fixture.needs_nginx = Some(parse_version(value.trim()).ok_or_else(bad)?);
                        continue;
                    }
                    "needs-nginx-before" => {
                        fixture.needs_nginx_before =
                            Some(parse_version(value.trim()).ok_or_else(bad)?);
                        continue;
                    }
                    "needs-module" => {
                        fixture.needs_modules.push(value.trim().to_string());
                        continue;
                    }
                    _ => {}
                }
                let value = match value.trim() {
                    "yes" => true,
                    "no" => false,
                    _ => return Err(bad()),
                };
                match key.trim() {
                    "open" => fixture.pinned_open = Some(value),
                    "foreign" => fixture.pinned_foreign = Some(value),
                    _ => return Err(bad()),
                }
            }
            Ok(fixture)
        })
        .collect()
}

/// `1.29` or `1.22.1` as (major, minor).
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}
