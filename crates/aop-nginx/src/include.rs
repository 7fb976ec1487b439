//! Follows `include` the way nginx does: relative to the conf prefix (the main file's
//! directory), patterns expanded and sorted, a missing plain file fatal, a pattern matching
//! nothing fine. Each file is read and parsed once, however often it is included.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use aop_model::{admit_inclusion, codes, Finding, Label, LoadOptions};
use aop_source::IncludeGuard;
use aop_source::{FileId, ReadError, SourceMap, Span};

use crate::ahead::Ahead;
use crate::ast::Directive;
use crate::errors::ConfError;
use crate::glob;
use crate::lower::{draft_server, Draft};
use crate::parse::{parse, Parsed, SyntaxError};
use crate::variables::Variables;

/// Splices each included file into the tree where its `include` stands, as nginx reads it,
/// and drafts each top-level server as it arrives.
pub struct IncludeSplicer<'a> {
    pub map: &'a mut SourceMap,
    pub opts: &'a LoadOptions,
    /// nginx's conf prefix: relative include paths start here.
    pub prefix: PathBuf,
    pub findings: Vec<Finding>,
    /// Files already read, by canonical path. A file included again is parsed again from the
    /// bytes in the map rather than kept as a tree and cloned: parsing is cheaper than holding
    /// every file's syntax tree twice.
    read: HashMap<PathBuf, FileId>,
    ahead: Ahead,
    /// Files spliced in so far, each inclusion counted (see `Limits::max_inclusions`).
    inclusions: usize,
    files_limit_reported: bool,
    /// Files being expanded, and include arguments found to lead into a cycle (one finding
    /// each, or a pattern matching a thousand files that include each other gives a million).
    guard: IncludeGuard<Span>,
    /// Reading an `nginx -T` dump: includes resolve against the files it holds, not the disk.
    dump: Option<DumpFiles>,
    /// The servers of top-level `http {}` blocks, drafted in order as they are spliced in, so
    /// that each one's syntax tree is freed at once and the whole tree never exists. Boxed:
    /// a vector of ten thousand drafts grown by doubling would leave megabytes of freed
    /// copies resident behind it.
    pub drafts: Vec<Box<Draft>>,
    /// Expanding the file's top-level directives (includes splice in at the same level).
    at_top: bool,
    /// Expanding the directives directly inside a top-level `http {}`.
    in_http: bool,
    /// Files an include argument could not read, said once each: a file included many times
    /// over would otherwise repeat its finding at every inclusion.
    reported_unreadable: HashSet<(Span, PathBuf)>,
    /// Includes found too deep or outside the tree, said once each.
    reported_depth: HashSet<Span>,
    /// Some include was not read in full (a file missing or unreadable, a cycle, a limit):
    /// a directive it holds may be missing from the tree.
    pub incomplete: bool,
    /// Variables defined and used, read from each server before its block is freed.
    pub variables: Variables,
}

/// The files of a dump, looked up by path and by directory: a linear search per include
/// took 49 s on a large dump.
struct DumpFiles {
    /// The first part dumped under each path (a later one is never read).
    by_path: HashMap<PathBuf, FileId>,
    by_dir: HashMap<PathBuf, Vec<PathBuf>>,
}

impl DumpFiles {
    fn new(files: Vec<(PathBuf, FileId)>) -> Self {
        let mut by_path = HashMap::new();
        let mut by_dir: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
        for (path, id) in files {
            if by_path.contains_key(&path) {
                continue;
            }
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            by_dir.entry(dir).or_default().push(path.clone());
            by_path.insert(path, id);
        }
        DumpFiles { by_path, by_dir }
    }

    /// The dumped paths a pattern matches, unsorted.
    fn matching(&self, pattern: &Path) -> Vec<PathBuf> {
        let dir = pattern.parent().unwrap_or(Path::new(""));
        let candidates: Box<dyn Iterator<Item = &PathBuf>> =
            if glob::is_pattern(&dir.to_string_lossy()) {
                Box::new(self.by_path.keys())
            } else {
                Box::new(self.by_dir.get(dir).into_iter().flatten())
            };
        candidates
            .filter(|p| glob::path_matches(pattern, p))
            .cloned()
            .collect()
    }
}

