//! Expanding an `Include` path into files, in the order httpd reads them: a directory is
//! read recursively, wildcards may sit in any segment, every listing is sorted by bytes.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use aop_source::{fnmatch, has_wildcard};

#[derive(Debug, PartialEq, Eq)]
pub enum IncludeError {
    Missing,
    /// A wildcard segment matched nothing (fatal for `Include`, fine for `IncludeOptional`).
    NoMatch(String),
    TooMany(usize),
    Unreadable(PathBuf, String),
}

impl std::fmt::Display for IncludeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IncludeError::Missing => write!(f, "no such file or directory"),
            IncludeError::NoMatch(w) => write!(f, "no matches for the wildcard `{w}`"),
            IncludeError::TooMany(n) => write!(f, "expands to more than {n} paths"),
            IncludeError::Unreadable(p, e) => write!(f, "cannot list `{}`: {e}", p.display()),
        }
    }
}

/// Deepest directory recursion followed, as httpd bounds it.
const MAX_DIR_DEPTH: usize = 128;

/// Maps a path found to the one to open (below `--root`, links followed inside the root).
pub type Confine<'a> = &'a dyn Fn(&Path) -> Result<PathBuf, aop_source::ReadError>;

pub struct Expander<'a> {
    confine: Confine<'a>,
    limit: usize,
    seen_dirs: HashSet<PathBuf>,
    files: Vec<PathBuf>,
}

pub fn expand(
    path: &Path,
    optional: bool,
    limit: usize,
    confine: Confine,
) -> Result<Vec<PathBuf>, IncludeError> {
    let mut e = Expander {
        confine,
        limit,
        seen_dirs: HashSet::new(),
        files: Vec::new(),
    };
    let segments: Vec<&OsStr> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s),
            _ => None,
        })
        .collect();
    let first_wild = segments.iter().position(|s| has_wildcard(s.as_bytes()));
    match first_wild {
        None => {
            if fs::metadata(path).is_err() {
                return Err(IncludeError::Missing);
            }
            e.take(path, 0)?;
        }
        Some(i) => {
            let mut base = PathBuf::new();
            for c in path.components() {
                if let Component::Normal(s) = c {
                    if has_wildcard(s.as_bytes()) {
                        break;
                    }
                }
                base.push(c.as_os_str());
            }
            e.wild(&base, &segments[i..], optional)?;
        }
    }
    Ok(e.files)
}

impl Expander<'_> {
    fn open(&self, found: PathBuf) -> Result<PathBuf, IncludeError> {
        (self.confine)(&found).map_err(|e| IncludeError::Unreadable(found, e.to_string()))
    }

    fn push(&mut self, file: PathBuf) -> Result<(), IncludeError> {
        if self.files.len() >= self.limit {
            return Err(IncludeError::TooMany(self.limit));
        }
        self.files.push(file);
        Ok(())
    }

    /// A path named exactly: a file, or a directory read recursively.
    fn take(&mut self, path: &Path, depth: usize) -> Result<(), IncludeError> {
        if !path.is_dir() {
            return self.push(path.to_path_buf());
        }
        if depth > MAX_DIR_DEPTH {
            return Ok(());
        }
        let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !self.seen_dirs.insert(canonical) {
            // A symlink loop: httpd would recurse until its depth limit; once is enough here.
            return Ok(());
        }
        for entry in sorted_entries(path)? {
            let entry = self.open(path.join(entry))?;
            self.take(&entry, depth + 1)?;
        }
        Ok(())
    }

    fn wild(&mut self, base: &Path, rest: &[&OsStr], optional: bool) -> Result<(), IncludeError> {
        let Some((segment, tail)) = rest.split_first() else {
            return self.take(base, 0);
        };
        if !has_wildcard(segment.as_bytes()) {
            let next = self.open(base.join(segment))?;
            if tail.is_empty() {
                if next.exists() {
                    return self.take(&next, 0);
                }
                return if optional {
                    Ok(())
                } else {
                    Err(IncludeError::Missing)
                };
            }
            return self.wild(&next, tail, optional);
        }
        let dir = if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        };
        let entries = match sorted_entries(dir) {
            Ok(e) => e,
            // A directory that is not there holds nothing to include; one that is there but
            // cannot be listed (root-only `sites-enabled`, linted as another user) may hold
            // the whole site: that is reported, never taken as empty.
            Err(_)
                if optional
                    && matches!(fs::symlink_metadata(dir), Err(e) if e.kind() == std::io::ErrorKind::NotFound) =>
            {
                return Ok(())
            }
            Err(e) => return Err(e),
        };
        let mut matched: Vec<PathBuf> = Vec::new();
        for n in entries
            .into_iter()
            .filter(|n| fnmatch(segment.as_bytes(), n.as_bytes()))
        {
            let p = self.open(base.join(n))?;
            if tail.is_empty() || p.is_dir() {
                matched.push(p);
            }
        }
        if matched.is_empty() && !optional {
            return Err(IncludeError::NoMatch(
                String::from_utf8_lossy(segment.as_bytes()).into_owned(),
            ));
        }
        for m in matched {
            self.wild(&m, tail, optional)?;
        }
        Ok(())
    }
}

