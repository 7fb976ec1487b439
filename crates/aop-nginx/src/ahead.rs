//! Reads and parses the files an include pattern expands to on all cores, before the reader
//! splices them in one by one. A `sites-enabled/*.conf` of a thousand files is most of a
//! tree; the order they are spliced in (and so every finding) stays the sequential one.

use aop_source::parallel::{in_parallel, workers};
use aop_source::{read_regular_file, FileId, SourceFile, SourceMap};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::parse::{parse, Parsed};

/// Files read ahead, by canonical path, waiting for their turn.
#[derive(Default)]
pub struct Ahead {
    /// Canonical path of each path included so far, so each is resolved once.
    pub keys: HashMap<PathBuf, PathBuf>,
    pub parsed: HashMap<PathBuf, (FileId, Parsed)>,
}

impl Ahead {
    /// Reads `files` (skipping those already in `known`) into `map` and parses them. Failures
    /// are left for the sequential path, which reports them where they are included.
    pub fn fetch(
        &mut self,
        files: &[PathBuf],
        known: &HashMap<PathBuf, FileId>,
        map: &mut SourceMap,
        max_nesting: usize,
    ) {
        if files.len() < 2 || workers() < 2 {
            return;
        }
        let limit = map.limits.max_file_bytes;
        // Each file's line index is built here too, on the reading threads.
        let read = in_parallel(files, |f: &PathBuf| {
            let key = aop_source::file_key(f);
            let file = read_regular_file(f, limit)
                .ok()
                .map(|bytes| SourceFile::new(f.clone(), bytes));
            (key, file)
        });
        let mut fresh: Vec<(PathBuf, FileId)> = Vec::new();
        let mut batch: HashSet<PathBuf> = HashSet::new();
        for (file, (key, source)) in files.iter().zip(read) {
            self.keys.insert(file.clone(), key.clone());
            let Some(source) = source else { continue };
            let claimed = known.contains_key(&key) || self.parsed.contains_key(&key);
            let full =
                map.len() >= map.limits.max_files || !map.has_room(source.bytes.len() as u64);
            if claimed || full || !batch.insert(key.clone()) {
                continue;
            }
            fresh.push((key, map.push(source)));
        }
        let map: &SourceMap = map;
        let parsed = in_parallel(&fresh, |(_, id)| {
            parse(&map.file(*id).bytes, *id, max_nesting)
        });
        for ((key, id), p) in fresh.into_iter().zip(parsed) {
            self.parsed.insert(key, (id, p));
        }
    }

    /// The canonical path of `file`, resolved once per path: a snippet included by every
    /// server would otherwise cost a `realpath` per server.
    pub fn key(&mut self, file: &Path) -> PathBuf {
        if let Some(k) = self.keys.get(file) {
            return k.clone();
        }
        let k = aop_source::file_key(file);
        self.keys.insert(file.to_path_buf(), k.clone());
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aop_model::LoadOptions;

    #[test]
    fn a_file_matched_twice_or_already_read_is_read_once() {
        let sites: Vec<String> = (0..4)
            .map(|n| format!("server {{ listen 8{n}; }}"))
            .collect();
        let dir = crate::test_tree(
            "ahead",
            "http { include sites/*.conf; include nginx.conf*; }",
            &sites,
        );
        let sites = dir.join("sites");
        #[cfg(unix)]
        std::os::unix::fs::symlink(sites.join("0.conf"), sites.join("9.conf")).unwrap();
        let mut map = SourceMap::default();
        let config = crate::load(&dir.join("nginx.conf"), &mut map, &LoadOptions::default())
            .expect("entry readable");
        // nginx.conf plus four sites: the symlink is the same file, read once and spliced twice.
        assert_eq!(map.len(), 5);
        assert_eq!(config.servers.len(), if cfg!(unix) { 5 } else { 4 });
        // The pattern matching nginx.conf itself is a cycle, reported, not a second read.
        assert!(config.findings.iter().any(|f| f.message.contains("cycle")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
