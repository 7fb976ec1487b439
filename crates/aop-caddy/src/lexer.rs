//! Caddyfile tokens, split the way Caddy's lexer splits them: whitespace separates, `"..."`
//! and `` `...` `` quote, `#` at the start of a token comments out the rest of the line, a
//! backslash before a newline continues the line, `<<MARKER` opens a heredoc.

use aop_source::{FileId, Span};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub span: Span,
    /// Tokens with the same line (and instance) form one directive.
    pub line: u32,
    /// Which inclusion of its file or snippet this token came from: the same snippet
    /// imported twice gives two directives, not one.
    pub instance: u32,
    pub quoted: bool,
}

impl Token {
    pub fn same_line(&self, other: &Token) -> bool {
        self.line == other.line
            && self.instance == other.instance
            && self.span.file == other.span.file
    }
}

/// What the lexer could not accept, in Caddy's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub message: String,
    pub span: Span,
}

pub fn tokenize(file: FileId, bytes: &[u8]) -> Result<Vec<Token>, LexError> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1u32;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if continues_line(bytes, i) => {
                // The next line's tokens belong to this directive.
                i += 1;
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                i += 1;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i;
                let mut text = Vec::new();
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => {
                            return Err(LexError {
                                message: "unterminated quoted string".into(),
                                span: Span::new(file, start, bytes.len()),
                            })
                        }
                        Some(b'\\') if bytes.get(i + 1) == Some(&b'"') => {
                            text.push(b'"');
                            i += 2;
                        }
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(&b) => {
                            text.push(b);
                            i += 1;
                        }
                    }
                }
                out.push(token(file, start, i, line, text, true));
            }
            b'`' => {
                let start = i;
                let Some(len) = bytes[i + 1..].iter().position(|&b| b == b'`') else {
                    return Err(LexError {
                        message: "unterminated backtick string".into(),
                        span: Span::new(file, start, bytes.len()),
                    });
                };
                let text = bytes[i + 1..i + 1 + len].to_vec();
                i += len + 2;
                out.push(token(file, start, i, line, text, true));
            }
            b'<' if bytes[i..].starts_with(b"<<") && heredoc_marker(&bytes[i + 2..]).is_some() => {
                let start = i;
                let (text, end) = heredoc(file, bytes, i)?;
                i = end;
                out.push(token(file, start, i, line, text, true));
            }
            _ => {
                let start = i;
                while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
                    i += 1;
                }
                let text = bytes[start..i].to_vec();
                out.push(token(file, start, i, line, text, false));
            }
        }
    }
    Ok(out)
}

fn token(file: FileId, start: usize, end: usize, line: u32, text: Vec<u8>, quoted: bool) -> Token {
    Token {
        text: String::from_utf8_lossy(&text).into_owned(),
        span: Span::new(file, start, end),
        line,
        instance: 0,
        quoted,
    }
}

/// A backslash that ends its line (trailing blanks allowed).
fn continues_line(bytes: &[u8], at: usize) -> bool {
    let rest = &bytes[at + 1..];
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    rest[..end]
        .iter()
        .all(|&b| b == b' ' || b == b'\t' || b == b'\r')
}

/// `<<EOF` followed by a newline: the marker.
fn heredoc_marker(after: &[u8]) -> Option<&[u8]> {
    let len = after
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-'))
        .unwrap_or(after.len());
    let rest = &after[len..];
    let at_line_end = rest.first() == Some(&b'\n') || rest.starts_with(b"\r\n");
    (len > 0 && at_line_end).then_some(&after[..len])
}

/// The body of a heredoc up to the line holding only its marker; that line's indentation is
/// removed from every line, as Caddy does.
fn heredoc(file: FileId, bytes: &[u8], at: usize) -> Result<(Vec<u8>, usize), LexError> {
    let marker = heredoc_marker(&bytes[at + 2..]).expect("checked by the caller");
    let mut pos = at + 2 + marker.len();
    pos += bytes[pos..].iter().position(|&b| b == b'\n').unwrap_or(0) + 1;
    let body_start = pos;
    while pos < bytes.len() {
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |n| pos + n);
        let line = &bytes[pos..end];
        let stripped = line.trim_ascii_start();
        let closes = stripped.starts_with(marker)
            && stripped[marker.len()..]
                .first()
                .is_none_or(|b| b.is_ascii_whitespace());
        if closes {
            let indent = line.len() - stripped.len();
            let body = &bytes[body_start..pos.saturating_sub(1).max(body_start)];
            let text: Vec<u8> = body
                .split(|&b| b == b'\n')
                .map(|l| {
                    let blank = l.len() - l.trim_ascii_start().len();
                    &l[indent.min(blank)..]
                })
                .collect::<Vec<_>>()
                .join(&b'\n');
            return Ok((text, pos + indent + marker.len()));
        }
        pos = end + 1;
    }
    Err(LexError {
        message: format!(
            "incomplete heredoc <<{}, expected closing marker",
            String::from_utf8_lossy(marker)
        ),
        span: Span::new(file, at, bytes.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<(String, u32)> {
        tokenize(FileId(0), src.as_bytes())
            .unwrap()
            .into_iter()
            .map(|t| (t.text, t.line))
            .collect()
    }

    #[test]
    fn quotes_comments_and_continuations() {
        let got = texts("a \"b c\" `d\"e` # x y\nf \\\n g a#b\n");
        let want = [
            ("a", 1),
            ("b c", 1),
            ("d\"e", 1),
            ("f", 2),
            ("g", 2),
            ("a#b", 2),
        ];
        let want: Vec<(String, u32)> = want.iter().map(|(t, l)| (t.to_string(), *l)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn heredoc_body_loses_the_closing_indent() {
        let got = texts("respond <<HTML\n    <b>hi</b>\n    HTML 200\nnext\n");
        assert_eq!(got[1].0, "<b>hi</b>");
        assert_eq!(got[2], ("200".to_string(), 1));
        assert_eq!(got[3], ("next".to_string(), 2));
    }

    #[test]
    fn an_open_quote_is_an_error() {
        assert!(tokenize(FileId(0), b"respond \"hi\n").is_err());
    }
}
