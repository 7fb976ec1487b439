//! What a server says of itself, `nginx -V` or `apache2 -V` saved beside its tree, or
//! `nginx -V` printed ahead of an `nginx -T` dump: the release and the build that run the
//! tree, for when neither the command line nor `aop-lint.toml` names them. A user already has
//! these lines; the package's patch level is not in them (docs/versions.md).

use std::io::Read;
use std::path::{Path, PathBuf};

use aop_model::{Build, Version};

/// Where the lines are looked for, beside the tree's main file.
pub const FILES: &[&str] = &["nginx-V.txt", "apache2-V.txt", "httpd-V.txt"];

/// More than `nginx -V` prints with every module configured.
const MAX_BYTES: u64 = 64 * 1024;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SelfReport {
    pub nginx: Option<Version>,
    pub apache: Option<Version>,
    pub build: Option<Build>,
}

impl SelfReport {
    pub fn is_empty(&self) -> bool {
        *self == SelfReport::default()
    }

    /// How a note names what was taken from it.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(v) = self.nginx {
            parts.push(format!("nginx {v}"));
        }
        if let Some(v) = self.apache {
            parts.push(format!("Apache httpd {v}"));
        }
        if let Some(b) = self.build {
            parts.push(b.describe().to_string());
        }
        parts.join(", ")
    }
}

/// The lines of `nginx -V` or `apache2 -V` (or `-v`), wherever they are in `text`.
pub fn parse(text: &str) -> SelfReport {
    let mut report = SelfReport::default();
    for line in text.lines() {
        let line = line.trim_end();
        if let Some(v) = line.strip_prefix("nginx version: ") {
            report.nginx = Version::parse(v);
        } else if let Some(v) = line.strip_prefix("Server version: ") {
            report.apache = Version::parse(v.split(' ').next().unwrap_or(v));
            report.build = report.build.or_else(|| apache_build(v));
        } else if let Some(args) = line.strip_prefix("configure arguments: ") {
            report.build = report.build.or_else(|| nginx_build(args));
        }
    }
    report
}

/// The packagers' builds tell themselves apart by where they keep dynamic modules; nginx.org's
/// packages and Docker image compile `stream` in.
fn nginx_build(args: &str) -> Option<Build> {
    let words: Vec<&str> = args.split_whitespace().collect();
    if words.contains(&"--modules-path=/usr/lib/nginx/modules") {
        Some(Build::Debian)
    } else if words.contains(&"--modules-path=/usr/lib64/nginx/modules") {
        Some(Build::Rhel)
    } else if words.contains(&"--with-stream") {
        Some(Build::Upstream)
    } else {
        None
    }
}

/// `Apache/2.4.71 (Debian)`: the platform httpd names after the version.
fn apache_build(version: &str) -> Option<Build> {
    let platform = version.split_once('(')?.1.split(')').next()?;
    match platform {
        "Debian" | "Ubuntu" => Some(Build::Debian),
        "Red Hat Enterprise Linux"
        | "Red Hat"
        | "CentOS"
        | "CentOS Stream"
        | "Fedora"
        | "Rocky Linux"
        | "AlmaLinux" => Some(Build::Rhel),
        "Unix" => Some(Build::Upstream),
        _ => None,
    }
}

/// The self-report saved beside the tree at `tree` (a directory or its main file), and the
/// file it came from; an error names a file that is there but cannot be read.
pub fn beside(tree: &Path) -> Option<Result<(PathBuf, SelfReport), String>> {
    let dir = if tree.is_dir() { tree } else { tree.parent()? };
    let file = FILES.iter().map(|f| dir.join(f)).find(|p| p.is_file())?;
    let mut bytes = Vec::new();
    let read = std::fs::File::open(&file).and_then(|f| f.take(MAX_BYTES).read_to_end(&mut bytes));
    Some(match read {
        Ok(_) => {
            let report = parse(&String::from_utf8_lossy(&bytes));
            if report.is_empty() {
                Err(format!(
                    "{}: no `nginx version:` or `Server version:` line; save the output of `nginx -V` or `apache2 -V` there",
                    file.display()
                ))
            } else {
                Ok((file, report))
            }
        }
        Err(e) => Err(format!("{}: {e}", file.display())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_nginx_tells_its_release_and_build() {
        let text = "nginx version: nginx/1.22.1\nbuilt with OpenSSL 3.0.22 25 Aug 2026\nTLS SNI support enabled\nconfigure arguments: --with-cc-opt='-g -O2' --prefix=/usr/share/nginx --modules-path=/usr/lib/nginx/modules --with-http_ssl_module --with-stream=dynamic\n";
        let r = parse(text);
        assert_eq!(r.nginx, Some(Version::new(1, 22, 1)));
        assert_eq!(r.build, Some(Build::Debian));
        assert_eq!(r.apache, None);
    }

    #[test]
    fn builds_are_told_apart() {
        let rhel = parse("nginx version: nginx/1.20.1\nconfigure arguments: --prefix=/usr/share/nginx --modules-path=/usr/lib64/nginx/modules --with-stream=dynamic\n");
        assert_eq!(rhel.build, Some(Build::Rhel));
        let upstream = parse("nginx version: nginx/1.30.4\nconfigure arguments: --prefix=/etc/nginx --with-stream --with-http_ssl_module\n");
        assert_eq!(upstream.build, Some(Build::Upstream));
        assert_eq!(upstream.nginx, Some(Version::new(1, 30, 4)));
        // A build of one's own with stream left out: the build is not one aop-lint knows.
        let own = parse("nginx version: nginx/1.26.2\nconfigure arguments: --prefix=/opt/nginx\n");
        assert_eq!(own.build, None);
        let apache =
            parse("Server version: Apache/2.4.71 (Debian)\nServer built:   2026-11-12T08:58:41\n");
        assert_eq!(apache.apache, Some(Version::new(2, 4, 71)));
        assert_eq!(apache.build, Some(Build::Debian));
        let rocky = parse("Server version: Apache/2.4.62 (Rocky Linux)\n");
        assert_eq!(rocky.build, Some(Build::Rhel));
        assert_eq!(
            parse("Server version: Apache/2.4.66 (Unix)\n").build,
            Some(Build::Upstream)
        );
    }

    #[test]
    fn other_text_says_nothing() {
        assert!(
            parse("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n").is_empty()
        );
        assert!(parse("").is_empty());
    }

    #[test]
    fn a_file_beside_the_tree_is_read_and_an_empty_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("nginx.conf"), "").unwrap();
        assert!(beside(dir.path()).is_none());
        std::fs::write(
            dir.path().join("nginx-V.txt"),
            "nginx version: nginx/1.26.2\n",
        )
        .unwrap();
        let (file, r) = beside(&dir.path().join("nginx.conf")).unwrap().unwrap();
        assert_eq!(file, dir.path().join("nginx-V.txt"));
        assert_eq!(r.nginx, Some(Version::new(1, 26, 2)));
        std::fs::write(dir.path().join("nginx-V.txt"), "built by gcc\n").unwrap();
        let e = beside(dir.path()).unwrap().unwrap_err();
        assert!(e.contains("no `nginx version:`"), "{e}");
    }
}
