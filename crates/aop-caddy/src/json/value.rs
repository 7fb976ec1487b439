//! JSON into a tree that keeps, for every value and object key, the bytes it was written in:
//! a finding on a Caddy JSON config points at the value the user wrote. Tokens (strings,
//! numbers, literals, whitespace) are nom parsers; objects and arrays are walked by hand so
//! that an error says where and why in the words of Go's `encoding/json`, which is what
//! Caddy prints ("config is not valid JSON: invalid character ']' looking for beginning of
//! value, at offset 56").

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1, take_while_m_n};
use nom::character::complete::{char, digit0, digit1, multispace0, one_of};
use nom::combinator::{opt, recognize};
use nom::sequence::{pair, preceded, tuple};
use nom::IResult;

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// As written: Caddy reads some numbers as durations or strings.
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<Member>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: Kind,
    /// Byte offsets into the file.
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_start: usize,
    pub key_end: usize,
    pub value: Value,
}

impl Value {
    /// The member `key` of an object (the last one when written twice, as Go takes it).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.members()
            .iter()
            .rev()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    pub fn members(&self) -> &[Member] {
        match &self.kind {
            Kind::Object(m) => m,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Value] {
        match &self.kind {
            Kind::Array(v) => v,
            _ => &[],
        }
    }

    pub fn str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_true(&self) -> bool {
        self.kind == Kind::Bool(true)
    }

    /// What Go calls the value's type in its decoding errors.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "bool",
            Kind::Number(_) => "number",
            Kind::String(_) => "string",
            Kind::Array(_) => "array",
            Kind::Object(_) => "object",
        }
    }
}

/// Why the bytes are not JSON, and where (a byte offset into the file).
#[derive(Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub at: usize,
    /// Nested deeper than the limit: valid JSON perhaps, but not read.
    pub too_deep: bool,
}

impl SyntaxError {
    /// Go counts the offset as the bytes read, the offending one included.
    pub fn go_offset(&self, len: usize) -> usize {
        (self.at + 1).min(len)
    }
}

pub fn parse(bytes: &[u8], max_depth: usize) -> Result<Value, SyntaxError> {
    let mut p = Parser {
        all: bytes,
        pos: 0,
        max_depth,
    };
    p.skip_ws();
    let value = p.value(0, "looking for beginning of value")?;
    p.skip_ws();
    if p.pos < bytes.len() {
        return Err(p.invalid("after top-level value"));
    }
    Ok(value)
}

fn ws(i: &[u8]) -> IResult<&[u8], &[u8]> {
    multispace0(i)
}

fn number(i: &[u8]) -> IResult<&[u8], &[u8]> {
    recognize(tuple((
        opt(char('-')),
        alt((tag("0"), recognize(pair(one_of("123456789"), digit0)))),
        opt(preceded(char('.'), digit1)),
        opt(tuple((one_of("eE"), opt(one_of("+-")), digit1))),
    )))(i)
}

/// The run of a string's bytes up to a quote, a backslash or a control character.
fn plain_run(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while1(|b| b != b'"' && b != b'\\' && b >= 0x20)(i)
}

fn hex4(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while_m_n(4, 4, |b: u8| b.is_ascii_hexdigit())(i)
}

fn literal_letters(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(|b: u8| b.is_ascii_alphabetic())(i)
}

