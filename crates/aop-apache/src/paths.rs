//! Where httpd's paths point when the tree is read from somewhere else than where it runs.
//!
//! Policy: the default `ServerRoot` is the directory holding the main config, or the parent
//! of `conf/` for `conf/httpd.conf` (RHEL). An explicit `ServerRoot "/etc/httpd"` is honoured
//! through `--root` when one is given; without it, the declared directory is taken to be the
//! linted tree (a copy of `/etc/httpd` checked out elsewhere), so absolute paths under it are
//! read from the tree. The conventional roots `/etc/apache2` (for `apache2.conf`) and
//! `/etc/httpd` (for `httpd.conf`) are treated the same way. Other absolute paths are read
//! as written.

use std::path::{Path, PathBuf};

use aop_model::{Build, LoadOptions};
use aop_source::ReadError;

#[derive(Clone, Debug)]
pub struct TreePaths {
    /// The linted tree's own root: the default `ServerRoot`.
    pub tree_root: PathBuf,
    /// Where relative paths are read from now.
    pub server_root: PathBuf,
    /// Absolute directories that name the linted tree.
    aliases: Vec<PathBuf>,
    /// Only Debian's packages name the main file `apache2.conf`.
    debian_main_file: bool,
}

impl TreePaths {
    pub fn new(entry: &Path, opts: &LoadOptions) -> Self {
        let dir = match entry.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tree_root = if dir.file_name().is_some_and(|n| n == "conf") {
            dir.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        } else {
            dir
        };
        let mut aliases = Vec::new();
        if opts.root.is_none() {
            match entry.file_name().and_then(|n| n.to_str()) {
                Some("apache2.conf") => aliases.push(PathBuf::from("/etc/apache2")),
                Some("httpd.conf") => aliases.push(PathBuf::from("/etc/httpd")),
                _ => {}
            }
            // Gentoo keeps `httpd.conf` in `/etc/apache2`: the directory's own name says
            // which `/etc` directory the tree is a copy of.
            if let Some(name @ ("apache2" | "httpd")) =
                tree_root.file_name().and_then(|n| n.to_str())
            {
                let alias = Path::new("/etc").join(name);
                if !aliases.contains(&alias) {
                    aliases.push(alias);
                }
            }
        }
        TreePaths {
            server_root: tree_root.clone(),
            tree_root,
            aliases,
            debian_main_file: entry.file_name().is_some_and(|n| n == "apache2.conf"),
        }
    }

    /// The build the layout names, when it names one.
    pub fn build(&self) -> Option<Build> {
        self.debian_main_file.then_some(Build::Debian)
    }

    pub fn set_server_root(&mut self, written: &str, opts: &LoadOptions) {
        let p = Path::new(written);
        if opts.root.is_some() {
            // A root that cannot be resolved (a link loop) leaves nothing readable below it.
            self.server_root = if p.is_absolute() {
                opts.host_path(p).unwrap_or_default()
            } else {
                opts.confine(&self.tree_root.join(p)).unwrap_or_default()
            };
            return;
        }
        if p.is_absolute() {
            self.aliases.push(p.to_path_buf());
            self.aliases
                .sort_by_key(|a| std::cmp::Reverse(a.as_os_str().len()));
        }
        self.server_root = self.tree_root.clone();
    }

    fn rebase(&self, p: &Path) -> Option<PathBuf> {
        self.aliases
            .iter()
            .find_map(|a| p.strip_prefix(a).ok())
            .map(|rest| self.server_root.join(rest))
    }

    /// The path to read for a path as httpd would open it.
    pub fn resolve(&self, written: &str, opts: &LoadOptions) -> Result<PathBuf, ReadError> {
        let p = Path::new(written);
        if !p.is_absolute() {
            return opts.confine(&self.server_root.join(p));
        }
        if opts.root.is_some() {
            return opts.host_path(p);
        }
        Ok(self.rebase(p).unwrap_or_else(|| p.to_path_buf()))
    }

    /// An absolute path read as written, from the machine running the linter rather than
    /// from the linted tree.
    pub fn outside_tree(&self, written: &str, opts: &LoadOptions) -> bool {
        let p = Path::new(written);
        p.is_absolute() && opts.root.is_none() && self.rebase(p).is_none()
    }

    /// Whether a file exists, when that can be known from the linted tree.
    pub fn file_exists(&self, written: &str, opts: &LoadOptions) -> Option<bool> {
        let p = Path::new(written);
        if !p.is_absolute() || opts.root.is_some() || self.rebase(p).is_some() {
            return Some(self.resolve(written, opts).is_ok_and(|p| p.exists()));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_root_is_the_config_dir_or_the_parent_of_conf() {
        let o = LoadOptions::default();
        let d = TreePaths::new(Path::new("/x/apache2/apache2.conf"), &o);
        assert_eq!(d.server_root, PathBuf::from("/x/apache2"));
        let r = TreePaths::new(Path::new("/x/httpd/conf/httpd.conf"), &o);
        assert_eq!(r.server_root, PathBuf::from("/x/httpd"));
        assert_eq!(
            r.resolve("conf.d/a.conf", &o).unwrap(),
            PathBuf::from("/x/httpd/conf.d/a.conf")
        );
    }

    #[test]
    fn declared_server_root_maps_to_the_tree_without_root() {
        let o = LoadOptions::default();
        let mut r = TreePaths::new(Path::new("/copy/conf/httpd.conf"), &o);
        r.set_server_root("/srv/www", &o);
        assert_eq!(
            r.resolve("/srv/www/conf.d/a.conf", &o).unwrap(),
            PathBuf::from("/copy/conf.d/a.conf")
        );
        assert_eq!(
            r.resolve("/etc/httpd/x", &o).unwrap(),
            PathBuf::from("/copy/x")
        );
        assert_eq!(
            r.resolve("/etc/pki/ca.pem", &o).unwrap(),
            PathBuf::from("/etc/pki/ca.pem")
        );
        assert_eq!(r.file_exists("/etc/pki/ca.pem", &o), None);
    }

    #[test]
    fn declared_server_root_is_honoured_with_root() {
        let o = LoadOptions {
            root: Some(PathBuf::from("/sys-copy")),
            ..LoadOptions::default()
        };
        let mut r = TreePaths::new(Path::new("/sys-copy/etc/httpd/conf/httpd.conf"), &o);
        r.set_server_root("/etc/httpd", &o);
        assert_eq!(
            r.resolve("conf.d/a.conf", &o).unwrap(),
            PathBuf::from("/sys-copy/etc/httpd/conf.d/a.conf")
        );
        assert_eq!(
            r.resolve("/etc/pki/ca.pem", &o).unwrap(),
            PathBuf::from("/sys-copy/etc/pki/ca.pem")
        );
    }
}
