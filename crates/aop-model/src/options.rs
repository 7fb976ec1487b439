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
    /// Maps a path as the server would open it to the path to read here.
    pub fn host_path(&self, path: &Path) -> PathBuf {
        match &self.root {
            Some(root) if path.is_absolute() => root.join(path.strip_prefix("/").unwrap_or(path)),
            _ => path.to_path_buf(),
        }
    }
}
