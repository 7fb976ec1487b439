//! Reads the files an `Include` expands to on all cores before the reader takes them in
//! turn: a `sites-enabled/*.conf` of a thousand files is most of a tree. Only what does not
//! depend on the reader's state goes ahead (the canonical path, the bytes, the line index,
//! the logical lines): `${VAR}`s, `Define`, `<IfModule>` and the read-time directives act
//! when the file's turn comes, in the sequential order, so every finding stays as it was.

use std::fs;
use std::path::{Path, PathBuf};

use aop_source::{read_regular_file, FileId, SourceFile};

use crate::lines::{is_blank_or_comment, logical_lines};
use crate::mapped::Mapped;
use crate::words::{split_words, Word};

/// One file of an include, prepared for its turn.
pub struct Ready {
    /// The file's canonical path: what the include stack knows it by.
    pub canonical: PathBuf,
    /// The file and its logical lines, or `None` when reading failed: the file is then read
    /// again at its turn, so the failure is reported where and as it always was.
    pub read: Option<(SourceFile, Lines)>,
}

/// The logical lines of a file, and the words of those no variable can change.
pub struct Lines {
    pub lines: Vec<Mapped>,
    /// The words of each line, split ahead; `None` for a line that is blank, a comment or
    /// holds a `${`, and empty for a file read in turn (each line is split at its turn).
    pub words: Vec<Option<Vec<Word>>>,
}

/// Stands for the file's id until it is known.
const UNPLACED: FileId = FileId(u32::MAX);

impl Lines {
    /// The lines of a file read at its turn, split as they are read.
    pub fn in_turn(lines: Vec<Mapped>) -> Self {
        Lines {
            lines,
            words: Vec::new(),
        }
    }

    /// The lines of a file read ahead, not yet in the source map: they point into the file
    /// once it is [`placed`](Lines::placed).
    pub fn ahead(bytes: &[u8]) -> Self {
        let lines = logical_lines(UNPLACED, bytes);
        let words = lines
            .iter()
            .map(|l| {
                let fixed = !is_blank_or_comment(&l.text) && !may_hold_variable(&l.text);
                fixed.then(|| split_words(&l.text))
            })
            .collect();
        Lines { lines, words }
    }

    /// The lines, pointing into the file `id`.
    pub fn placed(mut self, id: FileId) -> Self {
        for line in &mut self.lines {
            line.file = id;
        }
        self
    }
}

/// Whether a `${` is in `text`: a `$` is rare, so it is looked for first.
fn may_hold_variable(text: &[u8]) -> bool {
    memchr::memchr_iter(b'$', text).any(|at| text.get(at + 1) == Some(&b'{'))
}

