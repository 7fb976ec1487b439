//! Variables nothing defines. nginx looks every variable a directive refers to up when the
//! whole `http {}` has been read (`ngx_http_variables_init_vars`): one that neither nginx, a
//! module nor the tree (`set`, `map`, `geo`, `split_clients`, a named regex capture, ...)
//! defines stops the start with `unknown "name" variable`. So definitions count wherever they
//! stand, before or after the use.
//!
//! Only directives whose arguments nginx compiles with variables are read for uses; a `$` in
//! any other (a regex, a Lua block, a directive aop-lint does not know) is never a use.

mod directives;
mod known;
mod script;
mod spelling;

use std::collections::HashSet;

use aop_model::{codes, Finding, Label};
use aop_source::{SourceMap, Span};

use crate::ast::{Arg, Directive};
use directives::{holds_data, scripts, Scripts};
use known::Builds;
use script::{named_captures, references};

/// What the tree defines and uses, gathered as it is read (a server's block is freed as soon
/// as it is drafted, so its directives are read then).
#[derive(Default)]
pub struct Variables {
    defined: HashSet<String>,
    /// The first use of each name, in reading order.
    uses: Vec<(String, Span)>,
    used: HashSet<String>,
    load_module: bool,
}

/// Unknown names a misspelling is looked for, and the tree's own names each is compared with.
const MAX_SUGGESTED: usize = 20;
const MAX_COMPARED: usize = 2_000;

impl Variables {
    /// Reads a part of `http {}` (a server about to be drafted).
    pub fn read_http(&mut self, block: &[Directive], map: &SourceMap) {
        self.walk(block, true, map);
    }

    /// Reads the main file's top level as spliced (servers already drafted have no block).
    pub fn read_top(&mut self, top: &[Directive], map: &SourceMap) {
        for d in top {
            match d.name.as_str() {
                "load_module" => self.load_module = true,
                "http" => self.walk(d.children(), true, map),
                // Other contexts' definitions are counted too: a name defined there and
                // used in `http {}` is at worst a start error left unsaid.
                _ => self.walk(std::slice::from_ref(d), false, map),
            }
        }
    }

    fn define(&mut self, name: &str) {
        if let Some(name) = name.strip_prefix('$') {
            self.defined.insert(name.to_ascii_lowercase());
        }
    }

    fn use_in(&mut self, arg: &Arg, text: &str, offset: usize, map: &SourceMap) {
        for r in references(text) {
            // Checked before inserting: most uses repeat a name, and a clone each would be
            // an allocation per reference in a tree of thousands of servers.
            if !self.used.contains(&r.name) {
                self.used.insert(r.name.clone());
                let span = reference_span(arg, offset + r.at.start..offset + r.at.end, map);
                self.uses.push((r.name, span));
            }
        }
    }

    fn use_arg(&mut self, arg: &Arg, map: &SourceMap) {
        self.use_in(arg, &arg.value, 0, map);
    }

    fn walk(&mut self, block: &[Directive], http: bool, map: &SourceMap) {
        for d in block {
            for a in d.args.iter() {
                self.defined.extend(named_captures(&a.value));
            }
            // geoip2-style blocks: each `$name ...;` line defines a variable.
            self.define(&d.name);
            match d.name.as_str() {
                "map" => self.read_map(d, http, map),
                "geo" => {
                    if let Some(last) = d.args.last() {
                        self.define(&last.value);
                    }
                    if http && d.args.len() == 2 {
                        self.use_arg(&d.args[0], map);
                    }
                }
                "split_clients" => {
                    if let Some(a) = d.args.get(1) {
                        self.define(&a.value);
                    }
                    if let (true, Some(a)) = (http, d.args.first()) {
                        self.use_arg(a, map);
                    }
                }
                "if" if http => self.read_if(d, map),
                name => {
                    let table = scripts(name);
                    // `set`, `auth_request_set`, and `perl_set`, `js_set`, `js_var` and the
                    // like of modules aop-lint does not know: a directive whose first word is
                    // a variable defines it.
                    let defines = table.is_none() || matches!(name, "set" | "auth_request_set");
                    match d.args.first() {
                        Some(a) if defines && is_variable(a) => self.define(&a.value),
                        _ => {}
                    }
                    if let (true, Some(t)) = (http, table) {
                        self.uses_of(d, t, map);
                    }
                }
            }
            if !holds_data(&d.name) {
                self.walk(d.children(), http, map);
            }
        }
    }

