//! Every configuration file is read once into a [`SourceMap`]; everything downstream refers
//! to text through a [`Span`] (file id + byte range), so positions stay exact even for bytes
//! that are not UTF-8.

use std::borrow::Cow;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

mod confine;
mod fnmatch;
mod include_guard;
pub mod lex;
mod limits;
pub mod parallel;
pub mod wording;
pub use confine::{below_root, confine, resolve_in_root};
pub use fnmatch::{fnmatch, has_wildcard};
pub use include_guard::{file_key, IncludeGuard};
pub use limits::Limits;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range inside one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both (same file assumed; the first file wins otherwise).
    pub fn to(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One file's bytes and its line index.
pub struct SourceFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// A file and its line index, ready for [`SourceMap::push`]; building the index is the
    /// costly part, so readers on several threads build it there.
    pub fn new(path: PathBuf, bytes: Vec<u8>) -> Self {
        // Counted first: a growing vector ends up to twice the size, and a tree's line
        // indexes are kept whole for the run.
        let lines = memchr::memchr_iter(b'\n', &bytes).count();
        let mut line_starts = Vec::with_capacity(lines + 1);
        line_starts.push(0);
        // memchr looks at a word of bytes at a time: a byte-by-byte scan of every file was
        // 5 % of a whole run.
        line_starts.extend(memchr::memchr_iter(b'\n', &bytes).map(|i| i as u32 + 1));
        SourceFile {
            path,
            bytes,
            line_starts,
        }
    }

    /// 1-based line and 1-based column (counted in characters, an invalid byte sequence
    /// counting as one) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.bytes.len());
        let line = match self.line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let column = String::from_utf8_lossy(&self.bytes[start..offset])
            .chars()
            .count();
        (line + 1, column + 1)
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts
            .get(line.checked_sub(1)?)
            .map(|&o| o as usize)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// Where a span starts and ends, 1-based, columns in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineColumnSpan {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    NotFound,
    PermissionDenied,
    IsDirectory,
    NotRegularFile,
    TooLarge {
        size: u64,
        limit: u64,
    },
    TooManyFiles {
        limit: usize,
    },
    /// The files read so far and this one hold more than [`Limits::max_total_bytes`].
    TotalTooLarge {
        limit: u64,
    },
    /// Under `/proc` or `/sys`.
    KernelState,
    Other(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "no such file"),
            ReadError::PermissionDenied => write!(f, "permission denied"),
            ReadError::IsDirectory => write!(f, "is a directory"),
            ReadError::NotRegularFile => {
                write!(f, "not a regular file (a FIFO, socket or device)")
            }
            ReadError::TooLarge { size, limit } => {
                write!(f, "file is {size} bytes, over the limit of {limit} bytes")
            }
            ReadError::TooManyFiles { limit } => {
                write!(f, "more than {limit} files in the tree")
            }
            ReadError::TotalTooLarge { limit } => {
                write!(f, "the tree's files hold more than {limit} bytes in all")
            }
            ReadError::KernelState => {
                write!(
                    f,
                    "a file of the kernel's state (/proc, /sys), not configuration"
                )
            }
            ReadError::Other(e) => write!(f, "{e}"),
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            std::io::ErrorKind::PermissionDenied => ReadError::PermissionDenied,
            std::io::ErrorKind::IsADirectory => ReadError::IsDirectory,
            _ => ReadError::Other(e.to_string()),
        }
    }
}

/// All files read for one run.
#[derive(Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    pub limits: Limits,
    /// Bytes of all files held.
    total_bytes: u64,
}

impl SourceMap {
    pub fn new(limits: Limits) -> Self {
        SourceMap {
            files: Vec::new(),
            limits,
            total_bytes: 0,
        }
    }

    /// Adds bytes that did not come from disk as they are (stdin, a split `nginx -T` dump).
    pub fn add(&mut self, path: impl Into<PathBuf>, bytes: Vec<u8>) -> FileId {
        self.push(SourceFile::new(path.into(), bytes))
    }

    /// Adds a file whose line index is already built (see [`SourceFile::new`]).
    pub fn push(&mut self, file: SourceFile) -> FileId {
        self.total_bytes += file.bytes.len() as u64;
        let id = FileId(self.files.len() as u32);
        self.files.push(file);
        id
    }

    /// Reads a regular file within the limits. Special files are refused before opening,
    /// because opening a FIFO would block.
    pub fn read(&mut self, path: &Path) -> Result<FileId, ReadError> {
        self.check_file_count()?;
        let bytes = read_regular_file(path, self.limits.max_file_bytes)?;
        self.admit(SourceFile::new(path.to_path_buf(), bytes))
    }

    /// Adds a file read off this map (on another thread) if the limits [`SourceMap::read`]
    /// checks leave room for it, failing as `read` would have.
    pub fn admit(&mut self, file: SourceFile) -> Result<FileId, ReadError> {
        self.check_file_count()?;
        if !self.has_room(file.bytes.len() as u64) {
            return Err(ReadError::TotalTooLarge {
                limit: self.limits.max_total_bytes,
            });
        }
        Ok(self.push(file))
    }