/// A file's canonical path, or the path as given when it has none (a file that is not there).
pub fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Prepares one file for its turn (on a reading thread).
pub fn prepare(file: &Path, max_file_bytes: u64) -> Ready {
    Ready {
        canonical: canonical(file),
        read: read_regular_file(file, max_file_bytes).ok().map(|bytes| {
            let lines = Lines::ahead(&bytes);
            (SourceFile::new(file.to_path_buf(), bytes), lines)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aop_model::{Config, LoadOptions};
    use aop_source::{Limits, SourceMap, Span};

    #[test]
    fn lines_read_ahead_point_into_the_file_they_are_given() {
        let read = Lines::ahead(b"ServerName a\\\n  b\n# c\nListen ${PORT}\nListen 80\n");
        let Lines { lines, words } = read.placed(FileId(3));
        assert_eq!(lines.len(), 4);
        assert!(lines.iter().all(|l| l.file == FileId(3)));
        assert_eq!(lines[3].span(0..6), Span::new(FileId(3), 37, 43));
        // A comment and a line a variable may change are split at their turn.
        let split: Vec<Option<usize>> = words.iter().map(|w| w.as_ref().map(Vec::len)).collect();
        assert_eq!(split, vec![Some(3), None, None, Some(2)]);
    }

    fn load(files: &[(String, Vec<u8>)], limits: Limits) -> (tempfile::TempDir, SourceMap, Config) {
        let dir = tempfile::tempdir().unwrap();
        for (name, body) in files {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, body).unwrap();
        }
        let opts = LoadOptions {
            limits,
            ..LoadOptions::default()
        };
        let mut map = SourceMap::new(opts.limits.clone());
        let config = crate::load(&dir.path().join(&files[0].0), &mut map, &opts).unwrap();
        (dir, map, config)
    }

    fn site(i: usize) -> (String, Vec<u8>) {
        // Each site uses the variable the one before it defined: read out of order, a name
        // would come out wrong.
        let body = format!(
            "<VirtualHost *:80>\n    ServerName s{i}.${{PREVIOUS}}.example\n</VirtualHost>\nDefine PREVIOUS after{i}\n"
        );
        (format!("sites/{i:04}.conf"), body.into_bytes())
    }

    /// A main file including `n` sites.
    fn tree(n: usize) -> Vec<(String, Vec<u8>)> {
        let main = b"Define PREVIOUS first\nInclude sites/*.conf\n".to_vec();
        let mut files = vec![("apache2.conf".to_string(), main)];
        files.extend((0..n).map(site));
        files
    }

    fn names(config: &Config) -> Vec<String> {
        config
            .servers
            .iter()
            .map(|s| s.names[0].0.clone())
            .collect()
    }

    #[test]
    fn many_files_are_spliced_in_the_order_httpd_reads_them() {
        let files = tree(300);
        let (_dir, map, config) = load(&files, Limits::default());
        assert!(config.findings.is_empty(), "{:?}", config.findings);
        let want: Vec<String> = (0..300)
            .map(|i| match i {
                0 => "s0.first.example".to_string(),
                _ => format!("s{i}.after{}.example", i - 1),
            })
            .collect();
        assert_eq!(names(&config), want);
        // Files are numbered in the order they were spliced in, each span in its own file.
        for (i, server) in config.servers.iter().enumerate() {
            assert_eq!(server.span.file, FileId(i as u32 + 1));
            assert!(map
                .file(server.span.file)
                .path
                .ends_with(format!("{i:04}.conf")));
            assert_eq!(map.text(server.span), "<VirtualHost *:80>");
        }
    }

    #[test]
    fn a_file_that_fails_ahead_is_reported_at_its_turn() {
        let mut files = tree(10);
        // Over the size limit: read ahead, it fails, and so must it at its turn.
        files[5].1.extend(std::iter::repeat_n(b'#', 400));
        let limits = Limits {
            max_file_bytes: 300,
            ..Limits::default()
        };
        let (_dir, map, config) = load(&files, limits);
        assert_eq!(config.findings.len(), 1, "{:?}", config.findings);
        let f = &config.findings[0];
        assert!(f.message.contains("0004.conf"), "{}", f.message);
        assert_eq!(map.text(f.primary.span), "Include sites/*.conf");
        // The files after it are read, in order, and the one before it defined what the
        // one after it uses.
        assert_eq!(config.servers.len(), 9);
        assert_eq!(names(&config)[4], "s5.after3.example");
    }

    #[test]
    fn the_total_size_limit_stops_at_the_same_file_as_reading_in_turn() {
        let files = tree(10);
        let main = files[0].1.len() as u64;
        let site = files[1].1.len() as u64;
        let limits = Limits {
            max_total_bytes: main + 3 * site + 10,
            ..Limits::default()
        };
        let (_dir, _map, config) = load(&files, limits);
        assert_eq!(config.servers.len(), 3);
        assert_eq!(config.findings.len(), 7, "{:?}", config.findings);
        assert!(config.findings[0].message.contains("0003.conf"));
    }

    #[test]
    fn includes_inside_files_read_ahead_are_read_ahead_too() {
        let mut files = tree(0);
        for i in 0..4 {
            let body = format!("Define SITE {i}\nInclude snippets/{i}/*.conf\n");
            files.push((format!("sites/{i}.conf"), body.into_bytes()));
            for j in 0..3 {
                // The middle snippet includes the site file that includes it.
                let back = if j == 1 {
                    format!("Include sites/{i}.conf\n")
                } else {
                    String::new()
                };
                let body = format!(
                    "<VirtualHost *:80>\n    ServerName s${{SITE}}-{j}.example\n</VirtualHost>\n{back}"
                );
                files.push((format!("snippets/{i}/{j}.conf"), body.into_bytes()));
            }
        }
        let (_dir, _map, config) = load(&files, Limits::default());
        let want: Vec<String> = (0..4)
            .flat_map(|i| (0..3).map(move |j| format!("s{i}-{j}.example")))
            .collect();
        assert_eq!(names(&config), want);
        // Each cycle is said once, at the include in the snippet.
        let cycles: Vec<_> = config
            .findings
            .iter()
            .filter(|f| f.message.starts_with("include cycle"))
            .collect();
        assert_eq!(cycles.len(), 4, "{:?}", config.findings);
    }
}
