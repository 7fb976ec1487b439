//! Reading a tree the way httpd does in one pass: each logical line has its `${VAR}`s
//! replaced, is split into words, and read-time directives (`Include`, `Define`,
//! `LoadModule`, `ServerRoot`, `<IfModule>`, `<IfDefine>`, `<Macro>`, `Use`) act at once,
//! so what they change applies to the lines after them only.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use aop_model::{admit_inclusion, codes, Build, Finding, Label, LoadOptions, RuleId};
use aop_source::parallel::ahead_in_order;
use aop_source::IncludeGuard;
use aop_source::{FileId, SourceMap, Span};

use crate::ahead::{self, Ready};
use crate::ast::{Arg, Directive, Section};
use crate::directives;
use crate::errors::ConfError;
use crate::includes::{self, IncludeError};
use crate::lines::{is_blank_or_comment, logical_lines};
use crate::macro_body;
use crate::mapped::Mapped;
use crate::modules::{if_version, Modules};
use crate::paths::TreePaths;
use crate::remoteip::{self, ProxyLists, Source};
use crate::vars::{self, Undefined, Variables};
use crate::words::{split_words, Word};

struct Macro {
    params: Vec<String>,
    body: Vec<Mapped>,
    /// The `<Macro>` opener, which httpd names when a `Use` miscounts its arguments.
    opener: Span,
}

struct Frame {
    dir: Directive,
    /// A true `<IfModule>` and friends: its children belong to the enclosing section.
    transparent: bool,
}

pub struct TreeReader<'a> {
    map: &'a mut SourceMap,
    opts: &'a LoadOptions,
    pub vars: Variables,
    pub modules: Modules,
    /// The first `LoadModule` read: where a tree that loads modules but no MPM is reported.
    pub first_load_module: Option<Span>,
    pub paths: TreePaths,
    macros: HashMap<String, Macro>,
    pub findings: Vec<Finding>,
    /// What each `RemoteIP...ProxyList` file holds, read when httpd reads it.
    pub proxy_lists: ProxyLists,
    /// Files being read, and the include directives already reported as leading into a
    /// cycle, by the path of the file holding them and their place in it: a file is read
    /// anew at each inclusion, so the same directive comes back with other spans.
    includes: IncludeGuard<(PathBuf, u32, u32)>,
    macro_stack: Vec<String>,
    reported_undefined: HashSet<String>,
    /// Names a `Define` or `UnDefine` of the tree has named so far: the tree decides them.
    defines_named: HashSet<String>,
    /// The `-D` names httpd is started with, when the tree's service files say (Debian's
    /// `envvars`, Gentoo's `conf.d/apache2`, RHEL's `sysconfig/httpd`).
    pub command_line: Option<Vec<String>>,
    /// Lines produced by `Use` so far: nested macros can multiply without bound.
    macro_lines: usize,
    reported_overflow: bool,
    /// Bytes variables have added to the lines read so far.
    expanded_bytes: usize,
    reported_total_overflow: bool,
    /// Files spliced in so far: includes repeated at every level multiply without a cycle.
    inclusions: usize,
}

/// Files read ahead at a time: enough to keep every core busy, few enough that the files
/// waiting for their turn (this batch and the next) stay small.
const AHEAD_BATCH: usize = 64;

/// Most lines all `Use` expansions together may produce.
const MAX_MACRO_LINES: usize = 100_000;

impl<'a> TreeReader<'a> {
    pub fn new(map: &'a mut SourceMap, opts: &'a LoadOptions, paths: TreePaths) -> Self {
        TreeReader {
            map,
            opts,
            vars: Variables::default(),
            modules: Modules::for_build(opts.build.or_else(|| paths.build())),
            first_load_module: None,
            paths,
            macros: HashMap::new(),
            findings: Vec::new(),
            proxy_lists: ProxyLists::new(),
            includes: IncludeGuard::default(),
            macro_stack: Vec::new(),
            reported_undefined: HashSet::new(),
            defines_named: HashSet::new(),
            command_line: None,
            macro_lines: 0,
            reported_overflow: false,
            expanded_bytes: 0,
            reported_total_overflow: false,
            inclusions: 0,
        }
    }

    fn finding(
        &mut self,
        code: RuleId,
        span: Span,
        message: String,
        label: &'static str,
    ) -> &mut Finding {
        self.findings
            .push(Finding::new(code, message, Label::new(span, label)));
        self.findings.last_mut().expect("just pushed")
    }

    /// Whether an expansion adding `grown` bytes fits in what the whole tree may add
    /// ([`vars::MAX_EXPANDED_TOTAL`]); the first that does not is reported at `span`.
    fn may_expand(&mut self, grown: usize, span: Span) -> bool {
        if grown > 0 && self.expanded_bytes + grown > vars::MAX_EXPANDED_TOTAL {
            if !self.reported_total_overflow {
                self.reported_total_overflow = true;
                let msg = format!(
                    "variables and macro arguments expand the lines of this tree by more than {} bytes in all: from here on, lines they would lengthen were not read",
                    vars::MAX_EXPANDED_TOTAL
                );
                self.finding(codes::NOT_READ, span, msg, "not expanded");
            }
            return false;
        }
        self.expanded_bytes += grown;
        true
    }

