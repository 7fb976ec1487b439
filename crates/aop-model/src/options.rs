use std::path::{Path, PathBuf};

use aop_source::{confine, resolve_in_root, Limits, ReadError};

use crate::DirectiveName;

/// How a tree is read, shared by both server kinds.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Where `/` of the linted system is: an absolute path `/etc/x` in the configuration is
    /// read from `ROOT/etc/x`. Lets a tree copied out of `/` (a repository holding
    /// `etc/nginx`) be linted as it would run.
    pub root: Option<PathBuf>,
    pub limits: Limits,
    /// httpd's command-line defines (`-D NAME`, `--define NAME`). `None` when not given: a
    /// name the tree neither defines nor undefines is then undecided.
    pub defines: Option<Vec<String>>,
    /// The directives the rules ask about through `Server::directive`
    /// (`aop_rules::directives_read`): each server keeps only these of its directives, so
    /// reading costs nothing for the others.
    pub directives: Vec<DirectiveName>,
    /// Which build of the server runs the tree: it decides which modules are compiled in.
    /// `None`: the reader infers it where the layout says (Debian's `apache2.conf`), else
    /// asks nothing that depends on it.
    pub build: Option<Build>,
}

/// A family of server builds that compile the same modules in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// Debian's and Ubuntu's packages: httpd with mod_log_config, mod_logio, mod_version,
    /// mod_unixd and mod_watchdog compiled in; nginx with `stream` and `mail` as dynamic
    /// modules (`libnginx-mod-stream`, loaded from `modules-enabled/`).
    Debian,
    /// RHEL's, Fedora's and their rebuilds' packages: httpd with only the core compiled in;
    /// nginx with `stream` and `mail` as dynamic modules (`nginx-mod-stream`).
    Rhel,
    /// httpd built from its sources as the official Docker image is (only the core compiled
    /// in); nginx from nginx.org's packages or Docker image (`stream` and `mail` compiled in).
    Upstream,
}

impl Build {
    pub const NAMES: [&'static str; 3] = ["debian", "rhel", "upstream"];

    pub fn parse(word: &str) -> Option<Build> {
        match word.to_ascii_lowercase().as_str() {
            "debian" | "ubuntu" => Some(Build::Debian),
            "rhel" | "fedora" | "centos" | "rocky" | "alma" => Some(Build::Rhel),
            "upstream" | "official" | "docker" => Some(Build::Upstream),
            _ => None,
        }
    }

    /// How a report names it.
    pub fn describe(self) -> &'static str {
        match self {
            Build::Debian => "Debian's packages",
            Build::Rhel => "RHEL's packages",
            Build::Upstream => "the upstream build",
        }
    }

    /// The nginx modules this build ships as dynamic modules (`load_module` before use),
    /// with the file `load_module` names and the block they provide.
    pub fn nginx_dynamic_modules(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Build::Debian | Build::Rhel => &[
                ("stream", "ngx_stream_module.so"),
                ("mail", "ngx_mail_module.so"),
            ],
            Build::Upstream => &[],
        }
    }

    /// The httpd modules compiled into this build (`apache2 -l` / `httpd -l`), by source file.
    pub fn apache_built_in(self) -> &'static [&'static str] {
        match self {
            Build::Debian => &[
                "core.c",
                "mod_so.c",
                "mod_watchdog.c",
                "http_core.c",
                "mod_log_config.c",
                "mod_logio.c",
                "mod_version.c",
                "mod_unixd.c",
            ],
            Build::Rhel | Build::Upstream => &["core.c", "mod_so.c", "http_core.c"],
        }
    }
}

impl LoadOptions {
    /// Whether `name`, as a reader of `kind` found it, is one of [`LoadOptions::directives`].
    pub fn keeps_directive(&self, kind: crate::ServerKind, name: &str) -> bool {
        self.directives.iter().any(|d| match kind {
            crate::ServerKind::Nginx => d.nginx == name,
            crate::ServerKind::Apache => d.apache.eq_ignore_ascii_case(name),
            crate::ServerKind::Caddy => false,
        })
    }

    /// The path to read for `written`, a path in the configuration: relative ones start from
    /// `prefix`, which is already a path on this machine (it came from the command line), so
    /// only paths written absolute are moved below `root`. Below a root, every symbolic link
    /// is followed inside it ([`LoadOptions::confine`]).
    pub fn resolve(&self, prefix: &Path, written: &Path) -> Result<PathBuf, ReadError> {
        if written.is_absolute() {
            self.host_path(written)
        } else {
            self.confine(&prefix.join(written))
        }
    }

    /// Maps a path as the server would open it to the path to read here.
    pub fn host_path(&self, path: &Path) -> Result<PathBuf, ReadError> {
        match &self.root {
            Some(root) if path.is_absolute() && root != Path::new("/") => {
                resolve_in_root(root, path)
            }
            _ => Ok(path.to_path_buf()),
        }
    }

    /// A path on this machine (one found by listing a directory, or joined to a prefix)
    /// made safe to open: below the root, its links are followed inside the root, so an
    /// absolute link in the tree never names this machine's file. Paths not below the root
    /// were named by the user and are read as they are.
    pub fn confine(&self, path: &Path) -> Result<PathBuf, ReadError> {
        confine(self.root.as_deref(), path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_paths_move_below_the_root() {
        let opts = LoadOptions {
            root: Some(PathBuf::from("/srv/rootfs")),
            ..LoadOptions::default()
        };
        let prefix = Path::new("/srv/rootfs/etc/nginx");
        assert_eq!(
            opts.resolve(prefix, Path::new("certs/ca.pem")).unwrap(),
            PathBuf::from("/srv/rootfs/etc/nginx/certs/ca.pem")
        );
        assert_eq!(
            opts.resolve(prefix, Path::new("/etc/ssl/ca.pem")).unwrap(),
            PathBuf::from("/srv/rootfs/etc/ssl/ca.pem")
        );
        let no_root = LoadOptions::default();
        assert_eq!(
            no_root
                .resolve(Path::new("conf"), Path::new("a.conf"))
                .unwrap(),
            PathBuf::from("conf/a.conf")
        );
    }
}