fn sorted_entries(dir: &Path) -> Result<Vec<std::ffi::OsString>, IncludeError> {
    let read = fs::read_dir(dir)
        .map_err(|e| IncludeError::Unreadable(dir.to_path_buf(), e.to_string()))?;
    let mut names: Vec<std::ffi::OsString> =
        read.filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_is(p: &Path) -> Result<PathBuf, aop_source::ReadError> {
        Ok(p.to_path_buf())
    }

    fn tree() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        fs::create_dir_all(p.join("conf.d/sub")).unwrap();
        fs::create_dir_all(p.join("sites/a")).unwrap();
        fs::create_dir_all(p.join("sites/b")).unwrap();
        for f in [
            "conf.d/b.conf",
            "conf.d/A.conf",
            "conf.d/sub/c.conf",
            "conf.d/.h.conf",
        ] {
            fs::write(p.join(f), "").unwrap();
        }
        fs::write(p.join("sites/a/x.conf"), "").unwrap();
        fs::write(p.join("sites/b/x.conf"), "").unwrap();
        d
    }

    fn names(root: &Path, files: Vec<PathBuf>) -> Vec<String> {
        files
            .into_iter()
            .map(|f| f.strip_prefix(root).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn a_directory_is_read_recursively_in_byte_order() {
        let d = tree();
        let got = expand(&d.path().join("conf.d"), false, 100, &as_is).unwrap();
        assert_eq!(
            names(d.path(), got),
            vec![
                "conf.d/.h.conf",
                "conf.d/A.conf",
                "conf.d/b.conf",
                "conf.d/sub/c.conf"
            ]
        );
    }

    #[test]
    fn wildcards_skip_dot_files_and_sort() {
        let d = tree();
        let got = expand(&d.path().join("conf.d/*.conf"), false, 100, &as_is).unwrap();
        assert_eq!(names(d.path(), got), vec!["conf.d/A.conf", "conf.d/b.conf"]);
    }

    #[test]
    fn a_directory_matched_by_a_wildcard_is_read_recursively() {
        let d = tree();
        let got = expand(&d.path().join("conf.d/*"), false, 100, &as_is).unwrap();
        assert_eq!(
            names(d.path(), got),
            vec!["conf.d/A.conf", "conf.d/b.conf", "conf.d/sub/c.conf"]
        );
    }

    #[test]
    fn a_wildcard_below_a_file_cannot_be_listed() {
        let d = tree();
        let got = expand(&d.path().join("conf.d/b.conf/*"), false, 100, &as_is);
        assert!(matches!(got, Err(IncludeError::Unreadable(..))), "{got:?}");
    }

    #[test]
    fn wildcards_in_a_directory_segment() {
        let d = tree();
        let got = expand(&d.path().join("sites/*/x.conf"), false, 100, &as_is).unwrap();
        assert_eq!(
            names(d.path(), got),
            vec!["sites/a/x.conf", "sites/b/x.conf"]
        );
    }

    #[test]
    fn no_match_is_an_error_only_for_include() {
        let d = tree();
        let p = d.path().join("conf.d/*.load");
        assert_eq!(
            expand(&p, false, 100, &as_is),
            Err(IncludeError::NoMatch("*.load".into()))
        );
        assert_eq!(expand(&p, true, 100, &as_is), Ok(vec![]));
        assert_eq!(
            expand(&d.path().join("nope.conf"), false, 100, &as_is),
            Err(IncludeError::Missing)
        );
    }

    #[test]
    fn expansion_is_bounded() {
        let d = tree();
        assert_eq!(
            expand(&d.path().join("conf.d"), false, 2, &as_is),
            Err(IncludeError::TooMany(2))
        );
    }
}