    /// Reads a file already in the source map.
    pub fn read_file_id(&mut self, id: FileId, path: &Path) -> Vec<Directive> {
        let lines = logical_lines(id, &self.map.file(id).bytes);
        self.read_lines(aop_source::file_key(path), &lines)
    }

    fn read_lines(&mut self, canonical: PathBuf, lines: &[Mapped]) -> Vec<Directive> {
        self.includes.enter(canonical);
        let out = self.read_unit(lines, None);
        self.includes.leave();
        out
    }

    /// Reads an included file, `ready` when read ahead.
    fn read_included(
        &mut self,
        path: &Path,
        include: &Directive,
        ready: Option<Ready>,
    ) -> Vec<Directive> {
        let (canonical, read) = match ready {
            Some(r) => (r.canonical, r.read),
            None => (aop_source::file_key(path), None),
        };
        if self.includes.is_open(&canonical) {
            let holder = self.map.file(include.span.file).path.clone();
            if self
                .includes
                .first_report((holder, include.span.start, include.span.end))
            {
                let msg = format!(
                    "include cycle: `{}` is already being read, so httpd would include it forever",
                    path.display()
                );
                self.finding(
                    codes::INCLUDE_UNRESOLVED,
                    include.span,
                    msg,
                    "includes itself again here",
                );
            }
            return Vec::new();
        }
        if self.includes.depth() > self.opts.limits.max_include_depth {
            let msg = format!(
                "includes nest deeper than {} levels; `{}` was not read",
                self.opts.limits.max_include_depth,
                path.display()
            );
            self.finding(codes::INCLUDE_UNRESOLVED, include.span, msg, "too deep");
            return Vec::new();
        }
        let read = match read {
            Some((file, lines)) => self.map.admit(file).map(|id| lines.placed(id)),
            None => self
                .map
                .read(path)
                .map(|id| logical_lines(id, &self.map.file(id).bytes)),
        };
        match read {
            Ok(lines) => self.read_lines(canonical, &lines),
            Err(e) => {
                let msg = format!("cannot read included file `{}`: {e}", path.display());
                self.finding(
                    codes::INCLUDE_UNRESOLVED,
                    include.span,
                    msg,
                    "included here",
                );
                Vec::new()
            }
        }
    }

