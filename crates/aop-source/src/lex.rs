//! Lexing pieces the nginx and Apache readers share, written as `nom` parsers over bytes.
//! Positions are byte offsets into the whole input ([`position`]), so a token's span is
//! exact even where the text is not UTF-8. Where the two servers differ (what counts as a
//! space, what a backslash does inside quotes, whether an unterminated quote is an error)
//! the difference is a parameter, never a guess: each reader passes its server's rule.

use std::ops::Range;

use nom::bytes::complete::{tag, take_while};
use nom::IResult;

/// A parser over configuration bytes.
pub type LexResult<'a, O> = IResult<&'a [u8], O>;

/// Byte offset of `rest` in `whole`, `rest` being a tail of `whole` (what a parser left).
pub fn position(whole: &[u8], rest: &[u8]) -> usize {
    whole.len() - rest.len()
}

/// Runs `parser` at `at` in `whole`: its output and the byte range it consumed.
pub fn spanned<'a, O>(
    whole: &'a [u8],
    at: usize,
    mut parser: impl FnMut(&'a [u8]) -> LexResult<'a, O>,
) -> Option<(O, Range<usize>)> {
    let (rest, out) = parser(whole.get(at..)?).ok()?;
    Some((out, at..position(whole, rest)))
}

/// nginx's separators (`ngx_conf_read_token`): space, tab, CR and LF.
pub fn is_nginx_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// What separates words on an httpd logical line.
pub fn is_apache_space(b: u8) -> bool {
    b.is_ascii_whitespace()
}

/// A run of spaces (possibly empty) by the dialect's idea of a space. Generic rather than a
/// function pointer, so the test is inlined into the loop: this runs on every byte between
/// words.
pub fn spaces<'a>(
    is_space: impl Fn(u8) -> bool + Copy,
) -> impl Fn(&'a [u8]) -> LexResult<'a, &'a [u8]> {
    move |input| take_while(is_space)(input)
}

/// A run of bytes up to the first space (possibly empty): an unquoted httpd word.
pub fn till_space<'a>(
    is_space: impl Fn(u8) -> bool + Copy,
) -> impl Fn(&'a [u8]) -> LexResult<'a, &'a [u8]> {
    move |input| take_while(move |b| !is_space(b))(input)
}

/// Bytes up to (not including) the next `\n`, or to the end; memchr looks at a word of
/// bytes at a time, which matters on comment-heavy files.
pub fn till_newline(input: &[u8]) -> LexResult<'_, &[u8]> {
    let end = memchr::memchr(b'\n', input).unwrap_or(input.len());
    Ok((&input[end..], &input[..end]))
}

/// A `#` comment: the `#` and everything to the end of the line, the newline left in place.
/// Both servers read `#` as a comment only where a token (nginx) or a line (httpd) starts;
/// the caller decides where that is.
pub fn comment(input: &[u8]) -> LexResult<'_, &[u8]> {
    let (_, _) = tag::<_, _, nom::error::Error<&[u8]>>(&b"#"[..])(input)?;
    let (rest, _) = till_newline(input)?;
    Ok((rest, &input[..position(input, rest)]))
}

/// How a backslash inside a quoted string behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuoteEscapes {
    /// nginx: a backslash takes the next byte with it, whatever it is, so `\\"` ends the
    /// string at the quote.
    NextByte,
    /// httpd (`ap_getword_conf` as this reader follows it): the quote ends the string
    /// unless the byte before it is a backslash.
    BeforeQuote,
}

/// How a dialect reads quoted strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteRules {
    pub escapes: QuoteEscapes,
}

/// A quoted string as read: its body between the quotes, whether it held a backslash, and
/// whether the closing quote was found (an unterminated one runs to the end of the input;
/// nginx refuses that, httpd takes it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quoted<'a> {
    pub quote: u8,
    pub body: &'a [u8],
    pub has_backslash: bool,
    pub closed: bool,
}

/// A string opened by `"` or `'` at the start of the input, to its closing quote.
pub fn quoted<'a>(rules: QuoteRules) -> impl Fn(&'a [u8]) -> LexResult<'a, Quoted<'a>> {
    move |input| {
        let quote = match input.first() {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                return Err(nom::Err::Error(nom::error::Error::new(
                    input,
                    nom::error::ErrorKind::Char,
                )))
            }
        };
        let body = &input[1..];
        let mut i = 0;
        let mut has_backslash = false;
        while let Some(at) = memchr::memchr2(quote, b'\\', &body[i..]) {
            let j = i + at;
            if body[j] == b'\\' {
                has_backslash = true;
                i = match rules.escapes {
                    QuoteEscapes::NextByte => j + 2,
                    QuoteEscapes::BeforeQuote => j + 1,
                };
                if i >= body.len() {
                    break;
                }
                continue;
            }
            let closes = match rules.escapes {
                QuoteEscapes::NextByte => true,
                QuoteEscapes::BeforeQuote => j == 0 || body[j - 1] != b'\\',
            };
            if closes {
                let out = Quoted {
                    quote,
                    body: &body[..j],
                    has_backslash,
                    closed: true,
                };
                return Ok((&body[j + 1..], out));
            }
            i = j + 1;
        }
        let out = Quoted {
            quote,
            body,
            has_backslash,
            closed: false,
        };
        Ok((&input[input.len()..], out))
    }
}

