//! From the main Caddyfile to sites and directives: snippets, `import` of snippets, files and
//! globs (with arguments), environment placeholders, blocks. Imports are expanded token by
//! token, as Caddy does, so a snippet may hold whole sites or a few directives.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

use aop_model::{codes, Finding, Label, LoadOptions};
use aop_source::{FileId, SourceMap, Span};

use crate::args::substitute_args;
use crate::ast::{Caddyfile, Directive, Site};
use crate::env::substitute_env;
use crate::lexer::{tokenize, Token};

/// Imports expanded for one Caddyfile before the rest is taken as a cycle.
const MAX_IMPORTS: usize = 10_000;

/// Reads a Caddyfile into sites and directives, expanding snippets and imports token by token.
pub struct CaddyfileReader<'a> {
    pub map: &'a mut SourceMap,
    opts: &'a LoadOptions,
    pub findings: Vec<Finding>,
    snippets: HashMap<String, Vec<Token>>,
    next_instance: u32,
    imports: usize,
    queue: VecDeque<Token>,
    /// The last token taken: the next one starts a line when it is not on the same one.
    last: Option<Token>,
}

impl<'a> CaddyfileReader<'a> {
    pub fn new(map: &'a mut SourceMap, opts: &'a LoadOptions) -> Self {
        CaddyfileReader {
            map,
            opts,
            findings: Vec::new(),
            snippets: HashMap::new(),
            next_instance: 1,
            imports: 0,
            queue: VecDeque::new(),
            last: None,
        }
    }

    /// The main file's tokens, or `None` when they cannot be split (AOP001 said why).
    pub fn read(&mut self, file: FileId) -> Caddyfile {
        let Some(tokens) = self.tokens_of(file) else {
            return Caddyfile::default();
        };
        self.queue = tokens.into();
        let mut caddyfile = Caddyfile::default();
        let mut first = true;
        while let Some(t) = self.next() {
            let opens_alone = is(&t, "{") && !self.continues(&t);
            if first && opens_alone {
                first = false;
                if let Some(block) = self.block(&t, 0) {
                    caddyfile.global = block;
                }
                continue;
            }
            first = false;
            if is(&t, "import") {
                let args = self.rest_of_line(&t);
                self.import(&t, &args);
                continue;
            }
            if t.text.starts_with('(') && t.text.ends_with(')') && !t.quoted {
                self.snippet(t);
                continue;
            }
            if t.text.starts_with("&(") && !t.quoted {
                self.skip_named_route(&t);
                continue;
            }
            match self.site(t, caddyfile.sites.is_empty()) {
                Some(site) => caddyfile.sites.push(site),
                None => return caddyfile,
            }
        }
        caddyfile
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.queue.pop_front()?;
        self.last = Some(t.clone());
        Some(t)
    }

    /// Whether the next token is on the same line as `t`.
    fn continues(&self, t: &Token) -> bool {
        self.queue.front().is_some_and(|n| n.same_line(t))
    }

    fn rest_of_line(&mut self, t: &Token) -> Vec<Token> {
        let mut out = Vec::new();
        while self.continues(t) {
            out.push(self.next().expect("continues() saw it"));
        }
        out
    }

    fn tokens_of(&mut self, file: FileId) -> Option<Vec<Token>> {
        match tokenize(file, &self.map.file(file).bytes) {
            Ok(mut tokens) => {
                substitute_env(&mut tokens, &mut self.findings);
                let instance = self.instance();
                for t in &mut tokens {
                    t.instance = instance;
                }
                Some(tokens)
            }
            Err(e) => {
                self.findings.push(
                    Finding::new(
                        codes::PARSE_ERROR,
                        format!("Caddy refuses this file: {}", e.message),
                        Label::new(e.span, e.message),
                    )
                    .with_help("close the string: a `\"` or a backtick is missing"),
                );
                None
            }
        }
    }

    fn instance(&mut self) -> u32 {
        self.next_instance += 1;
        self.next_instance
    }

    fn snippet(&mut self, name: Token) {
        let Some(open) = self
            .queue
            .front()
            .filter(|n| n.same_line(&name) && is(n, "{"))
        else {
            self.syntax(
                name.span,
                format!("expected `{{` after the snippet name {}", name.text),
            );
            return;
        };
        let open = open.clone();
        self.next();
        let mut depth = 1;
        let mut body = Vec::new();
        while let Some(t) = self.next() {
            if is(&t, "{") {
                depth += 1;
            } else if is(&t, "}") {
                depth -= 1;
                if depth == 0 {
                    let key = name.text[1..name.text.len() - 1].to_string();
                    self.snippets.insert(key, body);
                    return;
                }
            }
            body.push(t);
        }
        self.unclosed(&open);
    }