    /// Reads one file or one macro expansion: sections must close inside it, as in httpd.
    fn read_unit(&mut self, lines: &[Mapped], via: Option<Span>) -> Vec<Directive> {
        let mut root = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let raw = &lines[i];
            i += 1;
            if is_blank_or_comment(&raw.text) {
                continue;
            }
            let Some((line, undefined)) = vars::expand(raw, &self.vars) else {
                if !self.reported_overflow {
                    self.reported_overflow = true;
                    let msg = format!(
                        "variables expand this line beyond {} bytes: it and any like it were not read",
                        vars::MAX_EXPANDED_LINE
                    );
                    self.finding(
                        codes::NOT_READ,
                        raw.span(0..raw.text.len()),
                        msg,
                        "not expanded",
                    );
                }
                continue;
            };
            let grown = line.text.len().saturating_sub(raw.text.len());
            if !self.may_expand(grown, raw.span(0..raw.text.len())) {
                continue;
            }
            let words = split_words(&line.text);
            let Some(first) = words.first() else {
                continue;
            };
            if first.value.starts_with("</") {
                self.close_tags(&line, &words, &mut stack, &mut root);
                continue;
            }
            if first.value.starts_with('<') {
                self.report_undefined(&undefined);
                let Some(opener) = self.opener(&line, &words, via) else {
                    continue;
                };
                self.open(opener, lines, &mut i, &mut stack);
                continue;
            }
            let d = directive(&line, words, via);
            let expanded = match d.name.as_str() {
                "include" | "includeoptional" => Some(self.include(&d, &undefined)),
                "use" => {
                    self.report_undefined(&undefined);
                    Some(self.use_macro(&d, via))
                }
                _ => None,
            };
            if let Some(children) = expanded {
                for c in children {
                    append(&mut stack, &mut root, c);
                }
                continue;
            }
            self.report_undefined(&undefined);
            self.check_known(&d, &d.name);
            self.read_time(&d);
            append(&mut stack, &mut root, d);
        }
        while let Some(frame) = stack.pop() {
            let msg = ConfError::NotClosed {
                section: self.written(&frame.dir),
            }
            .to_string();
            let help = format!(
                "add `</{}>` where the section ends",
                self.written(&frame.dir)
            );
            let end = lines.last().map(|l| {
                let at = l.span(l.text.len()..l.text.len());
                Label::new(at, "the file ends here, still inside it")
            });
            let f = self.finding(codes::PARSE_ERROR, frame.dir.name_span, msg, "opened here");
            f.help = Some(help.into());
            f.secondary.extend(end);
            close_frame(frame, None, &mut stack, &mut root);
        }
        root
    }

    fn open(&mut self, opener: Directive, lines: &[Mapped], i: &mut usize, stack: &mut Vec<Frame>) {
        if stack.len() >= self.opts.limits.max_nesting {
            let msg = format!(
                "sections nest deeper than {} levels; the rest of `<{}>` was not read",
                self.opts.limits.max_nesting,
                self.written(&opener)
            );
            self.finding(codes::PARSE_ERROR, opener.name_span, msg, "too deep");
            self.skip(lines, i, &opener);
            return;
        }
        self.check_known(&opener, &format!("<{}", opener.name));
        match opener.name.as_str() {
            "ifmodule" | "ifdefine" | "ifversion" | "iffile" | "ifdirective" | "ifsection" => {
                if self.condition(&opener, &lines[*i..]) {
                    stack.push(Frame {
                        dir: opener,
                        transparent: true,
                    });
                } else {
                    self.skip(lines, i, &opener);
                }
            }
            "macro" => self.define_macro(lines, i, opener),
            _ => stack.push(Frame {
                dir: opener,
                transparent: false,
            }),
        }
    }

    fn opener(&mut self, line: &Mapped, words: &[Word], via: Option<Span>) -> Option<Directive> {
        let first = &words[0];
        let written = first.value[1..].to_string();
        let name_span = line.span(first.range.clone());
        if let Some(bare) = written.strip_suffix('>') {
            if bare.is_empty() {
                let msg = ConfError::InvalidCommand { name: "<".into() }.to_string();
                self.finding(codes::PARSE_ERROR, name_span, msg, "here");
                return None;
            }
            return Some(Directive {
                name: bare.to_ascii_lowercase(),
                name_span,
                args: Vec::new(),
                span: line.span(first.range.start..line.text.len()),
                section: Some(Section::default()),
                via,
            });
        }
        let rest_start = first.range.end;
        let rest = &line.text[rest_start..];
        let args_end = match rest.iter().rposition(|&b| b == b'>') {
            Some(gt) => rest_start + gt,
            None => {
                let msg = ConfError::MissingClosingBracket {
                    tag: format!("<{written}"),
                }
                .to_string();
                self.finding(codes::PARSE_ERROR, name_span, msg, "opened here");
                line.text.len()
            }
        };
        let args = split_words(&line.text[rest_start..args_end])
            .into_iter()
            .map(|w| Arg {
                value: w.value,
                span: line.span(rest_start + w.range.start..rest_start + w.range.end),
            })
            .collect();
        Some(Directive {
            name: written.to_ascii_lowercase(),
            name_span,
            args,
            span: line.span(first.range.start..(args_end + 1).min(line.text.len())),
            section: Some(Section::default()),
            via,
        })
    }

    fn close_tags(
        &mut self,
        line: &Mapped,
        words: &[Word],
        stack: &mut Vec<Frame>,
        root: &mut Vec<Directive>,
    ) {
        // httpd accepts `</VirtualHost> </IfModule>` on one line: each closing tag counts.
        for w in words.iter().take_while(|w| w.value.starts_with("</")) {
            let span = line.span(w.range.clone());
            let inner = &w.value[2..];
            let name = match inner.strip_suffix('>') {
                Some(n) => n,
                None => {
                    let msg = ConfError::MissingClosingBracket {
                        tag: format!("</{inner}"),
                    }
                    .to_string();
                    self.finding(codes::PARSE_ERROR, span, msg, "here");
                    inner
                }
            };
            let lower = name.to_ascii_lowercase();
            let Some(top) = stack.last() else {
                let msg = ConfError::ClosingWithoutOpening {
                    section: name.to_string(),
                }
                .to_string();
                self.finding(codes::PARSE_ERROR, span, msg, "nothing open to close here");
                continue;
            };
            if top.dir.name == lower {
                let frame = stack.pop().expect("checked");
                close_frame(frame, Some(span), stack, root);
                continue;
            }
            let msg = ConfError::Mismatched {
                expected: self.written(&top.dir),
                saw: name.to_string(),
            }
            .to_string();
            let open_span = top.dir.name_span;
            let opened = format!("`<{}>` opened here", self.written(&top.dir));
            self.finding(codes::PARSE_ERROR, span, msg, "mismatched closing tag")
                .secondary
                .push(Label::new(open_span, opened));
            // Recover as a reader would: close up to a matching section if one is open.
            if let Some(depth) = stack.iter().rposition(|f| f.dir.name == lower) {
                while stack.len() > depth + 1 {
                    let f = stack.pop().expect("len checked");
                    close_frame(f, None, stack, root);
                }
                let f = stack.pop().expect("len checked");
                close_frame(f, Some(span), stack, root);
            }
        }
    }

    /// Passes over a section whose condition is false, as httpd does: only section tags
    /// are looked at, and variables are not expanded.
    fn skip(&mut self, lines: &[Mapped], i: &mut usize, opener: &Directive) {
        let mut open: Vec<(String, Span)> = vec![(opener.name.clone(), opener.name_span)];
        while *i < lines.len() {
            let raw = &lines[*i];
            *i += 1;
            if is_blank_or_comment(&raw.text) {
                continue;
            }
            let words = split_words(&raw.text);
            let Some(first) = words.first() else { continue };
            if let Some(inner) = first.value.strip_prefix("</") {
                let name = inner.trim_end_matches('>').to_ascii_lowercase();
                let (top, top_span) = open.pop().expect("never empty here");
                if top != name {
                    let expected = self
                        .map
                        .text(top_span)
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_string();
                    let msg = ConfError::Mismatched {
                        expected,
                        saw: inner.trim_end_matches('>').to_string(),
                    }
                    .to_string();
                    let span = raw.span(first.range.clone());
                    self.finding(codes::PARSE_ERROR, span, msg, "mismatched closing tag")
                        .secondary
                        .push(Label::new(top_span, "opened here"));
                }
                if open.is_empty() {
                    return;
                }
            } else if let Some(inner) = first.value.strip_prefix('<') {
                let name = inner.trim_end_matches('>').to_ascii_lowercase();
                open.push((name, raw.span(first.range.clone())));
            }
        }
        let msg = ConfError::NotClosed {
            section: self.written(opener),
        }
        .to_string();
        self.finding(codes::PARSE_ERROR, opener.name_span, msg, "opened here");
    }

    /// Whether `<IfDefine NAME>` holds. A name the tree defines or undefines is decided by
    /// the tree; one it never mentions comes from httpd's command line (`-D NAME`: Gentoo's
    /// `APACHE2_OPTS`, RHEL's `OPTIONS`), unknown here unless `--define` says. Such a section
    /// that holds what changes a verdict (a virtual host, a `Listen`, an include, client
    /// verification) is read as if it held, and said; any other is taken as httpd without
    /// `-D` takes it.
    fn if_define(&mut self, d: &Directive, name: &str, negate: bool, body: &[Mapped]) -> bool {
        if self.vars.defines.contains_key(name) {
            return !negate;
        }
        if self.defines_named.contains(name) {
            return negate;
        }
        if let Some(given) = self.opts.defines.as_ref().or(self.command_line.as_ref()) {
            return given.iter().any(|g| g == name) != negate;
        }
        if !section_decides_verdicts(body) {
            return negate;
        }
        let msg = format!(
            "`{}` depends on whether httpd is started with `-D {name}`, which the tree does not say; its contents were read as if it held",
            self.map.text(d.span)
        );
        self.finding(codes::NOT_CHECKED, d.span, msg, "undecided").help = Some(format!(
            "give the command line's defines: `--define {name}` if httpd runs with `-D {name}`, or `--define NONE` if it runs with none"
        ).into());
        true
    }

    fn condition(&mut self, d: &Directive, body: &[Mapped]) -> bool {
        let arg = d.arg(0).unwrap_or("");
        // httpd tests the first word; `! name` (a space after the `!`) negates too.
        let (negate, name) = match arg.strip_prefix('!') {
            Some("") => (true, d.arg(1).unwrap_or("")),
            Some(rest) => (true, rest),
            None => (false, arg),
        };
        match d.name.as_str() {
            "ifmodule" => self.modules.is_loaded(name) != negate,
            "ifdefine" => self.if_define(d, name, negate, body),
            "ifversion" => {
                let args: Vec<&str> = d.args.iter().map(|a| a.value.as_str()).collect();
                if_version(&args).unwrap_or_else(|| {
                    let msg = format!(
                        "`{}` depends on the exact httpd version; its contents were read as if it held",
                        self.map.text(d.span)
                    );
                    self.finding(codes::NOT_CHECKED, d.span, msg, "undecided");
                    true
                })
            }
            "iffile" => match self.paths.file_exists(name, self.opts) {
                Some(exists) => exists != negate,
                None => {
                    let msg = format!(
                        "`{}` tests a file outside the linted tree; its contents were read as if it held (use --root to decide)",
                        self.map.text(d.span)
                    );
                    self.finding(codes::NOT_CHECKED, d.span, msg, "undecided");
                    true
                }
            },
            "ifdirective" | "ifsection" => {
                let known = match (d.name.as_str(), name) {
                    // httpd looks up `<` + the name: `<IfSection <Proxy>` names nothing.
                    // and no directive's name starts with `!` (`<IfDirective !!Listen>`).
                    (_, n) if n.starts_with('!') => Some(false),
                    ("ifsection", n) if n.starts_with('<') => Some(false),
                    ("ifsection", n) => directives::exists(&format!("<{n}"), &self.modules),
                    (_, n) => directives::exists(n, &self.modules),
                };
                match known {
                    Some(exists) => exists != negate,
                    None => {
                        let what = if d.name == "ifsection" {
                            format!("a `<{name}>` section")
                        } else {
                            format!("the directive `{name}`")
                        };
                        let msg = format!(
                            "`{}` depends on whether a loaded module provides {what}, which aop-lint cannot tell; its contents were read as if it held",
                            self.map.text(d.span)
                        );
                        self.finding(codes::NOT_CHECKED, d.span, msg, "undecided")
                            .help = Some(
                            "test the module instead, which aop-lint decides from `LoadModule`: `<IfModule module_name>`".into(),
                        );
                        true
                    }
                }
            }
            _ => true,
        }
    }

    fn define_macro(&mut self, lines: &[Mapped], i: &mut usize, opener: Directive) {
        let rest = &lines[*i..];
        if let Some(end) = macro_body::closing_line(rest) {
            *i += end + 1;
            self.store_macro(opener, rest[..end].to_vec());
            return;
        }
        *i = lines.len();
        let msg = ConfError::NotClosed {
            section: self.written(&opener),
        }
        .to_string();
        self.finding(codes::PARSE_ERROR, opener.name_span, msg, "opened here");
    }

    fn store_macro(&mut self, opener: Directive, body: Vec<Mapped>) {
        let Some(name) = opener.arg(0) else {
            let msg = ConfError::MacroWithoutName.to_string();
            self.finding(codes::PARSE_ERROR, opener.name_span, msg, "here");
            return;
        };
        let params = opener.args[1..].iter().map(|a| a.value.clone()).collect();
        let mac = Macro {
            params,
            body,
            opener: opener.name_span,
        };
        self.macros.insert(name.to_ascii_lowercase(), mac);
    }

    fn use_macro(&mut self, d: &Directive, via: Option<Span>) -> Vec<Directive> {
        let Some(name) = d.arg(0).map(str::to_ascii_lowercase) else {
            let msg = match self.macros.is_empty() {
                true => ConfError::UseBeforeAnyMacro,
                false => ConfError::UseWithoutName,
            };
            self.finding(codes::PARSE_ERROR, d.span, msg.to_string(), "here");
            return Vec::new();
        };
        if self.macro_stack.len() >= self.opts.limits.max_include_depth {
            let msg = format!(
                "macros nest deeper than {} levels; `Use {name}` was not expanded",
                self.opts.limits.max_include_depth
            );
            self.finding(codes::NOT_READ, d.span, msg, "too deep");
            return Vec::new();
        }
        if self.macro_stack.contains(&name) {
            let msg = ConfError::MacroRecursive { name: name.clone() }.to_string();
            self.finding(codes::PARSE_ERROR, d.span, msg, "recursive use");
            return Vec::new();
        }
        let Some(mac) = self.macros.get(&name) else {
            let msg = match self.macros.is_empty() {
                true => ConfError::UseBeforeAnyMacro,
                false => ConfError::MacroUndefined { name },
            }
            .to_string();
            self.finding(codes::PARSE_ERROR, d.args[0].span, msg, "unknown macro");
            return Vec::new();
        };
        let values: Vec<&str> = d.args[1..].iter().map(|a| a.value.as_str()).collect();
        if values.len() != mac.params.len() {
            let msg = ConfError::MacroArity {
                name,
                line: self.map.location(mac.opener).line,
                file: self.map.file(mac.opener.file).path.display().to_string(),
                given: values.len(),
                takes: mac.params.len(),
            }
            .to_string();
            self.finding(codes::PARSE_ERROR, d.span, msg, "wrong number of arguments");
            return Vec::new();
        }
        if self.macro_lines > MAX_MACRO_LINES {
            return Vec::new();
        }
        self.macro_lines += mac.body.len();
        if self.macro_lines > MAX_MACRO_LINES {
            let msg = format!(
                "macros expand to more than {MAX_MACRO_LINES} lines: from this `Use {name}` on, no macro was expanded or checked"
            );
            self.finding(codes::NOT_READ, d.span, msg, "not expanded");
            return Vec::new();
        }
        // Arguments can double a value at each level of nested macros: bounded per line and
        // over the tree, as variables are.
        let lines: Option<Vec<Mapped>> = mac
            .body
            .iter()
            .map(|l| substitute(l, &mac.params, &values))
            .collect();
        let Some(lines) = lines else {
            let msg = format!(
                "the arguments of this `Use {name}` make a line of the macro longer than {} bytes: it was not expanded",
                vars::MAX_EXPANDED_LINE
            );
            self.finding(codes::NOT_READ, d.span, msg, "not expanded");
            return Vec::new();
        };
        let grown: usize = lines
            .iter()
            .zip(&mac.body)
            .map(|(l, b)| l.text.len().saturating_sub(b.text.len()))
            .sum();
        if !self.may_expand(grown, d.span) {
            return Vec::new();
        }
        self.macro_stack.push(name);
        let out = self.read_unit(&lines, via.or(Some(d.span)));
        self.macro_stack.pop();
        out
    }

    fn include(&mut self, d: &Directive, undefined: &[Undefined]) -> Vec<Directive> {
        let optional = d.name == "includeoptional";
        let Some(arg) = d.args.first() else {
            let msg = ConfError::include_without_path(optional).to_string();
            self.finding(codes::PARSE_ERROR, d.span, msg, "here");
            return Vec::new();
        };
        if let Some(u) = undefined.first() {
            let msg = format!(
                "include path uses `${{{}}}`, which nothing defines: httpd looks for the literal text",
                u.name
            );
            let code = if optional {
                codes::NOT_CHECKED
            } else {
                codes::INCLUDE_UNRESOLVED
            };
            self.finding(code, arg.span, msg, "undefined variable in this path")
                .secondary
                .push(Label::new(u.span, "not defined"));
            self.reported_undefined.insert(u.name.clone());
            return Vec::new();
        }
        let opts = self.opts;
        let confine = |p: &Path| opts.confine(p);
        let resolved = self.paths.resolve(&arg.value, opts);
        let path = resolved
            .clone()
            .unwrap_or_else(|_| PathBuf::from(&arg.value));
        let expanded = resolved
            .map_err(|e| IncludeError::Unreadable(path.clone(), e.to_string()))
            .and_then(|p| includes::expand(&p, optional, opts.limits.max_glob_matches, &confine));
        let files = match expanded {
            Ok(files) => files,
            Err(IncludeError::Missing | IncludeError::NoMatch(_)) if optional => Vec::new(),
            Err(e) => {
                let (code, label) = match e {
                    IncludeError::TooMany(_) => (codes::NOT_READ, "not expanded"),
                    IncludeError::Unreadable(..) if optional => (codes::NOT_READ, "not read"),
                    _ => (codes::INCLUDE_UNRESOLVED, "httpd refuses to start here"),
                };
                let msg = format!("`{}` (read as `{}`): {e}", arg.value, path.display());
                let outside = self.paths.outside_tree(&arg.value, self.opts);
                let f = self.finding(code, arg.span, msg, label);
                if outside {
                    f.help = Some(
                        "this path lies outside the linted tree: if the tree is a copy, give `--root DIR` where DIR holds the copy of `/`".into(),
                    );
                }
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        let limit = self.opts.limits.max_inclusions;
        let max_file_bytes = self.opts.limits.max_file_bytes;
        ahead_in_order(
            &files,
            AHEAD_BATCH,
            |f| ahead::prepare(f, max_file_bytes),
            |f, ready| {
                if !admit_inclusion(&mut self.inclusions, limit, arg.span, &mut self.findings) {
                    return false;
                }
                out.extend(self.read_included(f, d, ready));
                true
            },
        );
        out
    }

    /// A section's name as the file spells it.
    fn written(&self, d: &Directive) -> String {
        self.map
            .text(d.name_span)
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string()
    }

    /// httpd refuses a directive no module loaded so far provides. A tree that loads no
    /// module at all is a fragment of a config, whose modules are loaded elsewhere.
    fn check_known(&mut self, d: &Directive, key: &str) {
        // No module names a directive with bytes other than letters, digits and `_`: a
        // byte-order mark, UTF-16's NULs or binary junk stop httpd whatever it loads, so a
        // fragment that loads nothing is refused too.
        let impossible = key
            .strip_prefix('<')
            .unwrap_or(key)
            .bytes()
            .any(|b| !(b.is_ascii_alphanumeric() || b == b'_'));
        if !impossible
            && (self.modules.loaded().next().is_none()
                || directives::exists(key, &self.modules) != Some(false))
        {
            return;
        }
        let written = self.map.text(d.name_span).into_owned();
        let msg = format!(
            "{}: httpd refuses to start",
            ConfError::InvalidCommand {
                name: written.clone()
            }
        );
        let help = match directives::providers(key) {
            Some(module) => format!(
                "load the module that provides it before this line:\n    LoadModule {module} modules/mod_{}.so\nor wrap it in `<IfModule {module}>`",
                module.trim_end_matches("_module")
            ),
            None => format!(
                "load the module that provides `{written}` before this line (`LoadModule`), wrap it in `<IfModule>`, or correct its spelling"
            ),
        };
        self.finding(
            codes::PARSE_ERROR,
            d.name_span,
            msg,
            "no module loaded here provides this",
        )
        .help = Some(help.into());
    }

    /// httpd will not start without a multi-processing module, and every build aop-lint knows
    /// ships them as modules: a whole tree (one that loads modules) must load one. A tree
    /// that loads nothing is a fragment whose modules are loaded elsewhere.
    pub fn check_mpm_loaded(&mut self) {
        let (Some(first), Some(build)) = (self.first_load_module, self.modules.build()) else {
            return;
        };
        if self.modules.loads_mpm() {
            return;
        }
        self.finding(
            codes::PARSE_ERROR,
            first,
            format!("{} httpd refuses to start", ConfError::NoMpm),
            "modules are loaded here, none of them an MPM",
        )
        .help = Some(format!(
            "{} ship the MPMs as modules: load one, e.g.\n    LoadModule mpm_event_module modules/mod_mpm_event.so\n(Debian: `a2enmod mpm_event`; RHEL: conf.modules.d/00-mpm.conf)",
            build.describe()
        ).into());
    }

    /// `LoadModule` of a module the build compiles in: httpd stops at it.
    fn refuse_built_in(&mut self, d: &Directive, id: &str, build: Build, file: &str) {
        let span = d.args.first().map_or(d.name_span, |a| a.span);
        let msg = format!(
            "{}: {} build {file} into httpd, which refuses to start",
            ConfError::BuiltInModule { module: id.into() },
            build.describe()
        );
        let help = format!(
            "remove this line: {file} is already part of the server (`apache2 -l` / `httpd -l` lists it). If the tree is written for another build, say which with `--build rhel` or `--build upstream`"
        );
        self.finding(codes::PARSE_ERROR, span, msg, "compiled into this build")
            .help = Some(help.into());
    }

    /// Directives that change how the rest of the tree is read.
    fn read_time(&mut self, d: &Directive) {
        match d.name.as_str() {
            "define" => {
                if let Some(name) = d.arg(0) {
                    self.defines_named.insert(name.to_string());
                    let value = d.arg(1).unwrap_or("").to_string();
                    self.vars.defines.insert(name.to_string(), value);
                }
            }
            "undefine" => {
                if let Some(name) = d.arg(0) {
                    self.defines_named.insert(name.to_string());
                    self.vars.defines.remove(name);
                }
            }
            "loadmodule" => {
                self.first_load_module.get_or_insert(d.name_span);
                if let Some(id) = d.arg(0) {
                    if let Some((build, file)) = self.modules.built_into(id) {
                        self.refuse_built_in(d, id, build, file);
                    } else {
                        self.modules.load(id, d.arg(1));
                    }
                }
            }
            "serverroot" => {
                if let Some(root) = d.arg(0) {
                    self.paths.set_server_root(root, self.opts);
                }
            }
            name if remoteip::is_proxy(name) => {
                for a in &d.args {
                    self.check_proxy_source(&a.value, a.span, d);
                }
            }
            name if remoteip::is_list(name) => self.read_proxy_list(d),
            "undefmacro" => {
                if let Some(name) = d.arg(0) {
                    self.macros.remove(&name.to_ascii_lowercase());
                }
            }
            _ => {}
        }
    }

    /// A source httpd refuses is a parse error: it does not start.
    fn check_proxy_source(&mut self, written: &str, span: Span, d: &Directive) {
        if let Source::Refused(refusal) = remoteip::parse_source(written) {
            let list_line = remoteip::is_list(&d.name).then(|| {
                let file = self.map.file(span.file).path.display().to_string();
                (self.map.location(span).line, file)
            });
            let msg = format!(
                "{}: httpd refuses to start",
                ConfError::RemoteIpSource {
                    value: written.into(),
                    refusal,
                    directive: self.written_name(d),
                    list_line,
                }
            );
            self.finding(codes::PARSE_ERROR, span, msg, "refused by httpd")
                .help = Some(
                format!(
                    "name the networks of the proxies in front of httpd, e.g. `{} 173.245.48.0/20`",
                    self.written_name(d).trim_end_matches("List")
                )
                .into(),
            );
        }
    }

    /// `RemoteIPTrustedProxyList file`: whitespace-separated sources, `#` to the end of the
    /// line; read now, relative to the `ServerRoot` of this moment, as httpd does.
    fn read_proxy_list(&mut self, d: &Directive) {
        let Some(arg) = d.args.first() else { return };
        let resolved = self.paths.resolve(&arg.value, self.opts);
        let path = resolved
            .clone()
            .unwrap_or_else(|_| PathBuf::from(&arg.value));
        let id = match resolved.and_then(|p| self.map.read(&p)) {
            Ok(id) => id,
            Err(e) => {
                let msg = format!(
                    "cannot read `{}` (read as `{}`): {e}; the proxies it trusts were not checked",
                    arg.value,
                    path.display()
                );
                let outside = self.paths.outside_tree(&arg.value, self.opts);
                let f = self.finding(codes::NOT_READ, arg.span, msg, "not read");
                if outside {
                    f.help = Some(
                        "this path lies outside the linted tree: if the tree is a copy, give `--root DIR` where DIR holds the copy of `/`".into(),
                    );
                }
                return;
            }
        };
        let mut entries = Vec::new();
        for line in logical_lines(id, &self.map.file(id).bytes) {
            for w in split_words(&line.text) {
                if w.value.starts_with('#') {
                    break;
                }
                entries.push((w.value, line.span(w.range)));
            }
        }
        for (written, span) in &entries {
            self.check_proxy_source(written, *span, d);
        }
        self.proxy_lists.insert(d.span, entries);
    }

    /// A directive's name as the file spells it.
    fn written_name(&self, d: &Directive) -> String {
        self.map.text(d.name_span).into_owned()
    }

    fn report_undefined(&mut self, undefined: &[Undefined]) {
        for u in undefined {
            if !self.reported_undefined.insert(u.name.clone()) {
                continue;
            }
            let msg = format!(
                "`${{{}}}` is not defined: httpd keeps the text as written, and what depends on it was not checked",
                u.name
            );
            let help = format!(
                "define it with `Define {} value`, or in the `envvars` file beside the main config",
                u.name
            );
            self.finding(codes::NOT_CHECKED, u.span, msg, "undefined variable")
                .help = Some(help.into());
        }
    }
}

/// The directive a line's words make; the words become its name and arguments.
fn directive(line: &Mapped, words: Vec<Word>, via: Option<Span>) -> Directive {
    let end = words.last().expect("non-empty").range.end;
    // Sized to the arguments: collected from the words' own vector, the arguments would keep
    // its whole allocation (a fifth more memory over a tree).
    let mut args = Vec::with_capacity(words.len() - 1);
    let mut words = words.into_iter();
    let first = words.next().expect("non-empty");
    let mut name = first.value;
    name.make_ascii_lowercase();
    args.extend(words.map(|w| Arg {
        span: line.span(w.range),
        value: w.value,
    }));
    Directive {
        name,
        name_span: line.span(first.range.clone()),
        args,
        span: line.span(first.range.start..end),
        section: None,
        via,
    }
}

fn append(stack: &mut [Frame], root: &mut Vec<Directive>, d: Directive) {
    match stack.last_mut() {
        Some(top) => top
            .dir
            .section
            .get_or_insert_with(Section::default)
            .children
            .push(d),
        None => root.push(d),
    }
}

fn close_frame(
    mut frame: Frame,
    close: Option<Span>,
    stack: &mut [Frame],
    root: &mut Vec<Directive>,
) {
    if frame.transparent {
        let children = frame
            .dir
            .section
            .take()
            .map(|s| s.children)
            .unwrap_or_default();
        for c in children {
            append(stack, root, c);
        }
        return;
    }
    if let Some(s) = frame.dir.section.as_mut() {
        s.close = close;
    }
    append(stack, root, frame.dir);
}

/// mod_macro's substitution: at each position the longest parameter name that matches is
/// replaced by its value, anywhere in the line.
fn substitute(line: &Mapped, params: &[String], values: &[&str]) -> Option<Mapped> {
    let mut order: Vec<usize> = (0..params.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(params[i].len()));
    let text = &line.text;
    let mut length = text.len();
    let mut replacements = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let hit = order
            .iter()
            .find(|&&p| !params[p].is_empty() && text[i..].starts_with(params[p].as_bytes()));
        match hit {
            Some(&p) => {
                length = length + values[p].len() - params[p].len();
                if length > vars::MAX_EXPANDED_LINE {
                    return None;
                }
                replacements.push((i..i + params[p].len(), values[p].as_bytes().to_vec()));
                i += params[p].len();
            }
            None => i += 1,
        }
    }
    Some(line.replace_all(&replacements))
}
/// Whether the section whose body starts at `body[0]` holds what changes a verdict: a
/// virtual host, a socket, an include or macro use (which may bring either), or client
/// verification.
fn section_decides_verdicts(body: &[Mapped]) -> bool {
    let mut depth = 1usize;
    for line in body {
        if is_blank_or_comment(&line.text) {
            continue;
        }
        let words = split_words(&line.text);
        let Some(first) = words.first() else { continue };
        let word = first.value.to_ascii_lowercase();
        if word.starts_with("</") {
            depth -= 1;
            if depth == 0 {
                return false;
            }
            continue;
        }
        if word.starts_with("<virtualhost") {
            return true;
        }
        if word.starts_with('<') {
            depth += 1;
            continue;
        }
        if matches!(
            word.as_str(),
            "listen"
                | "include"
                | "includeoptional"
                | "use"
                | "sslverifyclient"
                | "sslcacertificatefile"
                | "sslcacertificatepath"
        ) {
            return true;
        }
    }
    false
}