/// One physical line for httpd's `ap_cfg_getline`: its text without the line end (`\n`,
/// or `\r\n`), and whether a backslash right before that end continues it on the next line
/// (the backslash is then not part of the text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhysicalLine<'a> {
    pub text: &'a [u8],
    pub continues: bool,
}

/// The next physical line; the input must not be empty.
pub fn physical_line(input: &[u8]) -> LexResult<'_, PhysicalLine<'_>> {
    let (rest, mut text) = till_newline(input)?;
    let (rest, has_newline) = match rest.split_first() {
        Some((b'\n', after)) => (after, true),
        _ => (rest, false),
    };
    if has_newline {
        if let Some(stripped) = text.strip_suffix(b"\r") {
            text = stripped;
        }
    }
    let continues = has_newline && text.last() == Some(&b'\\');
    if continues {
        text = &text[..text.len() - 1];
    }
    Ok((rest, PhysicalLine { text, continues }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NGINX: QuoteRules = QuoteRules {
        escapes: QuoteEscapes::NextByte,
    };
    const APACHE: QuoteRules = QuoteRules {
        escapes: QuoteEscapes::BeforeQuote,
    };

    #[test]
    fn spans_are_byte_offsets_into_the_whole_input() {
        let src = b"ab  \"c d\" e";
        let (q, range) = spanned(src, 4, quoted(NGINX)).unwrap();
        assert_eq!(q.body, b"c d");
        assert_eq!(range, 4..9);
        assert_eq!(spanned(src, 2, spaces(is_nginx_space)).unwrap().1, 2..4);
        assert!(spanned(src, 99, spaces(is_nginx_space)).is_none());
    }

    #[test]
    fn comments_run_to_the_end_of_the_line_and_leave_it() {
        assert_eq!(
            comment(b"# a { ; }\nx"),
            Ok((&b"\nx"[..], &b"# a { ; }"[..]))
        );
        assert_eq!(comment(b"#"), Ok((&b""[..], &b"#"[..])));
        assert!(comment(b"a#").is_err());
    }

    #[test]
    fn spaces_follow_the_dialect() {
        // A form feed separates httpd's words, not nginx's.
        assert_eq!(spaces(is_nginx_space)(b" \t\r\n\x0cx").unwrap().0, b"\x0cx");
        assert_eq!(spaces(is_apache_space)(b" \x0cx").unwrap().0, b"x");
        assert_eq!(till_space(is_apache_space)(b"a\\b c").unwrap().1, b"a\\b");
    }

    #[test]
    fn a_backslash_escapes_the_next_byte_for_nginx() {
        let (rest, q) = quoted(NGINX)(br#""a\"b\\" c"#).unwrap();
        assert_eq!(q.body, br#"a\"b\\"#);
        assert!(q.closed && q.has_backslash);
        assert_eq!(rest, b" c");
        let (_, q) = quoted(NGINX)(b"'x\\'").unwrap();
        assert!(!q.closed);
    }

    #[test]
    fn for_httpd_only_a_backslash_right_before_the_quote_keeps_it_open() {
        let (rest, q) = quoted(APACHE)(br#""a\"b" c"#).unwrap();
        assert_eq!(
            (q.body, q.closed, rest),
            (&br#"a\"b"#[..], true, &b" c"[..])
        );
        // `\\"` does not close: the quote still follows a backslash.
        let (_, q) = quoted(APACHE)(br#""a\\" b"#).unwrap();
        assert!(!q.closed);
        assert_eq!(q.body, br#"a\\" b"#);
        assert_eq!(quoted(APACHE)(br#""""#).unwrap().1.body, b"");
    }

    #[test]
    fn an_unterminated_quote_runs_to_the_end() {
        for rules in [NGINX, APACHE] {
            let (rest, q) = quoted(rules)(b"\"abc\\").unwrap();
            assert_eq!((rest, q.body, q.closed), (&b""[..], &b"abc\\"[..], false));
        }
        assert!(quoted(NGINX)(b"abc").is_err());
    }

    #[test]
    fn physical_lines_strip_the_line_end_and_see_continuations() {
        let line = |s: &'static [u8]| physical_line(s).unwrap();
        assert_eq!(
            line(b"a \\\r\nb"),
            (
                &b"b"[..],
                PhysicalLine {
                    text: b"a ",
                    continues: true
                }
            )
        );
        // No newline after the backslash: the end of the file, not a continuation.
        assert!(!line(b"a\\").1.continues);
        assert_eq!(line(b"a\\").1.text, b"a\\");
        // A CR without a following LF stays in the text.
        assert_eq!(line(b"a\r").1.text, b"a\r");
        assert!(!line(b"a\\ \n").1.continues);
    }
}
