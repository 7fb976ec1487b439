//! `Define` variables and the environment: `${VAR}` is replaced on the whole logical line
//! before the line is split into words, so a value may hold several words or even a
//! section opener. An undefined variable stays as written (httpd warns and goes on).

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use aop_source::Span;

use crate::mapped::Mapped;

#[derive(Clone, Debug, Default)]
pub struct Variables {
    /// `Define NAME value` (a bare `Define NAME` holds an empty value but still counts for
    /// `<IfDefine>`).
    pub defines: HashMap<String, String>,
    /// The environment httpd starts with (Debian: the `envvars` file).
    pub env: HashMap<String, String>,
}

impl Variables {
    pub fn lookup(&self, name: &str) -> Option<&str> {
        self.defines
            .get(name)
            .or_else(|| self.env.get(name))
            .map(String::as_str)
    }
}

/// A `${NAME}` left as written because nothing defines it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undefined {
    pub name: String,
    pub span: Span,
}

/// Longest line variables may expand to: each `Define` may double the last one's value, so
/// a short file can otherwise ask for terabytes.
pub const MAX_EXPANDED_LINE: usize = 1 << 20;

/// Most bytes variables may add to the lines of a whole tree: lines each under
/// [`MAX_EXPANDED_LINE`] can still ask for gigabytes when thousands use one large value.
pub const MAX_EXPANDED_TOTAL: usize = 1 << 26;

/// The expanded line and the variables left as written; `None` when the expansion would
/// exceed [`MAX_EXPANDED_LINE`].
pub fn expand<'a>(line: &'a Mapped, vars: &Variables) -> Option<(Cow<'a, Mapped>, Vec<Undefined>)> {
    let text = &line.text;
    let mut length = text.len();
    let mut replacements: Vec<(Range<usize>, Vec<u8>)> = Vec::new();
    let mut undefined = Vec::new();
    // Most lines hold no `$`: they are passed on as they are, neither scanned byte by byte
    // nor copied.
    let mut i = match memchr::memchr(b'$', text) {
        Some(at) => at,
        None => return Some((Cow::Borrowed(line), undefined)),
    };
    while i + 1 < text.len() {
        if text[i] == b'$' && text[i + 1] == b'{' {
            if let Some(close) = text[i + 2..].iter().position(|&b| b == b'}') {
                let end = i + 2 + close + 1;
                let name = String::from_utf8_lossy(&text[i + 2..end - 1]).into_owned();
                match vars.lookup(&name) {
                    Some(value) => {
                        length += value.len();
                        if length > MAX_EXPANDED_LINE {
                            return None;
                        }
                        replacements.push((i..end, value.as_bytes().to_vec()))
                    }
                    None => undefined.push(Undefined {
                        name,
                        span: line.span(i..end),
                    }),
                }
                i = end;
                continue;
            }
        }
        i += 1;
    }
    if replacements.is_empty() {
        return Some((Cow::Borrowed(line), undefined));
    }
    Some((Cow::Owned(line.replace_all(&replacements)), undefined))
}

/// Reads Debian's `envvars` as `apache2ctl` sources it: what reaches httpd is every variable
/// exported by the end of the file. Assignments (`NAME=value`, `export NAME=value`), the
/// default-value form of the official container images (`: ${NAME:=value}` then
/// `export NAME`), `export NAME` of an earlier assignment and `set -a` are followed, with
/// `$NAME`/`${NAME}` expanded from earlier assignments as the shell would (unknown names
/// expand to nothing). Control flow is not: every branch is read in order.
pub fn parse_envvars(bytes: &[u8]) -> HashMap<String, String> {
    let mut shell = Shell::default();
    for raw in String::from_utf8_lossy(bytes).lines() {
        shell.line(raw.trim());
    }
    shell
        .exported
        .into_iter()
        .filter_map(|name| shell.vars.get(&name).map(|v| (name, v.clone())))
        .collect()
}

#[derive(Default)]
struct Shell {
    vars: HashMap<String, String>,
    exported: std::collections::BTreeSet<String>,
    /// `set -a`: every later assignment is exported.
    export_all: bool,
}