struct Parser<'a> {
    all: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a [u8] {
        &self.all[self.pos..]
    }

    fn advance_to(&mut self, rest: &'a [u8]) {
        self.pos = self.all.len() - rest.len();
    }

    fn skip_ws(&mut self) {
        let rest = ws(self.rest()).map_or(self.rest(), |(r, _)| r);
        self.advance_to(rest);
    }

    fn peek(&self) -> Option<u8> {
        self.all.get(self.pos).copied()
    }

    fn invalid(&self, context: &str) -> SyntaxError {
        match self.peek() {
            None => self.eof(),
            Some(b) => SyntaxError {
                message: format!("invalid character {} {context}", quote_char(b)),
                at: self.pos,
                too_deep: false,
            },
        }
    }

    fn eof(&self) -> SyntaxError {
        SyntaxError {
            message: "unexpected end of JSON input".into(),
            at: self.all.len().saturating_sub(1),
            too_deep: false,
        }
    }

    fn value(&mut self, depth: usize, context: &str) -> Result<Value, SyntaxError> {
        let start = self.pos;
        let kind = match self.peek() {
            None => return Err(self.eof()),
            Some(b'{') | Some(b'[') if depth >= self.max_depth => {
                return Err(SyntaxError {
                    message: format!("JSON nested deeper than {} levels", self.max_depth),
                    at: self.pos,
                    too_deep: true,
                })
            }
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't' | b'f' | b'n') => self.literal()?,
            Some(_) => return Err(self.invalid(context)),
        };
        Ok(Value {
            kind,
            start,
            end: self.pos,
        })
    }

    fn number(&mut self) -> Result<Kind, SyntaxError> {
        match number(self.rest()) {
            Ok((rest, text)) => {
                let text = String::from_utf8_lossy(text).into_owned();
                self.advance_to(rest);
                Ok(Kind::Number(text))
            }
            Err(_) => {
                // Only a lone `-` fails here: the byte after it is the wrong one.
                self.pos += 1;
                Err(self.invalid("in numeric literal"))
            }
        }
    }

    fn literal(&mut self) -> Result<Kind, SyntaxError> {
        let (_, letters) = literal_letters(self.rest()).unwrap_or((&[], &[]));
        let (word, kind) = match self.peek() {
            Some(b't') => ("true", Kind::Bool(true)),
            Some(b'f') => ("false", Kind::Bool(false)),
            _ => ("null", Kind::Null),
        };
        for (i, want) in word.bytes().enumerate() {
            match letters.get(i) {
                Some(&b) if b == want => {}
                _ => {
                    self.pos += i;
                    return Err(self.invalid(&format!(
                        "in literal {word} (expecting {})",
                        quote_char(want)
                    )));
                }
            }
        }
        self.pos += word.len();
        Ok(kind)
    }

    /// A string at `"`: its decoded text. Invalid UTF-8 becomes U+FFFD, as Go does.
    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            if let Ok((rest, run)) = plain_run(self.rest()) {
                out.extend_from_slice(run);
                self.advance_to(rest);
            }
            match self.peek() {
                None => return Err(self.eof()),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.invalid("in string literal")),
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), SyntaxError> {
        let simple = match self.peek() {
            None => return Err(self.eof()),
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 0x08,
            Some(b'f') => 0x0c,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => {
                self.pos += 1;
                let c = self.hex()?;
                let c = if (0xD800..0xDC00).contains(&c) {
                    self.low_surrogate(c)
                } else {
                    char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER)
                };
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                return Ok(());
            }
            Some(_) => return Err(self.invalid("in string escape code")),
        };
        self.pos += 1;
        out.push(simple);
        Ok(())
    }

    fn hex(&mut self) -> Result<u32, SyntaxError> {
        match hex4(self.rest()) {
            Ok((rest, digits)) => {
                self.advance_to(rest);
                let text = std::str::from_utf8(digits).unwrap_or("FFFD");
                Ok(u32::from_str_radix(text, 16).unwrap_or(0xFFFD))
            }
            Err(_) => {
                // The first byte that is not a hex digit is the one Go names.
                let bad = self
                    .rest()
                    .iter()
                    .take(4)
                    .position(|b| !b.is_ascii_hexdigit());
                self.pos += bad.unwrap_or(0);
                Err(self.invalid("in \\u hexadecimal character escape"))
            }
        }
    }

    /// A high surrogate pairs with a `\uDC00`-`\uDFFF` right after it; alone it is U+FFFD.
    fn low_surrogate(&mut self, high: u32) -> char {
        let rest = self.rest();
        if rest.starts_with(b"\\u") {
            if let Ok((after, digits)) = hex4(&rest[2..]) {
                let low = std::str::from_utf8(digits)
                    .ok()
                    .and_then(|t| u32::from_str_radix(t, 16).ok())
                    .unwrap_or(0);
                if (0xDC00..0xE000).contains(&low) {
                    self.advance_to(after);
                    let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    return char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER);
                }
            }
        }
        char::REPLACEMENT_CHARACTER
    }

    fn object(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        self.pos += 1;
        self.skip_ws();
        let mut members = Vec::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Kind::Object(members));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.invalid("looking for beginning of object key string"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_end = self.pos;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.invalid("after object key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1, "looking for beginning of value")?;
            members.push(Member {
                key,
                key_start,
                key_end,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Kind::Object(members));
                }
                _ => return Err(self.invalid("after object key:value pair")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        self.pos += 1;
        self.skip_ws();
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Kind::Array(items));
        }
        loop {
            items.push(self.value(depth + 1, "looking for beginning of value")?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Kind::Array(items));
                }
                _ => return Err(self.invalid("after array element")),
            }
        }
    }
}