/// Files read and parsed ahead at a time: enough to keep every core busy, few enough that the
/// syntax trees waiting to be spliced stay small.
const AHEAD_BATCH: usize = 64;

impl<'a> IncludeSplicer<'a> {
    pub fn new(map: &'a mut SourceMap, opts: &'a LoadOptions, prefix: PathBuf) -> Self {
        IncludeSplicer {
            map,
            opts,
            prefix,
            findings: Vec::new(),
            read: HashMap::new(),
            ahead: Ahead::default(),
            inclusions: 0,
            files_limit_reported: false,
            guard: IncludeGuard::default(),
            dump: None,
            drafts: Vec::new(),
            at_top: false,
            in_http: false,
            reported_unreadable: HashSet::new(),
            reported_depth: HashSet::new(),
            incomplete: false,
            variables: Variables::default(),
        }
    }

    /// A reader whose includes resolve against the files of an `nginx -T` dump.
    pub fn for_dump(
        map: &'a mut SourceMap,
        opts: &'a LoadOptions,
        prefix: PathBuf,
        files: Vec<(PathBuf, FileId)>,
    ) -> Self {
        let mut r = IncludeSplicer::new(map, opts, prefix);
        r.dump = Some(DumpFiles::new(files));
        r
    }

    fn expand_pattern(&mut self, pattern: &Path) -> glob::Expansion {
        match &self.dump {
            Some(files) => {
                let mut matches = files.matching(pattern);
                matches.sort_by(|a, b| {
                    a.as_os_str()
                        .as_encoded_bytes()
                        .cmp(b.as_os_str().as_encoded_bytes())
                });
                glob::Expansion {
                    matches,
                    unreadable: Vec::new(),
                    truncated: false,
                }
            }
            None => glob::expand(pattern, self.opts.limits.max_glob_matches, &|p| {
                self.opts.confine(p)
            }),
        }
    }

    /// An absolute path that would be read from this machine although the user named only
    /// the tree: without a root, a repository's copy would silently mix in `/etc/nginx`.
    fn outside_tree(&self, written: &Path) -> bool {
        if self.opts.root.is_some() || !written.is_absolute() {
            return false;
        }
        match std::path::absolute(&self.prefix) {
            Ok(tree) => !written.starts_with(tree),
            Err(_) => true,
        }
    }

    /// Whether a file (of a dump: its path as dumped) was spliced in by some include.
    pub fn was_read(&self, key: &Path) -> bool {
        self.read.contains_key(key)
    }

    /// The cache key of a file: its canonical path on disk, its path as written in a dump.
    fn key(&mut self, file: &Path) -> PathBuf {
        match &self.dump {
            Some(_) => file.to_path_buf(),
            None => self.ahead.key(file),
        }
    }

    /// Reads a file not read yet into the map.
    fn open(&mut self, file: &Path) -> Result<FileId, ReadError> {
        match &self.dump {
            Some(files) => match files.by_path.get(file) {
                Some(&id) => Ok(id),
                None => Err(ReadError::Other("not in the nginx -T dump".into())),
            },
            None => self.map.read(file),
        }
    }

    /// Parses and expands one file given as bytes already in the map (the entry, or a part of
    /// an `nginx -T` dump).
    pub fn expand_file(&mut self, file: FileId, key: PathBuf) -> Vec<Directive> {
        let directives = self.parse_file(file, key.clone());
        self.guard.enter(key);
        self.at_top = true;
        let out = self.expand(directives, 0);
        self.at_top = false;
        self.guard.leave();
        out
    }

    fn parse_file(&mut self, file: FileId, key: PathBuf) -> Vec<Directive> {
        let parsed = parse(
            &self.map.file(file).bytes,
            file,
            self.opts.limits.max_nesting,
        );
        self.adopt(file, key, parsed)
    }

