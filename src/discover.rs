//! From a path on the command line to the main configuration file and its server kind.

use std::path::{Path, PathBuf};

use aop_model::ServerKind;

#[derive(Debug, PartialEq, Eq)]
pub struct Tree {
    pub kind: ServerKind,
    pub entry: PathBuf,
}

const NGINX: &[&str] = &["nginx.conf"];

/// Finds the main file: a file is taken as it is; a directory is searched for the main file's
/// usual name.
pub fn discover(path: &Path, forced: Option<ServerKind>) -> Result<Tree, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() {
        let kind = forced.unwrap_or(ServerKind::Nginx);
        return Ok(Tree {
            kind,
            entry: path.to_path_buf(),
        });
    }
    if !meta.is_dir() {
        return Err(format!(
            "{}: not a regular file or directory (a FIFO, socket or device)",
            path.display()
        ));
    }
    let candidates: &[&str] = match forced {
        None | Some(ServerKind::Nginx) => NGINX,
        Some(ServerKind::Apache) => &[],
    };
    for name in candidates {
        let entry = path.join(name);
        if entry.is_file() {
            return Ok(Tree {
                kind: ServerKind::Nginx,
                entry,
            });
        }
    }
    Err(format!(
        "{}: no nginx.conf here; give the main configuration file itself",
        path.display()
    ))
}