    fn skip_named_route(&mut self, name: &Token) {
        let _ = self.rest_of_line(name);
        self.skip_block_if_open(name);
        self.findings.push(Finding::new(
            codes::NOT_CHECKED,
            format!(
                "named route `{}` is not read: what its `invoke` runs was not checked",
                name.text
            ),
            Label::new(name.span, "named route"),
        ));
    }

    fn skip_block_if_open(&mut self, _name: &Token) {
        if let Some(last) = self.last.clone().filter(|l| is(l, "{")) {
            let mut depth = 1;
            while let Some(t) = self.next() {
                depth += is(&t, "{") as i32 - is(&t, "}") as i32;
                if depth == 0 {
                    return;
                }
            }
            self.unclosed(&last);
        }
    }

    /// A site: its addresses (a trailing comma carries them onto the next line), then its
    /// block, or, for the only site of a file, every directive up to the end.
    fn site(&mut self, first: Token, only_so_far: bool) -> Option<Site> {
        let mut addresses = vec![first];
        loop {
            let last = addresses.last().expect("one at least").clone();
            match self.queue.front() {
                Some(n) if n.same_line(&last) && is(n, "{") => {
                    let open = self.next().expect("front");
                    let body = self.block(&open, 0)?;
                    return Some(Site {
                        addresses: split_commas(addresses),
                        body,
                    });
                }
                Some(n) if n.same_line(&last) || last.text.ends_with(',') => {
                    let n = self.next().expect("front");
                    addresses.push(n);
                }
                _ => break,
            }
        }
        // No braces: the file's only site, its directives at top level.
        if !only_so_far {
            self.syntax(
                addresses[0].span,
                "a site without curly braces must be the only site of the Caddyfile".into(),
            );
            return None;
        }
        let mut body = Vec::new();
        while let Some(t) = self.next() {
            if let Some(d) = self.directive(t, 0) {
                body.push(d);
            }
        }
        if body.iter().any(looks_like_site) {
            let d = body.iter().find(|d| looks_like_site(d)).expect("found");
            self.syntax(
                d.name.span,
                format!("unrecognized directive: {}\nDid you mean to define a second site? If so, you must use curly braces around each site to separate their configurations.", d.name.text),
            );
            return None;
        }
        Some(Site {
            addresses: split_commas(addresses),
            body,
        })
    }

    /// The directives up to the `}` closing `open`; `None` when the file ends first.
    fn block(&mut self, open: &Token, depth: usize) -> Option<Vec<Directive>> {
        if depth > self.opts.limits.max_nesting {
            self.findings.push(Finding::new(
                codes::NOT_READ,
                format!(
                    "blocks nested deeper than {} levels: not read",
                    self.opts.limits.max_nesting
                ),
                Label::new(open.span, "too deep"),
            ));
            self.skip_block_if_open(open);
            return Some(Vec::new());
        }
        let mut out = Vec::new();
        loop {
            let Some(t) = self.next() else {
                self.unclosed(open);
                return None;
            };
            if is(&t, "}") {
                return Some(out);
            }
            if let Some(d) = self.directive(t, depth) {
                out.push(d);
            }
        }
    }

    /// One directive starting at `name`; an import is expanded in its place instead.
    fn directive(&mut self, name: Token, depth: usize) -> Option<Directive> {
        let mut args = Vec::new();
        let mut block = None;
        while let Some(n) = self.queue.front() {
            if !n.same_line(&name) || is(n, "}") {
                break;
            }
            let n = self.next().expect("front");
            if is(&n, "{") && !self.continues(&n) {
                block = Some(self.block(&n, depth + 1)?);
                break;
            }
            args.push(n);
        }
        if is(&name, "import") {
            self.import(&name, &args);
            return None;
        }
        Some(Directive { name, args, block })
    }

    fn import(&mut self, at: &Token, args: &[Token]) {
        let Some(pattern) = args.first() else {
            self.syntax(at.span, "Import takes one or more arguments".into());
            return;
        };
        self.imports += 1;
        if self.imports > MAX_IMPORTS {
            if self.imports == MAX_IMPORTS + 1 {
                self.findings.push(Finding::new(
                    codes::INCLUDE_UNRESOLVED,
                    format!("more than {MAX_IMPORTS} imports: an import cycle; the rest were not followed"),
                    Label::new(at.span, "this import was not followed"),
                ));
            }
            return;
        }
        let tokens = match self.snippets.get(&pattern.text) {
            Some(body) => body.clone(),
            None => self.import_files(at, pattern),
        };
        let instance = self.instance();
        let expanded = substitute_args(tokens, &args[1..], instance);
        for t in expanded.into_iter().rev() {
            self.queue.push_front(t);
        }
    }