    /// Records a parsed file as read; its syntax error is reported once, however often the
    /// file is included.
    fn adopt(&mut self, file: FileId, key: PathBuf, parsed: Parsed) -> Vec<Directive> {
        if self.read.insert(key, file).is_none() {
            if let Some(e) = parsed.error {
                self.findings.push(syntax_finding(e));
            }
        }
        parsed.directives
    }

    fn expand(&mut self, mut directives: Vec<Directive>, depth: usize) -> Vec<Directive> {
        // Most blocks hold no include: expand their children in place instead of moving every
        // directive into a new vector.
        if !directives.iter().any(is_include) {
            for d in directives.iter_mut() {
                self.expand_block(d, depth);
            }
            return directives;
        }
        let mut out = Vec::with_capacity(directives.len());
        for mut d in directives {
            if is_include(&d) {
                self.include(&d, depth, &mut out);
                continue;
            }
            self.expand_block(&mut d, depth);
            out.push(d);
        }
        out
    }

    /// Expands the block `d` opens, if any. A server directly inside a top-level `http {}` is
    /// then drafted and its block freed.
    fn expand_block(&mut self, d: &mut Directive, depth: usize) {
        let Some(block) = d.block.as_mut() else {
            return;
        };
        let (at_top, in_http) = (self.at_top, self.in_http);
        self.at_top = false;
        self.in_http = at_top && d.name == "http";
        let children = std::mem::take(&mut block.directives);
        block.directives = self.expand(children, depth);
        (self.at_top, self.in_http) = (at_top, in_http);
        if in_http && d.name == "server" {
            self.variables.read_http(std::slice::from_ref(d), self.map);
            self.drafts.push(Box::new(draft_server(
                d,
                self.map,
                self.opts,
                &mut self.findings,
            )));
            d.block = None;
        }
    }

    fn include(&mut self, d: &Directive, depth: usize, out: &mut Vec<Directive>) {
        if d.args.len() != 1 {
            self.findings.push(Finding::new(
                codes::PARSE_ERROR,
                ConfError::InvalidArgumentCount {
                    directive: "include".into(),
                }
                .to_string(),
                Label::new(d.head_span(), "nginx expects exactly one file or pattern"),
            ));
            return;
        }
        if depth >= self.opts.limits.max_include_depth {
            self.incomplete = true;
            // A file reached again and again at that depth says it once, or a few files
            // including each other give a finding per inclusion.
            if !self.reported_depth.insert(d.head_span()) {
                return;
            }
            self.findings.push(Finding::new(
                codes::INCLUDE_UNRESOLVED,
                format!(
                    "includes nested deeper than {} levels: not followed",
                    self.opts.limits.max_include_depth
                ),
                Label::new(d.head_span(), "this include was not read"),
            ));
            return;
        }
        let arg = &d.args[0];
        let written = PathBuf::from(&arg.value);
        // nginx reads `/dev/null` as an empty file (a common way to switch an include off).
        if written == Path::new("/dev/null") {
            return;
        }
        if self.dump.is_none() && self.outside_tree(&written) {
            self.incomplete = true;
            if !self.reported_depth.insert(arg.span) {
                return;
            }
            self.findings.push(
                Finding::new(
                    codes::NOT_READ,
                    format!(
                        "`{}` lies outside the linted tree and no root was given: not read, so what it holds was not checked",
                        arg.value
                    ),
                    Label::new(arg.span, "absolute path outside the tree"),
                )
                .with_help(
                    "give `--root DIR` where DIR is the copy of `/` this tree belongs to (`--root /` for this machine's own files)",
                ),
            );
            return;
        }
        // A dump holds the files under the paths nginx read them from: `--root` (which still
        // moves CA files and other paths read from disk) must not move its includes away.
        let path = match self.dump {
            // `join` keeps an absolute path as it is, as nginx does.
            Some(_) => self.prefix.join(&written),
            None => match self.opts.resolve(&self.prefix, &written) {
                Ok(p) => p,
                Err(e) => {
                    self.incomplete = true;
                    self.findings
                        .push(unreadable(arg.span, &written, &written, &e));
                    return;
                }
            },
        };
        let files = if glob::is_pattern(&arg.value) {
            let e = self.expand_pattern(&path);
            self.incomplete |= e.truncated || !e.unreadable.is_empty();
            for (dir, why) in e.unreadable {
                self.findings.push(Finding::new(
                    codes::NOT_READ,
                    format!(
                        "cannot list `{}` ({why}): files this pattern may include were not checked",
                        dir.display()
                    ),
                    Label::new(arg.span, "pattern expanded here"),
                ));
            }
            if e.truncated {
                self.findings.push(Finding::new(
                    codes::NOT_READ,
                    format!(
                        "pattern matches more than {} paths: only the first were read",
                        self.opts.limits.max_glob_matches
                    ),
                    Label::new(arg.span, "pattern expanded here"),
                ));
            }
            e.matches
        } else {
            vec![path]
        };
        for batch in files.chunks(AHEAD_BATCH) {
            if self.dump.is_none() {
                self.ahead
                    .fetch(batch, &self.read, self.map, self.opts.limits.max_nesting);
            }
            for file in batch {
                self.include_file(arg.span, &written, file, depth, out);
            }
        }
    }

