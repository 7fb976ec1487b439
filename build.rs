//! Names the commit a binary was built from in `aop-lint --version`, when it was built from a
//! checkout of its own repository. From a crate tarball, or with no `git` at hand, the
//! version is the bare package version: nothing here can fail the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let full = match commit(&dir) {
        Some(c) => {
            for watched in c.watch {
                println!("cargo:rerun-if-changed={}", watched.display());
            }
            format!("{version} ({} {})", c.hash, c.date)
        }
        None => version,
    };
    println!("cargo:rustc-env=AOP_LINT_VERSION={full}");
    println!("cargo:rerun-if-changed=build.rs");
}

pub struct Commit {
    pub hash: String,
    /// The commit's date, `YYYY-MM-DD`.
    pub date: String,
    /// The files whose change moves HEAD: the build runs again when they change.
    pub watch: Vec<PathBuf>,
}

/// HEAD of the repository whose top directory is `dir`; `None` when `dir` is not the top of
/// one (a crate unpacked inside someone else's repository must not take its commit).
pub fn commit(dir: &Path) -> Option<Commit> {
    let git = |args: &[&str]| -> Option<String> {
        // A build inside a git hook inherits the hook's repository in these.
        let out = Command::new("git")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()?;
        let text = String::from_utf8(out.stdout).ok()?;
        (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(top).ok()? != std::fs::canonicalize(dir).ok()? {
        return None;
    }
    let hash = git(&["rev-parse", "--short", "HEAD"])?;
    let date = git(&["log", "-1", "--format=%cs", "HEAD"])?;
    // HEAD, the branch it names and packed-refs, wherever this checkout keeps them (a
    // worktree keeps HEAD apart from the refs).
    let mut paths = vec!["HEAD".to_string(), "packed-refs".to_string()];
    paths.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    let watch = paths
        .iter()
        .filter_map(|p| git(&["rev-parse", "--path-format=absolute", "--git-path", p]))
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect();
    Some(Commit { hash, date, watch })
}
