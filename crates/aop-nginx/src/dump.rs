//! `nginx -T` prints every file it read as `# configuration file PATH:`, a newline, the file's
//! bytes, and one more newline. Splitting there gives back each file with its own lines.

use std::path::PathBuf;

const MARKER: &[u8] = b"# configuration file ";

/// A file recovered from a dump: its path and the byte range of its content in the dump.
#[derive(Debug, PartialEq, Eq)]
pub struct DumpedFile {
    pub path: PathBuf,
    /// Where its `# configuration file PATH:` line starts.
    pub marker: usize,
    pub start: usize,
    pub end: usize,
}

/// Finds the files of a dump, in the order nginx printed them (the main file first).
pub fn split(dump: &[u8]) -> Vec<DumpedFile> {
    let mut headers = Vec::new();
    let mut line_start = 0;
    while line_start < dump.len() {
        let line_end = dump[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(dump.len(), |i| line_start + i);
        let line = &dump[line_start..line_end];
        if let Some(rest) = line.strip_prefix(MARKER) {
            if let Some(path) = rest.strip_suffix(b":") {
                headers.push((line_start, (line_end + 1).min(dump.len()), path.to_vec()));
            }
        }
        line_start = line_end + 1;
    }
    let mut out = Vec::with_capacity(headers.len());
    for (i, (marker, content_start, path)) in headers.iter().enumerate() {
        let mut end = headers.get(i + 1).map_or(dump.len(), |h| h.0);
        // The newline nginx adds after each file is not part of it.
        if end > *content_start && dump[end - 1] == b'\n' {
            end -= 1;
        }
        out.push(DumpedFile {
            path: PathBuf::from(String::from_utf8_lossy(path).into_owned()),
            marker: *marker,
            start: *content_start,
            end: end.max(*content_start),
        });
    }
    out
}

/// Takes `parts[i]` back into the file before it: its marker line was a line of that file
/// (nginx prints files verbatim, so a comment can look exactly like a marker).
pub fn merge_into_previous(parts: &mut Vec<DumpedFile>, i: usize) {
    if i == 0 || i >= parts.len() {
        return;
    }
    let merged = parts.remove(i);
    parts[i - 1].end = merged.end;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_markers_and_drops_the_added_newline() {
        let dump = b"nginx: the configuration file /e/nginx.conf syntax is ok\n# configuration file /e/nginx.conf:\nhttp {\n include a.conf;\n}\n\n# configuration file /e/a.conf:\nserver {}\n\n";
        let files = split(dump);
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].path, PathBuf::from("/e/nginx.conf"));
        assert_eq!(
            &dump[files[0].start..files[0].end],
            b"http {\n include a.conf;\n}\n"
        );
        assert_eq!(&dump[files[1].start..files[1].end], b"server {}\n");
    }

    #[test]
    fn no_marker_means_no_files() {
        assert!(split(b"http {}").is_empty());
        assert!(split(b"").is_empty());
    }
}
