//! nginx's tokenizer (`ngx_conf_read_token`), byte for byte: what nginx would read as a word,
//! a quoted string, a comment, `;`, `{` or `}`, and the errors it would give.

use aop_source::lex::{self, is_nginx_space as is_space, QuoteEscapes, QuoteRules};
use compact_str::CompactString;

use crate::errors::{ConfError, Expecting};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// A word or quoted string: byte range of its source text (quotes included), unescaped value.
    Word {
        start: usize,
        end: usize,
        value: CompactString,
        quoted: bool,
    },
    Semicolon(usize),
    Open(usize),
    Close(usize),
    Eof(usize),
}

/// A tokenizer error: byte range and what nginx says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub start: usize,
    pub end: usize,
    pub error: Box<ConfError>,
}

/// nginx's configuration read buffer (`NGX_CONF_BUFFER`).
const CONF_BUFFER: usize = 4096;

/// Inside nginx's quotes a backslash takes the next byte with it.
const QUOTES: QuoteRules = QuoteRules {
    escapes: QuoteEscapes::NextByte,
};

pub struct Lexer<'a> {
    src: &'a [u8],
    /// The whole input as text when it is UTF-8 (checked once): a word without escapes is
    /// then a slice of it, not checked again.
    text: Option<&'a str>,
    pos: usize,
    /// After a quoted string nginx requires a space, `;`, `{` or `)`.
    need_space: bool,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a [u8]) -> Self {
        Lexer {
            src,
            text: std::str::from_utf8(src).ok(),
            pos: 0,
            need_space: false,
        }
    }

    fn rest(&self) -> &'a [u8] {
        &self.src[self.pos..]
    }

    fn advance_to(&mut self, rest: &'a [u8]) {
        self.pos = self.src.len() - rest.len();
    }

    /// The value of the word at `start..end`; `escaped` when it holds a backslash.
    fn value(&self, start: usize, end: usize, escaped: bool) -> CompactString {
        if escaped {
            return unescape(&self.src[start..end]);
        }
        // Words end at ASCII bytes or at the end of input, so the slice is on character
        // boundaries; `get` checks that anyway.
        match self.text.and_then(|t| t.get(start..end)) {
            Some(t) => CompactString::new(t),
            None => text(&self.src[start..end]),
        }
    }

    fn unexpected(&self, at: usize) -> LexError {
        let ch = &self.src[at..(at + utf8_len(self.src[at])).min(self.src.len())];
        LexError {
            start: at,
            end: at + ch.len(),
            error: Box::new(ConfError::UnexpectedToken {
                token: String::from_utf8_lossy(ch).into_owned(),
            }),
        }
    }

    pub fn next_token(&mut self) -> Result<Token, LexError> {
        if self.need_space {
            self.need_space = false;
            match self.rest().first() {
                None => {}
                Some(&b) if is_space(b) => {}
                Some(b';') | Some(b'{') => {}
                // nginx reads the `)` closing an `if` condition as a word of its own.
                Some(b')') => {}
                Some(_) => return Err(self.unexpected(self.pos)),
            }
        }
        loop {
            let (rest, _) = lex::spaces(is_space)(self.rest()).unwrap_or((self.rest(), &[]));
            self.advance_to(rest);
            match rest.first() {
                None => return Ok(Token::Eof(self.pos)),
                Some(b'#') => {
                    let (rest, _) = lex::comment(rest).unwrap_or((&[], rest));
                    self.advance_to(rest);
                }
                Some(b';') => {
                    self.pos += 1;
                    return Ok(Token::Semicolon(self.pos - 1));
                }
                Some(b'{') => {
                    self.pos += 1;
                    return Ok(Token::Open(self.pos - 1));
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Token::Close(self.pos - 1));
                }
                Some(b'"' | b'\'') => return self.quoted().and_then(|t| self.fits(t)),
                Some(_) => {
                    let word = self.word();
                    return self.fits(word);
                }
            }
        }
    }

    /// nginx reads a file through a buffer of [`CONF_BUFFER`] bytes and refuses a token
    /// that fills it: counted from the first byte of an unquoted word, from the byte after
    /// the opening quote of a quoted one (its closing quote counts).
    fn fits(&self, token: Token) -> Result<Token, LexError> {
        let Token::Word {
            start, end, quoted, ..
        } = token
        else {
            return Ok(token);
        };
        let (from, len) = if quoted {
            (start + 1, end - start - 1)
        } else {
            (start, end - start)
        };
        if len < CONF_BUFFER {
            return Ok(token);
        }
        let error = if quoted && len > CONF_BUFFER {
            ConfError::TooLongQuoted {
                quote: self.src[start] as char,
            }
        } else {
            let head = &self.src[from..(from + 10).min(self.src.len())];
            ConfError::TooLongParameter {
                head: String::from_utf8_lossy(head).into_owned(),
            }
        };
        Err(LexError {
            start,
            end,
            error: Box::new(error),
        })
    }

    fn quoted(&mut self) -> Result<Token, LexError> {
        let start = self.pos;
        match lex::spanned(self.src, start, lex::quoted(QUOTES)) {
            Some((q, range)) if q.closed => {
                self.pos = range.end;
                self.need_space = true;
                Ok(Token::Word {
                    start,
                    end: range.end,
                    value: self.value(start + 1, range.end - 1, q.has_backslash),
                    quoted: true,
                })
            }
            // nginx reports an unterminated quote at end of file, expecting the directive's end.
            _ => {
                self.pos = self.src.len();
                Err(LexError {
                    start: self.src.len(),
                    end: self.src.len(),
                    error: Box::new(ConfError::UnexpectedEof {
                        expecting: Expecting::DirectiveEnd,
                    }),
                })
            }
        }
    }

    fn word(&mut self) -> Token {
        let start = self.pos;
        let mut i = start;
        let mut after_dollar = false;
        let mut escaped = false;
        while i < self.src.len() {
            let b = self.src[i];
            if b == b'{' && after_dollar {
                after_dollar = false;
                i += 1;
                continue;
            }
            after_dollar = false;
            match b {
                b'\\' => {
                    escaped = true;
                    i = (i + 2).min(self.src.len());
                    continue;
                }
                b'$' => after_dollar = true,
                b';' | b'{' => break,
                b if is_space(b) => break,
                _ => {}
            }
            i += 1;
        }
        self.pos = i;
        Token::Word {
            start,
            end: i,
            value: self.value(start, i, escaped),
            quoted: false,
        }
    }

    /// Reads a `*_by_lua_block` body after its `{`: Lua strings, long brackets and comments may
    /// hold braces that do not close the block. Returns the end of the body (the `}` position).
    pub fn lua_body(&mut self) -> Result<usize, LexError> {
        let src = self.src;
        let mut depth = 1usize;
        let mut i = self.pos;
        while i < src.len() {
            match src[i] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i + 1;
                        return Ok(i);
                    }
                }
                q @ (b'"' | b'\'') => {
                    i += 1;
                    while i < src.len() && src[i] != q && src[i] != b'\n' {
                        if src[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                }
                b'-' if src.get(i + 1) == Some(&b'-') => {
                    i += 2;
                    if let Some(end) = long_bracket_end(src, i) {
                        i = end;
                    } else {
                        while i < src.len() && src[i] != b'\n' {
                            i += 1;
                        }
                    }
                    continue;
                }
                b'[' => {
                    if let Some(end) = long_bracket_end(src, i) {
                        i = end;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = src.len();
        Err(LexError {
            start: src.len(),
            end: src.len(),
            error: Box::new(ConfError::UnexpectedEof {
                expecting: Expecting::BlockEnd,
            }),
        })
    }
}

/// If a Lua long bracket (`[[`, `[==[`) opens at `i`, the position after its closing bracket.
fn long_bracket_end(src: &[u8], i: usize) -> Option<usize> {
    if src.get(i) != Some(&b'[') {
        return None;
    }
    let mut j = i + 1;
    while src.get(j) == Some(&b'=') {
        j += 1;
    }
    if src.get(j) != Some(&b'[') {
        return None;
    }
    let level = j - i - 1;
    let mut k = j + 1;
    while k < src.len() {
        if src[k] == b']' {
            let mut m = k + 1;
            while src.get(m) == Some(&b'=') {
                m += 1;
            }
            if m - k - 1 == level && src.get(m) == Some(&b']') {
                return Some(m + 1);
            }
        }
        k += 1;
    }
    Some(src.len())
}

/// nginx's copy step: `\"`, `\'` and `\\` lose the backslash, `\t` `\r` `\n` become control
/// characters, any other backslash stays.
fn unescape(raw: &[u8]) -> CompactString {
    if !raw.contains(&b'\\') {
        return text(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' {
            match raw.get(i + 1) {
                Some(&c @ (b'"' | b'\'' | b'\\')) => {
                    out.push(c);
                    i += 2;
                    continue;
                }
                Some(b't') => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                Some(b'r') => {
                    out.push(b'\r');
                    i += 2;
                    continue;
                }
                Some(b'n') => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    text(&out)
}

/// The word as text; `from_utf8_lossy` only when it is not UTF-8, because its general path
/// costs more than the whole tokenizer on ASCII input.
fn text(raw: &[u8]) -> CompactString {
    match std::str::from_utf8(raw) {
        Ok(s) => CompactString::new(s),
        Err(_) => CompactString::from_utf8_lossy(raw),
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> Vec<Result<Token, LexError>> {
        let mut lx = Lexer::new(src.as_bytes());
        let mut out = Vec::new();
        loop {
            let t = lx.next_token();
            let stop = matches!(t, Ok(Token::Eof(_)) | Err(_));
            out.push(t);
            if stop {
                return out;
            }
        }
    }

    fn words(src: &str) -> Vec<String> {
        tokens(src)
            .into_iter()
            .filter_map(|t| match t {
                Ok(Token::Word { value, .. }) => Some(value.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn words_quotes_and_escapes() {
        assert_eq!(
            words(r#"return 200 "a \"b\" c\n" 'x\'y' a\ b;"#),
            vec!["return", "200", "a \"b\" c\n", "x'y", "a\\ b"]
        );
    }

    #[test]
    fn words_of_a_file_that_is_not_utf8() {
        let mut lx = Lexer::new(b"a\xff b 'c\xfe' \xc3\xa9;");
        let mut values = Vec::new();
        while let Ok(Token::Word { value, .. }) = lx.next_token() {
            values.push(value.to_string());
        }
        assert_eq!(values, ["a\u{fffd}", "b", "c\u{fffd}", "\u{e9}"]);
        assert_eq!(words("x 'é\\'' é;"), ["x", "é'", "é"]);
    }

    #[test]
    fn hash_inside_a_word_is_not_a_comment() {
        assert_eq!(words("a#b # comment\nc;"), vec!["a#b", "c"]);
    }

    #[test]
    fn closing_brace_inside_a_word_belongs_to_the_word() {
        assert_eq!(words("return 200 foo};"), vec!["return", "200", "foo}"]);
    }

    #[test]
    fn dollar_brace_does_not_open_a_block() {
        assert_eq!(words("set $a ${b}c;"), vec!["set", "$a", "${b}c"]);
    }

    #[test]
    fn quoted_string_must_be_followed_by_a_separator() {
        let t = tokens(r#"a "b"c;"#);
        let err = t.last().unwrap().clone().unwrap_err();
        assert_eq!(err.error.to_string(), "unexpected \"c\"");
        assert_eq!((err.start, err.end), (5, 6));
    }

    #[test]
    fn unterminated_quote_is_an_end_of_file_error() {
        let t = tokens("a \"b;");
        assert!(t
            .last()
            .unwrap()
            .as_ref()
            .unwrap_err()
            .error
            .to_string()
            .contains("end of file"));
    }

    /// Lengths where nginx 1.22 starts refusing (`nginx -t`): an unquoted word of 4096
    /// bytes, a quoted one of 4095 (4096 with its closing quote).
    #[test]
    fn tokens_that_fill_nginx_buffer_are_refused() {
        let word = |n: usize| "a".repeat(n);
        assert!(tokens(&format!("x {};", word(4095)))
            .iter()
            .all(Result::is_ok));
        let long = tokens(&format!("x {};", word(4096)));
        let err = long.iter().find_map(|t| t.as_ref().err()).expect("refused");
        assert_eq!(
            err.error.to_string(),
            "too long parameter \"aaaaaaaaaa...\" started"
        );
        assert!(tokens(&format!("x \"{}\";", word(4094)))
            .iter()
            .all(Result::is_ok));
        let quoted = tokens(&format!("x \"{}\";", word(4095)));
        let err = quoted
            .iter()
            .find_map(|t| t.as_ref().err())
            .expect("refused");
        assert_eq!(
            err.error.to_string(),
            "too long parameter \"aaaaaaaaaa...\" started"
        );
        let quoted = tokens(&format!("x \"{}\";", word(4096)));
        let err = quoted
            .iter()
            .find_map(|t| t.as_ref().err())
            .expect("refused");
        assert_eq!(
            err.error.to_string(),
            "too long parameter, probably missing terminating \"\"\" character"
        );
    }

    #[test]
    fn spans_cover_quotes() {
        let t = tokens("x 'y';");
        assert_eq!(
            t[1],
            Ok(Token::Word {
                start: 2,
                end: 5,
                value: "y".into(),
                quoted: true
            })
        );
    }

    #[test]
    fn lua_body_skips_braces_in_strings_and_comments() {
        let src = b" local s = \"}\" -- }\n local t = [[ } ]] if x then y() end } rest";
        let mut lx = Lexer::new(src);
        let end = lx.lua_body().unwrap();
        assert_eq!(&src[end..end + 6], b"} rest");
    }
}
