//! The bookkeeping both readers keep while they follow includes: which files are being
//! read (outermost first), so that an include of one of them is a cycle, and which include
//! directives were already reported as leading into one, so that files including each other
//! say it once per directive instead of once per inclusion (a million from fifteen files).

use std::collections::HashSet;
use std::hash::Hash;
use std::path::{Path, PathBuf};

/// The name the guard knows a file by: its canonical path, so that two paths to one file are
/// one file; the path as given when it has none (a file that is not there).
pub fn file_key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `Place` names an include directive for the report-once set: a span for a reader that
/// parses each file once, the holder's path and offsets for one that reads a file anew at
/// each inclusion (where the same directive comes back with other spans).
pub struct IncludeGuard<Place> {
    open: Vec<PathBuf>,
    reported: HashSet<Place>,
}

impl<Place> Default for IncludeGuard<Place> {
    fn default() -> Self {
        IncludeGuard {
            open: Vec::new(),
            reported: HashSet::new(),
        }
    }
}

impl<Place: Hash + Eq> IncludeGuard<Place> {
    /// Whether the file known as `key` (its canonical path) is being read: an include of it
    /// is a cycle.
    pub fn is_open(&self, key: &Path) -> bool {
        self.open.iter().any(|k| k == key)
    }

    /// Whether the cycle an include directive at `place` leads into is to be reported: the
    /// first time only.
    pub fn first_report(&mut self, place: Place) -> bool {
        self.reported.insert(place)
    }

    /// The file `key` is being read from now on.
    pub fn enter(&mut self, key: PathBuf) {
        self.open.push(key);
    }

    /// The file entered last is read.
    pub fn leave(&mut self) {
        self.open.pop();
    }

    /// Files being read, the entry included.
    pub fn depth(&self) -> usize {
        self.open.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_being_read_is_a_cycle_reported_once_per_place() {
        let mut g = IncludeGuard::default();
        g.enter(PathBuf::from("/a.conf"));
        g.enter(PathBuf::from("/b.conf"));
        assert!(g.is_open(Path::new("/a.conf")) && g.is_open(Path::new("/b.conf")));
        assert!(!g.is_open(Path::new("/c.conf")));
        assert!(g.first_report(7));
        assert!(!g.first_report(7));
        assert!(g.first_report(9));
    }

    #[test]
    fn a_file_read_to_its_end_may_be_included_again() {
        let mut g = IncludeGuard::<u32>::default();
        g.enter(PathBuf::from("/a.conf"));
        g.enter(PathBuf::from("/b.conf"));
        assert_eq!(g.depth(), 2);
        g.leave();
        assert_eq!(g.depth(), 1);
        assert!(!g.is_open(Path::new("/b.conf")));
        assert!(g.is_open(Path::new("/a.conf")));
    }
}