    fn include_file(
        &mut self,
        arg_span: Span,
        written: &Path,
        file: &Path,
        depth: usize,
        out: &mut Vec<Directive>,
    ) {
        let limit = self.opts.limits.max_inclusions;
        if !admit_inclusion(&mut self.inclusions, limit, arg_span, &mut self.findings) {
            self.incomplete = true;
            return;
        }
        let key = self.key(file);
        if self.guard.is_open(&key) {
            self.incomplete = true;
            if self.guard.first_report(arg_span) {
                self.findings.push(Finding::new(
                    codes::INCLUDE_UNRESOLVED,
                    format!("include cycle: `{}` is already being read", file.display()),
                    Label::new(arg_span, "this include leads back to a file being read"),
                ));
            }
            return;
        }
        let ahead = self.ahead.parsed.remove(&key);
        let directives = match (ahead, self.read.get(&key)) {
            (Some((id, parsed)), _) => self.adopt(id, key.clone(), parsed),
            (None, Some(&id)) => self.parse_file(id, key.clone()),
            (None, None) => match self.open(file) {
                Ok(id) => self.parse_file(id, key.clone()),
                Err(e) => {
                    self.incomplete = true;
                    // Past the file limit every further include fails alike: say it once.
                    let repeat = matches!(
                        e,
                        ReadError::TooManyFiles { .. } | ReadError::TotalTooLarge { .. }
                    ) && std::mem::replace(&mut self.files_limit_reported, true);
                    if !repeat
                        && self
                            .reported_unreadable
                            .insert((arg_span, file.to_path_buf()))
                    {
                        self.findings.push(unreadable(arg_span, written, file, &e));
                    }
                    return;
                }
            },
        };
        self.guard.enter(key);
        let expanded = self.expand(directives, depth + 1);
        self.guard.leave();
        out.extend(expanded);
    }
}

fn is_include(d: &Directive) -> bool {
    d.name == "include" && d.block.is_none()
}

fn unreadable(arg_span: Span, written: &Path, file: &Path, e: &ReadError) -> Finding {
    let code = match e {
        ReadError::TooLarge { .. }
        | ReadError::TooManyFiles { .. }
        | ReadError::TotalTooLarge { .. } => codes::NOT_READ,
        _ => codes::INCLUDE_UNRESOLVED,
    };
    let mut f = Finding::new(
        code,
        format!("cannot read included file `{}`: {e}", file.display()),
        Label::new(arg_span, "included here"),
    );
    if matches!(e, ReadError::NotFound) {
        f = f.with_note("nginx refuses to start when a plain include (no wildcard) is missing");
        if written.is_absolute() {
            f = f.with_help(
                "if this tree was copied out of `/`, lint it with `--root DIR` so absolute paths resolve inside the copy",
            );
        }
    }
    f
}