    fn check_file_count(&self) -> Result<(), ReadError> {
        if self.files.len() >= self.limits.max_files {
            return Err(ReadError::TooManyFiles {
                limit: self.limits.max_files,
            });
        }
        Ok(())
    }

    /// Whether `bytes` more stay within [`Limits::max_total_bytes`].
    pub fn has_room(&self, bytes: u64) -> bool {
        self.total_bytes.saturating_add(bytes) <= self.limits.max_total_bytes
    }

    /// Forgets the files added after the first `len` (a reading that is started over).
    pub fn truncate(&mut self, len: usize) {
        for f in self.files.drain(len.min(self.files.len())..) {
            self.total_bytes -= f.bytes.len() as u64;
        }
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn bytes(&self, span: Span) -> &[u8] {
        let b = &self.file(span.file).bytes;
        let end = (span.end as usize).min(b.len());
        let start = (span.start as usize).min(end);
        &b[start..end]
    }

    pub fn text(&self, span: Span) -> Cow<'_, str> {
        String::from_utf8_lossy(self.bytes(span))
    }

    pub fn location(&self, span: Span) -> LineColumnSpan {
        let f = self.file(span.file);
        let (line, column) = f.line_col(span.start as usize);
        let (end_line, end_column) = f.line_col(span.end as usize);
        LineColumnSpan {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Files under `/proc` and `/sys` are this machine's state, never configuration: a read may
/// wait forever (`/proc/kmsg` is a "regular file" that blocks), and quoting one in a report
/// would publish it (`/proc/self/environ` holds the linter's environment, CI secrets too).
fn is_kernel_state(path: &Path) -> bool {
    let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    real.starts_with("/proc") || real.starts_with("/sys")
}

/// A regular file opened so that a read never waits for a writer.
#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<fs::File> {
    fs::File::open(path)
}

/// Reads a file as bytes, refusing special files, kernel state and files over `limit` bytes.
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    if is_kernel_state(path) {
        return Err(ReadError::KernelState);
    }
    let meta = fs::metadata(path)?;
    if meta.is_dir() {
        return Err(ReadError::IsDirectory);
    }
    if !meta.is_file() {
        return Err(ReadError::NotRegularFile);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut file = open_nonblocking(path)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow between stat and read: never take more than the limit.
    file.by_ref().take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let mut map = SourceMap::default();
        let id = map.add("a.conf", "ab\nçé x;\n".as_bytes().to_vec());
        // `x` is at byte 8 (ç and é are two bytes each), character column 4 of line 2.
        let span = Span::new(id, 8, 9);
        assert_eq!(
            map.location(span),
            LineColumnSpan {
                line: 2,
                column: 4,
                end_line: 2,
                end_column: 5
            }
        );
    }

    #[test]
    fn invalid_utf8_counts_as_one_column_and_keeps_offsets_exact() {
        let mut map = SourceMap::default();
        let id = map.add("a.conf", b"\xff\xfe;x".to_vec());
        assert_eq!(map.location(Span::new(id, 3, 4)).column, 4);
        assert_eq!(map.bytes(Span::new(id, 3, 4)), b"x");
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let mut map = SourceMap::default();
        let id = map.add("a.conf", b"abc".to_vec());
        let loc = map.location(Span::new(id, 10, 20));
        assert_eq!((loc.line, loc.column), (1, 4));
        assert_eq!(map.bytes(Span::new(id, 10, 20)), b"");
    }

    #[test]
    fn reading_refuses_directories_missing_and_large_files() {
        let dir = std::env::temp_dir().join(format!("aop-source-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.conf");
        fs::write(&big, vec![b'#'; 100]).unwrap();
        let mut map = SourceMap::new(Limits {
            max_file_bytes: 10,
            ..Limits::default()
        });
        assert_eq!(map.read(&dir), Err(ReadError::IsDirectory));
        assert_eq!(map.read(&dir.join("nope")), Err(ReadError::NotFound));
        assert!(matches!(map.read(&big), Err(ReadError::TooLarge { .. })));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_bytes_of_all_files_are_bounded_together() {
        let dir = std::env::temp_dir().join(format!("aop-source-total-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        for n in ["a", "b", "c"] {
            fs::write(dir.join(n), vec![b'#'; 100]).unwrap();
        }
        let mut map = SourceMap::new(Limits {
            max_total_bytes: 250,
            ..Limits::default()
        });
        assert!(map.read(&dir.join("a")).is_ok());
        assert!(map.read(&dir.join("b")).is_ok());
        assert_eq!(
            map.read(&dir.join("c")),
            Err(ReadError::TotalTooLarge { limit: 250 })
        );
        map.truncate(1);
        assert!(map.read(&dir.join("c")).is_ok());
        fs::remove_dir_all(&dir).unwrap();
    }
}
