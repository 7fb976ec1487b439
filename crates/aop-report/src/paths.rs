use std::path::{Component, Path};

/// A path as reports show it: relative to the working directory when under it, so output is
/// the same on every machine that checks the repository out.
pub fn display_path(path: &Path) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            let abs = if path.is_absolute() {
                path.to_path_buf()
            } else {
                cwd.join(path)
            };
            abs.strip_prefix(&cwd).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf());
    // `./a/b` and `a/b` name the same file: show one form.
    let cleaned: std::path::PathBuf = shown
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    cleaned.to_string_lossy().into_owned()
}
