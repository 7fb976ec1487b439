//! Just enough of nginx's lexer to find directives and splice new arguments in: the harness
//! must not depend on the parser it is checking, so it reads the files itself.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Word,
    Semicolon,
    Open,
    Close,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub kind: Kind,
    pub span: Range<usize>,
    /// The word with its quotes removed (escapes kept as written: paths rarely have any).
    pub text: String,
}

pub fn tokenize(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b';' | b'{' | b'}' => {
                let kind = match c {
                    b';' => Kind::Semicolon,
                    b'{' => Kind::Open,
                    _ => Kind::Close,
                };
                tokens.push(Token {
                    kind,
                    span: i..i + 1,
                    text: String::new(),
                });
                i += 1;
            }
            b'"' | b'\'' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != c {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let end = (i + 1).min(bytes.len());
                tokens.push(Token {
                    kind: Kind::Word,
                    span: start..end,
                    text: src[start + 1..end.saturating_sub(1).max(start + 1)].to_string(),
                });
                i = end;
            }
            _ => {
                let start = i;
                while i < bytes.len() {
                    let b = bytes[i];
                    // `${name}` keeps its braces inside the word, as nginx reads it.
                    if b == b'{' && i > start && bytes[i - 1] == b'$' {
                        while i < bytes.len() && bytes[i] != b'}' {
                            i += 1;
                        }
                        i += 1;
                        continue;
                    }
                    if matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' | b'}') {
                        break;
                    }
                    i += 1;
                }
                let end = i.min(bytes.len());
                tokens.push(Token {
                    kind: Kind::Word,
                    span: start..end,
                    text: src[start..end].to_string(),
                });
            }
        }
    }
    tokens
}

/// A directive: its words (name first) and how it ends.
#[derive(Clone, Debug)]
pub struct Statement {
    pub words: Vec<Token>,
    /// `;` for a simple directive, `{` for a block opener, `}` for a block's end (no words).
    pub end: Token,
}

impl Statement {
    pub fn name(&self) -> &str {
        self.words.first().map(|w| w.text.as_str()).unwrap_or("")
    }

    pub fn args(&self) -> &[Token] {
        self.words.get(1..).unwrap_or(&[])
    }

    pub fn span(&self) -> Range<usize> {
        let start = self
            .words
            .first()
            .map(|w| w.span.start)
            .unwrap_or(self.end.span.start);
        start..self.end.span.end
    }
}

pub fn statements(tokens: Vec<Token>) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut words = Vec::new();
    for token in tokens {
        match token.kind {
            Kind::Word => words.push(token),
            _ => out.push(Statement {
                words: std::mem::take(&mut words),
                end: token,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_directives_blocks_and_quotes() {
        let src = "http { server { listen 443 ssl; root \"/srv/a b\"; # c\n set $x ${y}z; } }";
        let st = statements(tokenize(src));
        let names: Vec<_> = st.iter().map(|s| s.name().to_string()).collect();
        assert_eq!(names, ["http", "server", "listen", "root", "set", "", ""]);
        assert_eq!(st[3].args()[0].text, "/srv/a b");
        assert_eq!(st[4].args()[1].text, "${y}z");
    }
}