    fn uses_of(&mut self, d: &Directive, which: Scripts, map: &SourceMap) {
        for (i, a) in d.args.iter().enumerate() {
            match which.pick(i, d.args.len(), &a.value) {
                Some(offset) => self.use_in(a, &a.value[offset..], offset, map),
                None => continue,
            }
        }
    }

    /// `map source $name { key value; ... }`: the source and each value are scripts, regex
    /// keys may name captures.
    fn read_map(&mut self, d: &Directive, http: bool, map: &SourceMap) {
        if let Some(a) = d.args.get(1) {
            self.define(&a.value);
        }
        for line in d.children() {
            self.defined.extend(named_captures(&line.name));
        }
        if !http {
            return;
        }
        if let Some(a) = d.args.first() {
            self.use_arg(a, map);
        }
        for line in d.children() {
            for a in line.args.iter() {
                self.use_arg(a, map);
            }
        }
    }

    /// `if (condition)`: the tested variable, a file test's operand and the right side of
    /// `=`/`!=` are scripts; the right side of `~` is a regex.
    fn read_if(&mut self, d: &Directive, map: &SourceMap) {
        let n = d.args.len();
        let words: Vec<(&Arg, usize, &str)> = d
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut text = a.value.as_str();
                let mut offset = 0;
                if i == 0 {
                    if let Some(t) = text.strip_prefix('(') {
                        text = t;
                        offset = 1;
                    }
                }
                if i + 1 == n {
                    text = text.strip_suffix(')').unwrap_or(text);
                }
                (a, offset, text)
            })
            .filter(|(_, _, t)| !t.is_empty())
            .collect();
        let file_test = matches!(
            words.first().map(|w| w.2),
            Some("-f" | "!-f" | "-d" | "!-d" | "-e" | "!-e" | "-x" | "!-x")
        );
        let operands: &[usize] = match (file_test, words.get(1).map(|w| w.2)) {
            (true, _) => &[1],
            (false, Some("=" | "!=")) => &[0, 2],
            _ => &[0],
        };
        for &i in operands {
            if let Some(&(a, offset, text)) = words.get(i) {
                self.use_in(a, text, offset, map);
            }
        }
    }

    /// Reports each variable used but defined nowhere, at its first use.
    pub fn check(self, incomplete: bool, findings: &mut Vec<Finding>) {
        let mut suggested = 0;
        for (name, span) in self.uses {
            if self.defined.contains(&name) {
                continue;
            }
            match known::lookup(&name).map(|g| g.builds) {
                Some(Builds::All | Builds::Since(_)) => {}
                Some(Builds::Optional(_)) if self.load_module => {}
                Some(Builds::Optional(module)) => findings.push(from_module(&name, span, module)),
                None if self.load_module || incomplete => {
                    findings.push(maybe_elsewhere(&name, span, self.load_module))
                }
                None => {
                    // Each search compares with every name: a hostile tree of thousands of
                    // unknown and defined names gets suggestions for its first few only.
                    suggested += 1;
                    let meant = (suggested <= MAX_SUGGESTED).then(|| {
                        let own = known::GROUPS.iter().flat_map(|g| g.names.iter().copied());
                        let defined = self.defined.iter().map(String::as_str);
                        spelling::nearest(&name, own.chain(defined.take(MAX_COMPARED)))
                    });
                    findings.push(unknown(&name, span, meant.flatten()))
                }
            }
        }
    }
}