fn syntax_finding(e: SyntaxError) -> Finding {
    let mut f = Finding::new(
        codes::PARSE_ERROR,
        e.error.to_string(),
        Label::new(e.span, "nginx stops reading here"),
    );
    if let Some(open) = e.opened_at {
        f = f.with_label(Label::new(open, "opened here"));
    }
    f
}

#[cfg(test)]
mod tests {
    use aop_model::LoadOptions;
    use aop_source::{Limits, SourceMap};

    /// Found by a hostile input run through the `nginx_dump` fuzz target: 1,500 files of a
    /// dump, each including all of them, gave a million include-cycle findings from 84 KB.
    /// Each include argument now reports its first cycle only, and each file it cannot read
    /// once.
    #[test]
    fn files_including_each_other_report_each_include_once() {
        let mut dump = String::new();
        for i in 0..12 {
            dump.push_str(&format!(
                "# configuration file /e/f{i:02}.conf:\ninclude /e/missing.conf;\ninclude /e/*.conf;\n\n"
            ));
        }
        let opts = LoadOptions {
            limits: Limits {
                max_inclusions: 20_000,
                ..Limits::default()
            },
            ..LoadOptions::default()
        };
        let mut map = SourceMap::new(opts.limits.clone());
        let config = crate::load_dump(dump.as_bytes(), &mut map, &opts).unwrap();
        let count = |words: &str| {
            config
                .findings
                .iter()
                .filter(|f| f.message.contains(words))
                .count()
        };
        assert_eq!(count("include cycle"), 12);
        assert_eq!(count("cannot read included file"), 12);
        assert_eq!(count("file inclusions"), 1);
        assert_eq!(config.findings.len(), 25);
    }

    /// Files that each include all the others reach the depth limit along countless paths:
    /// each include says so once, not once per path (400 MB of report from a 27 KB tree).
    #[test]
    fn the_depth_limit_is_said_once_per_include() {
        let mut dump = String::new();
        for i in 0..8 {
            dump.push_str(&format!(
                "# configuration file /e/f{i:02}.conf:\ninclude /e/f*.conf;\n\n"
            ));
        }
        let opts = LoadOptions {
            limits: Limits {
                max_include_depth: 4,
                max_inclusions: 50_000,
                ..Limits::default()
            },
            ..LoadOptions::default()
        };
        let mut map = SourceMap::new(opts.limits.clone());
        let config = crate::load_dump(dump.as_bytes(), &mut map, &opts).unwrap();
        let deep = config
            .findings
            .iter()
            .filter(|f| f.message.contains("nested deeper"))
            .count();
        assert!((1..=8).contains(&deep), "{deep} depth findings");
    }

    /// The parts of a dump obey the per-file size limit and the file count, as files on disk
    /// do; what they hold unread is an error, not silence.
    #[test]
    fn dump_parts_obey_the_file_limits() {
        let mut dump =
            String::from("# configuration file /e/nginx.conf:\nhttp { include /e/s/*.conf; }\n\n");
        for i in 0..4 {
            let pad = if i == 0 {
                "#".repeat(200)
            } else {
                String::new()
            };
            dump.push_str(&format!(
                "# configuration file /e/s/{i}.conf:\n{pad}\nserver {{ listen 80; }}\n\n"
            ));
        }
        let opts = LoadOptions {
            limits: Limits {
                max_files: 3,
                max_file_bytes: 100,
                ..Limits::default()
            },
            ..LoadOptions::default()
        };
        let mut map = SourceMap::new(opts.limits.clone());
        let config = crate::load_dump(dump.as_bytes(), &mut map, &opts).unwrap();
        let said = |words: &str| {
            config
                .findings
                .iter()
                .any(|f| f.message.contains(words) && f.severity == aop_model::Severity::Error)
        };
        assert!(
            said("over the limit of 100 bytes"),
            "{:#?}",
            config.findings
        );
        assert!(
            said("2 more files than the limit of 3"),
            "{:#?}",
            config.findings
        );
        assert_eq!(config.servers.len(), 1);
    }
}
