use std::path::{Component, Path};

use aop_source::SourceMap;

/// A path as reports show it: relative to the working directory when under it, so output is
/// the same on every machine that checks the repository out.
pub fn display_path(path: &Path) -> String {
    shown(path, std::env::current_dir().ok().as_deref())
}

/// [`display_path`] of every file in the map, indexed by file id: a report names the same few
/// files thousands of times, and each [`display_path`] asks the system for the working
/// directory.
pub fn display_paths(map: &SourceMap) -> Vec<String> {
    let cwd = std::env::current_dir().ok();
    map.files()
        .map(|(_, f)| shown(&f.path, cwd.as_deref()))
        .collect()
}

fn shown(path: &Path, cwd: Option<&Path>) -> String {
    let shown = cwd
        .and_then(|cwd| {
            let abs = if path.is_absolute() {
                path.to_path_buf()
            } else {
                cwd.join(path)
            };
            abs.strip_prefix(cwd).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf());
    // `./a/b` and `a/b` name the same file: show one form.
    let cleaned: std::path::PathBuf = shown
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    cleaned.to_string_lossy().into_owned()
}
