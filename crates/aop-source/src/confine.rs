//! Paths read below `--root` the way a chroot sees them: `..` stops at the root, and a
//! symbolic link is followed inside the root, an absolute target starting again from the
//! root (the semantics of `openat2(RESOLVE_IN_ROOT)`). Debian and Ansible enable sites with
//! absolute links (`sites-enabled/x -> /etc/nginx/sites-available/x`): read on the linting
//! machine, such a link would name that machine's file, not the tree's.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::ReadError;

/// Links followed in one resolution before giving up, as Linux does (`ELOOP` after 40).
const MAX_LINKS: usize = 40;

/// The path below `root` that `inside` names when `root` is `/`, with every symbolic link
/// already followed inside `root`: opening the result follows no link out of it. Components
/// that do not exist are kept as written (with `..` still clamped), so the open that follows
/// reports them missing.
pub fn resolve_in_root(root: &Path, inside: &Path) -> Result<PathBuf, ReadError> {
    let mut done: Vec<OsString> = Vec::new();
    let mut todo: VecDeque<OsString> = VecDeque::new();
    push_front(&mut todo, &mut done, inside);
    let mut links = 0;
    let mut exists = true;
    while let Some(name) = todo.pop_front() {
        if name == ".." {
            done.pop();
            continue;
        }
        let candidate = join(root, &done).join(&name);
        let target = if exists {
            match fs::symlink_metadata(&candidate) {
                Ok(m) if m.file_type().is_symlink() => Some(fs::read_link(&candidate)?),
                Ok(_) => None,
                Err(_) => {
                    exists = false;
                    None
                }
            }
        } else {
            None
        };
        match target {
            Some(target) => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(ReadError::Other(format!(
                        "too many levels of symbolic links at `{}`",
                        candidate.display()
                    )));
                }
                push_front(&mut todo, &mut done, &target);
            }
            None => done.push(name),
        }
    }
    Ok(join(root, &done))
}

/// Queues `path`'s components before the rest; an absolute path starts over at the root.
fn push_front(todo: &mut VecDeque<OsString>, done: &mut Vec<OsString>, path: &Path) {
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::RootDir | Component::Prefix(_) => {
                done.clear();
                parts.clear();
            }
            Component::CurDir => {}
            Component::ParentDir => parts.push(OsString::from("..")),
            Component::Normal(s) => parts.push(s.to_os_string()),
        }
    }
    for p in parts.into_iter().rev() {
        todo.push_front(p);
    }
}

fn join(root: &Path, parts: &[OsString]) -> PathBuf {
    let mut p = root.to_path_buf();
    p.extend(parts);
    p
}

/// A path on this machine made safe to open: below `root`, its links are followed inside
/// the root; a path not below it (or no root at all) is returned as it is.
pub fn confine(root: Option<&Path>, path: &Path) -> Result<PathBuf, ReadError> {
    // `/` itself is the machine: the kernel resolves links there as the server would.
    let root = root.filter(|r| *r != Path::new("/"));
    match root.and_then(|r| Some((r, below_root(r, path)?))) {
        Some((root, inside)) => resolve_in_root(root, &Path::new("/").join(inside)),
        None => Ok(path.to_path_buf()),
    }
}

/// `path` as a part below `root`, compared as absolute paths without `.` components; `None`
/// when it is not below `root`.
pub fn below_root(root: &Path, path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    let root_abs = std::path::absolute(root).ok()?;
    if let Ok(rest) = abs.strip_prefix(&root_abs) {
        return Some(rest.to_path_buf());
    }
    let canonical = fs::canonicalize(root).ok()?;
    abs.strip_prefix(canonical).ok().map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn tree() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "aop-confine-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("etc/nginx/sites-available")).unwrap();
        fs::create_dir_all(dir.join("etc/nginx/sites-enabled")).unwrap();
        fs::write(dir.join("etc/nginx/sites-available/a"), "server {}").unwrap();
        dir
    }

    #[test]
    fn absolute_link_targets_start_again_at_the_root() {
        let root = tree();
        symlink(
            "/etc/nginx/sites-available/a",
            root.join("etc/nginx/sites-enabled/a"),
        )
        .unwrap();
        let got = resolve_in_root(&root, Path::new("/etc/nginx/sites-enabled/a")).unwrap();
        assert_eq!(got, root.join("etc/nginx/sites-available/a"));
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn dot_dot_and_relative_links_stop_at_the_root() {
        let root = tree();
        symlink("../../../../../../etc/passwd", root.join("etc/nginx/up")).unwrap();
        let got = resolve_in_root(&root, Path::new("/etc/nginx/up")).unwrap();
        assert_eq!(got, root.join("etc/passwd"));
        let got = resolve_in_root(&root, Path::new("/../../etc/shadow")).unwrap();
        assert_eq!(got, root.join("etc/shadow"));
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_link_to_a_directory_is_followed_at_every_level() {
        let root = tree();
        symlink("/etc/nginx", root.join("conf")).unwrap();
        let got = resolve_in_root(&root, Path::new("conf/sites-available/a")).unwrap();
        assert_eq!(got, root.join("etc/nginx/sites-available/a"));
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn missing_components_are_kept_and_loops_refused() {
        let root = tree();
        let got = resolve_in_root(&root, Path::new("/etc/ssl/../x/ca.pem")).unwrap();
        assert_eq!(got, root.join("etc/x/ca.pem"));
        symlink("/loop-b", root.join("loop-a")).unwrap();
        symlink("/loop-a", root.join("loop-b")).unwrap();
        let err = resolve_in_root(&root, Path::new("/loop-a/x")).unwrap_err();
        assert!(err.to_string().contains("symbolic links"), "{err}");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn paths_below_the_root_are_recognised() {
        let root = Path::new("/srv/rootfs");
        assert_eq!(
            below_root(root, Path::new("/srv/rootfs/./etc/nginx")),
            Some(PathBuf::from("etc/nginx"))
        );
        assert_eq!(below_root(root, Path::new("/srv/other")), None);
    }
}
