//! The files a rewriter reads, in the server's order, and the splices it makes in them,
//! written back at the end. Splices are by byte range in the original text, so they do not
//! disturb each other; a file included twice receives the same splices twice, harmlessly.

use std::collections::BTreeMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Default)]
pub struct Files {
    sources: BTreeMap<PathBuf, String>,
    edits: BTreeMap<PathBuf, BTreeMap<(usize, usize), String>>,
    visiting: Vec<PathBuf>,
}

impl Files {
    /// Reads a file about to be walked; an include cycle is an error.
    pub fn enter(&mut self, path: &Path) -> Result<String, String> {
        if self.visiting.iter().any(|p| p == path) {
            return Err(format!("include cycle through {}", path.display()));
        }
        let src =
            fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        self.sources.insert(path.to_path_buf(), src.clone());
        self.visiting.push(path.to_path_buf());
        Ok(src)
    }

    pub fn leave(&mut self) {
        self.visiting.pop();
    }

    pub fn len_of(&self, path: &Path) -> usize {
        self.sources.get(path).map(String::len).unwrap_or(0)
    }

    /// Replaces `range` with `text`; several insertions at one point are kept in order.
    pub fn edit(&mut self, file: &Path, range: Range<usize>, text: String) {
        let edits = self.edits.entry(file.to_path_buf()).or_default();
        let slot = edits.entry((range.start, range.end)).or_default();
        if range.is_empty() && !slot.contains(&text) {
            slot.push_str(&text);
        } else {
            *slot = text;
        }
    }

    pub fn write_all(self) -> Result<(), String> {
        for (path, edits) in self.edits {
            let mut text = self.sources.get(&path).cloned().unwrap_or_default();
            for ((start, end), replacement) in edits.into_iter().rev() {
                text.replace_range(start..end, &replacement);
            }
            fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// A path as a single directive argument.
pub fn quote(path: &str) -> String {
    if path.contains([' ', ';', '{', '}', '#', '"', '\'']) {
        format!("\"{}\"", path.replace('"', "\\\""))
    } else {
        path.to_string()
    }
}