/// A word that is one variable and nothing else (`$name`).
fn is_variable(a: &Arg) -> bool {
    a.value
        .strip_prefix('$')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

/// The span of a reference inside an argument, when the argument's source is its value as
/// written (no escapes); the whole argument otherwise.
fn reference_span(arg: &Arg, at: std::ops::Range<usize>, map: &SourceMap) -> Span {
    let inner = arg.span.start as usize + usize::from(arg.quoted);
    let source = Span::new(arg.span.file, inner, inner + arg.value.len());
    if source.end <= arg.span.end && map.bytes(source) == arg.value.as_bytes() {
        Span::new(arg.span.file, inner + at.start, inner + at.end)
    } else {
        arg.span
    }
}

fn unknown(name: &str, span: Span, meant: Option<&str>) -> Finding {
    let help = if let Some(meant) = meant {
        format!("if `${meant}` was meant, write `${meant}`; otherwise define `${name}` in `http {{}}` (`map ... ${name} {{ ... }}` or `set ${name} ...;`)")
    } else if name == "connection_upgrade" {
        "define it in `http {}`, as nginx's WebSocket proxying example does: `map $http_upgrade $connection_upgrade { default upgrade; '' close; }`".to_string()
    } else {
        format!(
            "define it in `http {{}}` (`map ... ${name} {{ ... }}`, or `set ${name} ...;` where it is used), or use one of nginx's own variables if this is a misspelling of one"
        )
    };
    Finding::new(
        codes::PARSE_ERROR,
        format!("unknown \"{name}\" variable"),
        Label::new(
            span,
            "nothing defines this variable: nginx refuses to start",
        ),
    )
    .with_help(help)
}

fn maybe_elsewhere(name: &str, span: Span, load_module: bool) -> Finding {
    let where_ = if load_module {
        "a module loaded with `load_module`"
    } else {
        "a file that was not read"
    };
    Finding::new(
        codes::NOT_CHECKED,
        format!("`${name}` is defined nowhere aop-lint read: it may come from {where_}"),
        Label::new(span, "not defined in the files read"),
    )
    .with_help(format!(
        "if `nginx -t` says `unknown \"{name}\" variable`, define it in `http {{}}` (`map ... ${name} {{ ... }}` or `set ${name} ...;`)"
    ))
}

fn from_module(name: &str, span: Span, module: &str) -> Finding {
    Finding::new(
        codes::NOT_CHECKED,
        format!("`${name}` comes from {module}, which no `load_module` of this tree loads"),
        Label::new(span, "defined only by a module this nginx may lack"),
    )
    .with_help(format!(
        "if `nginx -t` says `unknown \"{name}\" variable`, load the module (`load_module`) or build nginx with it"
    ))
}

#[cfg(test)]
mod tests {
    /// The variable findings of a tree whose `http {}` holds `http`: (code, message).
    fn said(tag: &str, http: &str) -> Vec<(&'static str, String)> {
        let main = format!("events {{}}\nhttp {{\n{http}\n}}\n");
        crate::test_findings(tag, &main)
            .into_iter()
            .filter(|f| f.message.contains("variable") || f.message.contains('$'))
            .map(|f| (f.code, f.message.to_string()))
            .collect()
    }

    fn unknown(name: &str) -> Vec<(&'static str, String)> {
        vec![("AOP001", format!("unknown \"{name}\" variable"))]
    }

    #[test]
    fn only_what_nginx_compiles_with_variables_is_a_use() {
        let regexes =
            "server { location ~ ^/a$ { rewrite ^/(?<rest>.*)$x /$rest; return 200 \"$uri\"; } }";
        assert_eq!(said("vars-regex", regexes), []);
        let lua = "server { set_by_lua $y 'return 1'; return 200 $y; }";
        assert_eq!(said("vars-lua", lua), []);
        let typo = "server { if ($bogus_one) { return 403; } }";
        assert_eq!(said("vars-if", typo), unknown("bogus_one"));
        let file_test = "server { if (!-f $document_root/x$nope) { return 403; } }";
        assert_eq!(said("vars-if-file", file_test), unknown("nope"));
        let compared = "server { if ($host = \"a$nope\") { return 403; } if ($host ~ ^$nope2) { return 403; } }";
        assert_eq!(said("vars-if-eq", compared), unknown("nope"));
    }

    #[test]
    fn an_access_log_condition_is_a_use_and_a_map_anywhere_defines_it() {
        let log = "server { access_log off; access_log /dev/null combined if=$loggable; }";
        assert_eq!(said("vars-log", log), unknown("loggable"));
        let mapped = format!("{log}\nmap $status $loggable {{ ~^[23] 0; default 1; }}");
        assert_eq!(said("vars-log-map", &mapped), []);
    }

    /// A file that was not read may define the name: never a start error then.
    #[test]
    fn an_unread_include_makes_an_undefined_name_unchecked() {
        let found = said(
            "vars-unread",
            "include missing.conf;\nserver { return 200 $from_missing; }",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "AOP004");
    }

    /// Thousands of unknown names beside thousands of defined ones: each is reported, and
    /// the search for a misspelling stays bounded.
    #[test]
    fn many_unknown_names_are_each_reported() {
        let mut http = String::from("server {\n");
        for i in 0..3000 {
            http.push_str(&format!(
                "set $defined_{i} 1;\nadd_header X-{i} $undefined_{i}x;\n"
            ));
        }
        http.push('}');
        let found = said("vars-many", &http);
        assert_eq!(found.len(), 3000);
        assert!(found.iter().all(|(code, _)| *code == "AOP001"));
    }
}