impl Shell {
    fn line(&mut self, line: &str) {
        if line.starts_with('#') {
            return;
        }
        let (command, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match command {
            "export" => {
                for word in words(rest) {
                    match word.split_once('=') {
                        Some((name, value)) => self.assign(name, value, true),
                        None if is_name(word) => {
                            self.exported.insert(word.to_string());
                        }
                        None => {}
                    }
                }
            }
            ":" => {
                for word in words(rest) {
                    self.default_value(word);
                }
            }
            "set" => match rest.trim() {
                "-a" | "-o allexport" => self.export_all = true,
                "+a" | "+o allexport" => self.export_all = false,
                _ => {}
            },
            "unset" => {
                for name in words(rest) {
                    self.vars.remove(name);
                    self.exported.remove(name);
                }
            }
            _ => {
                if let Some((name, value)) = line.split_once('=') {
                    self.assign(name, value, false);
                }
            }
        }
    }

    fn assign(&mut self, name: &str, value: &str, export: bool) {
        if !is_name(name) {
            return;
        }
        let value = shell_value(value, &self.vars);
        self.vars.insert(name.to_string(), value);
        if export || self.export_all {
            self.exported.insert(name.to_string());
        }
    }

    /// `${NAME:=value}` assigns when `NAME` is unset or empty, `${NAME=value}` when unset.
    fn default_value(&mut self, word: &str) {
        let Some(inner) = word
            .trim_matches('"')
            .strip_prefix("${")
            .and_then(|w| w.strip_suffix('}'))
        else {
            return;
        };
        let (name, value, if_empty) = match inner.split_once(":=") {
            Some((n, v)) => (n, v, true),
            None => match inner.split_once('=') {
                Some((n, v)) => (n, v, false),
                None => return,
            },
        };
        let current = self.vars.get(name);
        if current.is_none() || (if_empty && current.is_some_and(String::is_empty)) {
            self.assign(name, value, false);
        }
    }
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The words of a command line, a quoted value kept whole and a `#` comment dropped.
fn words(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    let mut braces = 0usize;
    for (i, c) in line.char_indices() {
        match (c, quote) {
            ('\'' | '"', None) => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (q, Some(open)) if q == open => quote = None,
            ('{', None) => {
                braces += 1;
                start.get_or_insert(i);
            }
            ('}', None) => braces = braces.saturating_sub(1),
            ('#', None) if start.is_none() => break,
            (c, None) if c.is_whitespace() && braces == 0 => {
                if let Some(s) = start.take() {
                    out.push(&line[s..i]);
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

fn shell_value(raw: &str, env: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('\'' | '"', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('$', q) if q != Some('\'') => {
                let mut name = String::new();
                if chars.peek() == Some(&'{') {
                    chars.next();
                    for n in chars.by_ref() {
                        if n == '}' {
                            break;
                        }
                        name.push(n);
                    }
                } else {
                    while let Some(&n) = chars.peek() {
                        if !(n.is_ascii_alphanumeric() || n == '_') {
                            break;
                        }
                        name.push(n);
                        chars.next();
                    }
                }
                if name.is_empty() {
                    out.push('$');
                } else if let Some(v) = env.get(&name) {
                    out.push_str(v);
                }
            }
            (c, None) if c.is_whitespace() => break,
            (c, _) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aop_source::FileId;

    fn line(s: &str) -> Mapped {
        let mut m = Mapped::new(FileId(0));
        m.push_exact(s.as_bytes(), 0);
        m
    }

    #[test]
    fn defines_win_over_the_environment() {
        let mut vars = Variables::default();
        vars.env.insert("A".into(), "env".into());
        vars.defines.insert("A".into(), "def".into());
        let written = line("X ${A} ${B}");
        let (out, undef) = expand(&written, &vars).unwrap();
        assert_eq!(out.text, b"X def ${B}");
        assert_eq!(undef[0].name, "B");
        assert_eq!(undef[0].span.range(), 7..11);
    }

    #[test]
    fn a_value_may_hold_several_words() {
        let mut vars = Variables::default();
        vars.defines
            .insert("V".into(), "<VirtualHost *:443>".into());
        let written = line("${V}");
        let (out, _) = expand(&written, &vars).unwrap();
        assert_eq!(out.text, b"<VirtualHost *:443>");
        assert_eq!(out.span(0..3).range(), 0..4);
    }

    #[test]
    fn unterminated_reference_is_text() {
        let written = line("a ${B");
        let (out, undef) = expand(&written, &Variables::default()).unwrap();
        assert_eq!(out.text, b"a ${B");
        assert!(undef.is_empty());
    }

    #[test]
    fn envvars_exports_with_shell_expansion() {
        let env = parse_envvars(
            b"unset HOME\nexport APACHE_RUN_USER=www-data\n\
              export APACHE_RUN_DIR=/var/run/apache2$SUFFIX\n\
              export APACHE_LOG_DIR=\"${APACHE_RUN_DIR}/log\"\n#export X=1\nexport LANG\n",
        );
        assert_eq!(env["APACHE_RUN_USER"], "www-data");
        assert_eq!(env["APACHE_RUN_DIR"], "/var/run/apache2");
        assert_eq!(env["APACHE_LOG_DIR"], "/var/run/apache2/log");
        assert!(!env.contains_key("X"));
        assert!(!env.contains_key("LANG"));
    }

    #[test]
    fn envvars_default_values_then_export() {
        // reproduces: the envvars of the official php:apache container images
        let env = parse_envvars(
            b"SUFFIX=\n: ${APACHE_RUN_USER:=www-data}\nexport APACHE_RUN_USER\n\
              : ${APACHE_RUN_DIR:=/var/run/apache2$SUFFIX}\nexport APACHE_RUN_DIR\n\
              : ${APACHE_LOG_DIR:=/var/log/apache2$SUFFIX}\n",
        );
        assert_eq!(env["APACHE_RUN_USER"], "www-data");
        assert_eq!(env["APACHE_RUN_DIR"], "/var/run/apache2");
        // Assigned but never exported: httpd does not see it.
        assert!(!env.contains_key("APACHE_LOG_DIR"));
        assert!(!env.contains_key("SUFFIX"));
    }

    #[test]
    fn envvars_plain_assignments_and_default_rules() {
        let env = parse_envvars(
            b"A=one\nB=two\nexport A B\n: ${A:=other}\nC=\n: ${C:=filled} ${D=set}\n\
              export C D\nset -a\nE=\"x y\" # comment\nunset B\n",
        );
        assert_eq!(env["A"], "one");
        assert_eq!(env["C"], "filled");
        assert_eq!(env["D"], "set");
        assert_eq!(env["E"], "x y");
        assert!(!env.contains_key("B"));
    }
}
