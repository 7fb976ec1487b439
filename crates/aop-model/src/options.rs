use std::path::{Path, PathBuf};

use aop_source::Limits;

/// How a tree is read, shared by both server kinds.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Where `/` of the linted system is: an absolute path `/etc/x` in the configuration is
    /// read from `ROOT/etc/x`. Lets a tree copied out of `/` (a repository holding
    /// `etc/nginx`) be linted as it would run.
    pub root: Option<PathBuf>,
    pub limits: Limits,
}

impl LoadOptions {
    /// The path to read for `written`, a path in the configuration: relative ones start from
    /// `prefix`, which is already a path on this machine (it came from the command line), so
    /// only paths written absolute are moved below `root`.
    pub fn resolve(&self, prefix: &Path, written: &Path) -> PathBuf {
        if written.is_absolute() {
            self.host_path(written)
        } else {
            prefix.join(written)
        }
    }

    /// Maps a path as the server would open it to the path to read here.
    pub fn host_path(&self, path: &Path) -> PathBuf {
        match &self.root {
            Some(root) if path.is_absolute() => root.join(path.strip_prefix("/").unwrap_or(path)),
            _ => path.to_path_buf(),
        }
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
            opts.resolve(prefix, Path::new("certs/ca.pem")),
            PathBuf::from("/srv/rootfs/etc/nginx/certs/ca.pem")
        );
        assert_eq!(
            opts.resolve(prefix, Path::new("/etc/ssl/ca.pem")),
            PathBuf::from("/srv/rootfs/etc/ssl/ca.pem")
        );
        let no_root = LoadOptions::default();
        assert_eq!(
            no_root.resolve(Path::new("conf"), Path::new("a.conf")),
            PathBuf::from("conf/a.conf")
        );
    }
}
