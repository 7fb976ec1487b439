//! Reads the files an `Include` expands to on the other cores before the reader takes them
//! in turn: a `sites-enabled/*.conf` of a thousand files is most of a tree. Only what does not
//! depend on the reader's state goes ahead (the canonical path, the bytes, the line index,
//! the logical lines): `${VAR}`s, `Define`, `<IfModule>` and the read-time directives act
//! when the file's turn comes, in the sequential order, so every finding stays as it was.
//! Lines are split into words at their turn too, although most could be split ahead: their
//! many small strings, allocated on a reading thread and freed on this one, cost mimalloc
//! more than splitting them here (9 % more instructions in all and 7 % more memory on the
//! generated 10k tree, and slower; docs/performance.md).

use std::path::{Path, PathBuf};

use aop_source::{file_key, read_regular_file, FileId, SourceFile};

use crate::lines::logical_lines;
use crate::mapped::Mapped;

/// One file of an include, prepared for its turn.
pub struct Ready {
    /// The file's canonical path: what the include stack knows it by.
    pub canonical: PathBuf,
    /// The file and its logical lines, or `None` when reading failed: the file is then read
    /// again at its turn, so the failure is reported where and as it always was.
    pub read: Option<(SourceFile, Lines)>,
}

/// Logical lines of a file not yet in the source map: they point into the file once it is
/// given its id.
pub struct Lines(Vec<Mapped>);

/// Stands for the file's id until it is known.
const UNPLACED: FileId = FileId(u32::MAX);

impl Lines {
    pub fn of(bytes: &[u8]) -> Self {
        Lines(logical_lines(UNPLACED, bytes))
    }

    /// The lines, pointing into the file `id`.
    pub fn placed(mut self, id: FileId) -> Vec<Mapped> {
        for line in &mut self.0 {
            line.file = id;
        }
        self.0
    }
}

/// Prepares one file for its turn (on a reading thread).
pub fn prepare(file: &Path, max_file_bytes: u64) -> Ready {
    Ready {
        canonical: file_key(file),
        read: read_regular_file(file, max_file_bytes).ok().map(|bytes| {
            let lines = Lines::of(&bytes);
            (SourceFile::new(file.to_path_buf(), bytes), lines)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aop_model::{Config, LoadOptions};
    use aop_source::{Limits, SourceMap, Span};
    use std::fs;

    #[test]
    fn lines_read_ahead_point_into_the_file_they_are_given() {
        let lines = Lines::of(b"ServerName a\\\n  b\n# c\nListen 80\n").placed(FileId(3));
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l.file == FileId(3)));
        assert_eq!(lines[2].span(0..6), Span::new(FileId(3), 22, 28));
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
