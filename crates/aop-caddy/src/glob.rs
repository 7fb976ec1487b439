//! The files an `import` names: one path, or a pattern with `*` in its last component,
//! relative to the importing Caddyfile's directory. Matches are sorted, as Go's
//! `filepath.Glob` returns them.

use std::path::{Path, PathBuf};

use aop_model::LoadOptions;

pub fn matches(dir: &Path, written: &Path, opts: &LoadOptions) -> Result<Vec<PathBuf>, String> {
    let full = opts.resolve(dir, written).map_err(|e| e.to_string())?;
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.contains('*') {
        return Ok(if full.is_file() {
            vec![full]
        } else {
            Vec::new()
        });
    }
    let parent = full.parent().unwrap_or(Path::new("."));
    if parent.to_string_lossy().contains('*') {
        return Err("a `*` before the last path component is not followed".into());
    }
    let entries = match std::fs::read_dir(parent) {
        Ok(e) => e,
        Err(_) => return Ok(Vec::new()),
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| wildcard(&name, &e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .take(opts.limits.max_glob_matches)
        .collect();
    found.sort();
    Ok(found)
}

/// `*` matches any run of characters; everything else matches itself. Hidden files match
/// only a pattern that starts with a dot, as in Go.
fn wildcard(pattern: &str, name: &str) -> bool {
    if name.starts_with('.') && !pattern.starts_with('.') {
        return false;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn stars_match_runs() {
        assert!(wildcard("*.caddy", "site.caddy"));
        assert!(wildcard("a*b*c", "axxbyyc"));
        assert!(!wildcard("*.caddy", ".hidden.caddy"));
        assert!(!wildcard("a*b", "ab.x"));
    }
}