    fn import_files(&mut self, at: &Token, pattern: &Token) -> Vec<Token> {
        let dir = self
            .map
            .file(at.span.file)
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let written = PathBuf::from(&pattern.text);
        let paths = match crate::glob::matches(&dir, &written, self.opts) {
            Ok(paths) => paths,
            Err(why) => {
                self.findings.push(Finding::new(
                    codes::INCLUDE_UNRESOLVED,
                    format!("cannot import `{}`: {why}", pattern.text),
                    Label::new(pattern.span, "imported here"),
                ));
                return Vec::new();
            }
        };
        if paths.is_empty() && !pattern.text.contains('*') {
            self.findings.push(
                Finding::new(
                    codes::INCLUDE_UNRESOLVED,
                    format!("File to import not found: {}", pattern.text),
                    Label::new(pattern.span, "no snippet and no file by this name"),
                )
                .with_help("define the snippet before this line, or fix the file's path (relative paths start at this Caddyfile's directory)"),
            );
        }
        let mut out = Vec::new();
        for path in paths {
            match self.map.read(&path) {
                Ok(file) => out.extend(self.tokens_of(file).unwrap_or_default()),
                Err(e) => self.findings.push(Finding::new(
                    codes::INCLUDE_UNRESOLVED,
                    format!("cannot read imported file `{}`: {e}", path.display()),
                    Label::new(pattern.span, "imported here"),
                )),
            }
        }
        out
    }

    fn unclosed(&mut self, open: &Token) {
        let last = self.last.as_ref().map_or("", |t| t.text.as_str());
        let message = format!(
            "syntax error: unexpected token '{last}', expecting '}}' (this block is never closed)"
        );
        self.syntax(open.span, message);
    }

    fn syntax(&mut self, span: Span, message: String) {
        self.findings.push(
            Finding::new(
                codes::PARSE_ERROR,
                format!("Caddy refuses to start: {message}"),
                Label::new(span, "here"),
            )
            .with_help("run `caddy validate --adapter caddyfile --config Caddyfile` to see Caddy's own message"),
        );
    }
}

fn is(t: &Token, text: &str) -> bool {
    !t.quoted && t.text == text
}

/// A top-level line of a brace-less site that reads like another site's address.
fn looks_like_site(d: &Directive) -> bool {
    d.block.is_some()
        && (d.name.text.contains('.')
            || d.name.text.starts_with(':')
            || d.name.text.contains("://"))
}

/// `a.com, b.com` and `a.com,b.com`: one token per address, each with its own span.
fn split_commas(tokens: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::new();
    for t in tokens {
        // Offsets into the text are offsets into the file only when the text is the file's
        // bytes (not a decoded escape or a replaced invalid byte): else each part keeps the
        // whole token's span.
        let written = (t.span.end - t.span.start) as usize;
        let exact = t.text.len() + 2 * usize::from(t.quoted) == written;
        let mut offset = 0usize;
        for part in t.text.split(',') {
            let start = t.span.start as usize + offset + t.quoted as usize;
            offset += part.len() + 1;
            if part.is_empty() {
                continue;
            }
            let mut piece = t.clone();
            piece.text = part.to_string();
            if exact {
                piece.span = Span::new(t.span.file, start, start + part.len());
            }
            out.push(piece);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use aop_model::LoadOptions;
    use aop_source::SourceMap;

    /// Found by the caddy_lint fuzz target: a site address after bytes that are not UTF-8
    /// got a span computed in the decoded text (each invalid byte three bytes long there),
    /// past the end of the file.
    #[test]
    fn site_addresses_after_invalid_bytes_keep_their_spans_in_the_file() {
        let mut bytes = b"{\n\tadmin off\n}\n\n".to_vec();
        bytes.extend(std::iter::repeat_n(0xFF, 100));
        bytes.extend(b"(snippet) {\n\trespond x\n}\n\na.example.com,b.example.com {\n\trespond y\n}\n\xff\xff,c.example.com {\n\trespond z\n}\n");
        let mut map = SourceMap::default();
        let file = map.add(
            std::path::PathBuf::from("/nonexistent/Caddyfile"),
            bytes.clone(),
        );
        let config = crate::load_file(file, &mut map, &LoadOptions::default());
        let within = |s: aop_source::Span| s.start <= s.end && s.end as usize <= bytes.len();
        for s in &config.servers {
            assert!(within(s.span), "server span {:?}", s.span);
            for (_, span) in &s.names {
                assert!(within(*span), "name span {span:?}");
            }
        }
        for f in &config.findings {
            assert!(within(f.primary.span), "{}: {:?}", f.code, f.primary.span);
        }
    }
}
