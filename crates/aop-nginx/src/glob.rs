//! glob(3) as nginx calls it for `include`: `*`, `?` and `[...]` in any path component, no
//! match for a leading dot unless the pattern has one, results sorted in byte order (nginx runs
//! in the C locale). Directories it cannot read are returned, not skipped in silence.

use std::fs;
use std::path::{Component, Path, PathBuf};

use aop_source::{fnmatch, ReadError};

/// Whether nginx treats an include argument as a pattern (`strpbrk(file, "*?[")`).
pub fn is_pattern(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

pub struct Expansion {
    pub matches: Vec<PathBuf>,
    /// Directories that could not be listed, with the reason.
    pub unreadable: Vec<(PathBuf, String)>,
    /// True when more than the limit matched (the list is cut at the limit).
    pub truncated: bool,
}

/// `confine` maps each path found to the one to open (below `--root`, links are followed
/// inside the root); a path it refuses is reported as unreadable. Matches are sorted by the
/// path glob(3) found, as nginx sorts them, whatever their links resolve to.
pub fn expand(
    pattern: &Path,
    limit: usize,
    confine: &dyn Fn(&Path) -> Result<PathBuf, ReadError>,
) -> Expansion {
    let mut out = Expansion {
        matches: Vec::new(),
        unreadable: Vec::new(),
        truncated: false,
    };
    // (the path as glob(3) builds it, the path to open for it)
    let mut current: Vec<(PathBuf, PathBuf)> = vec![(PathBuf::new(), PathBuf::new())];
    // Directories listed in all: each listing costs a system call and its names.
    let mut listings = 0;
    let comps: Vec<Component> = pattern.components().collect();
    for (i, comp) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        let part = comp.as_os_str();
        let part_bytes = part.as_encoded_bytes();
        let wild = is_pattern(&String::from_utf8_lossy(part_bytes));
        let mut next = Vec::new();
        for (found, open) in &current {
            // Checked while collecting: `*/../*/../*` multiplies the paths at every step, and
            // gigabytes of them were held before the limit was looked at.
            if next.len() > limit {
                break;
            }
            let names: Vec<Vec<u8>> = if wild {
                listings += 1;
                if listings > limit {
                    out.truncated = true;
                    break;
                }
                let dir = if open.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    open.as_path()
                };
                let entries = match fs::read_dir(dir) {
                    Ok(e) => e,
                    Err(e) => {
                        out.unreadable.push((dir.to_path_buf(), e.to_string()));
                        continue;
                    }
                };
                let mut names: Vec<Vec<u8>> = entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().as_encoded_bytes().to_vec())
                    .filter(|name| fnmatch(part_bytes, name))
                    .collect();
                names.sort();
                names
            } else {
                vec![part_bytes.to_vec()]
            };
            for name in names {
                let name = os_from_bytes(&name);
                let found = found.join(&name);
                let p = match confine(&open.join(&name)) {
                    Ok(p) => p,
                    Err(e) => {
                        out.unreadable.push((found, e.to_string()));
                        continue;
                    }
                };
                // glob(3) requires every component to exist (the last is checked by opening).
                if last || p.is_dir() {
                    next.push((found, p));
                }
                if next.len() > limit {
                    break;
                }
            }
        }
        if next.len() > limit {
            next.truncate(limit);
            out.truncated = true;
        }
        current = next;
        if current.is_empty() {
            break;
        }
    }
    current.sort_by(|a, b| {
        a.0.as_os_str()
            .as_encoded_bytes()
            .cmp(b.0.as_os_str().as_encoded_bytes())
    });
    out.matches = current.into_iter().map(|(_, open)| open).collect();
    out
}

#[cfg(unix)]
fn os_from_bytes(b: &[u8]) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(b).to_os_string()
}

#[cfg(not(unix))]
fn os_from_bytes(b: &[u8]) -> std::ffi::OsString {
    String::from_utf8_lossy(b).into_owned().into()
}

/// Whether `path` matches `pattern` component by component, as glob(3) would find it.
pub fn path_matches(pattern: &Path, path: &Path) -> bool {
    let pat: Vec<_> = pattern.components().collect();
    let p: Vec<_> = path.components().collect();
    pat.len() == p.len()
        && pat.iter().zip(&p).all(|(a, b)| {
            fnmatch(
                a.as_os_str().as_encoded_bytes(),
                b.as_os_str().as_encoded_bytes(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_is_sorted_in_byte_order_and_skips_dotfiles() {
        let dir = std::env::temp_dir().join(format!("aop-glob-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("d")).unwrap();
        for n in ["b.conf", "B.conf", "a.conf", ".x.conf", "c.txt"] {
            fs::write(dir.join("d").join(n), "").unwrap();
        }
        let e = expand(&dir.join("d/*.conf"), 100, &|p| Ok(p.to_path_buf()));
        let names: Vec<_> = e
            .matches
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["B.conf", "a.conf", "b.conf"]);
        let e = expand(&dir.join("*/a.conf"), 100, &|p| Ok(p.to_path_buf()));
        assert_eq!(e.matches, vec![dir.join("d/a.conf")]);
        let e = expand(&dir.join("d/*.conf"), 2, &|p| Ok(p.to_path_buf()));
        assert!(e.truncated);
        fs::remove_dir_all(&dir).unwrap();
    }

    /// `*/../*/../*/../*.conf` over 40 directories names 40^4 paths: the limit stops the
    /// collecting, not only the result.
    #[test]
    fn a_multiplying_pattern_stops_at_the_limit_while_collecting() {
        let dir = std::env::temp_dir().join(format!("aop-glob-dots-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for n in 0..40 {
            fs::create_dir_all(dir.join(format!("d{n:02}"))).unwrap();
            fs::write(dir.join(format!("d{n:02}/x.conf")), "").unwrap();
        }
        let e = expand(&dir.join("*/../*/../*/../*/x.conf"), 1000, &|p| {
            Ok(p.to_path_buf())
        });
        assert!(e.truncated);
        assert!(e.matches.len() <= 1000);
        fs::remove_dir_all(&dir).unwrap();
    }
}