/// A byte as Go's `encoding/json` quotes it in an error: `'x'`, `'\''`, `'"'`, `'\n'`,
/// `'\x00'`; a byte of a multi-byte character as its code.
fn quote_char(b: u8) -> String {
    match b {
        b'\'' => r"'\''".into(),
        b'"' => "'\"'".into(),
        b'\n' => r"'\n'".into(),
        b'\r' => r"'\r'".into(),
        b'\t' => r"'\t'".into(),
        0x20..=0x7e => format!("'{}'", b as char),
        _ => format!("'\\x{b:02x}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (String, usize) {
        let e = parse(text.as_bytes(), 64).unwrap_err();
        let offset = e.go_offset(text.len());
        (e.message, offset)
    }

    #[test]
    fn values_keep_their_bytes() {
        let text = r#" {"a": [1, "x\n", true, null], "b": {"c": -2.5e3}} "#;
        let v = parse(text.as_bytes(), 64).unwrap();
        let a = v.get("a").unwrap();
        assert_eq!(&text[a.start..a.end], r#"[1, "x\n", true, null]"#);
        assert_eq!(a.items()[1].str(), Some("x\n"));
        assert_eq!(&text[a.items()[1].start..a.items()[1].end], r#""x\n""#);
        let c = v.get("b").unwrap().get("c").unwrap();
        assert_eq!(c.kind, Kind::Number("-2.5e3".into()));
        let m = &v.members()[1];
        assert_eq!(&text[m.key_start..m.key_end], r#""b""#);
    }

    #[test]
    fn escapes_decode_like_go() {
        let v = parse(br#""\u00e9\ud83d\ude00\ud800x\/""#, 8).unwrap();
        assert_eq!(v.str(), Some("é😀\u{fffd}x/"));
        let v = parse(b"\"\xff\"", 8).unwrap();
        assert_eq!(v.str(), Some("\u{fffd}"));
    }

    /// Messages and offsets as Caddy 2.11.7 printed them for these inputs.
    #[test]
    fn errors_say_what_caddy_says() {
        assert_eq!(
            err(r#"{"apps": {"http": {"servers": {"a": {"listen": [":443",]}}}}}"#),
            (
                "invalid character ']' looking for beginning of value".into(),
                56
            )
        );
        assert_eq!(
            err(r#"{"apps": {"http": "#),
            ("unexpected end of JSON input".into(), 18)
        );
        assert_eq!(err("{\"a\" 1}").0, "invalid character '1' after object key");
        assert_eq!(
            err("{\"a\":1 x").0,
            "invalid character 'x' after object key:value pair"
        );
        assert_eq!(err("[1 2]").0, "invalid character '2' after array element");
        assert_eq!(
            err("{1:2}").0,
            "invalid character '1' looking for beginning of object key string"
        );
        assert_eq!(
            err("tru ").0,
            "invalid character ' ' in literal true (expecting 'e')"
        );
        assert_eq!(
            err("{} {}").0,
            "invalid character '{' after top-level value"
        );
        assert_eq!(err("-x").0, "invalid character 'x' in numeric literal");
        assert_eq!(
            err("\"\\q\"").0,
            "invalid character 'q' in string escape code"
        );
        assert_eq!(err("").0, "unexpected end of JSON input");
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(100_000);
        let e = parse(deep.as_bytes(), 64).unwrap_err();
        assert!(e.too_deep, "{}", e.message);
    }
}
