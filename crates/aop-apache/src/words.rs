//! Splitting a logical line into words, as httpd's `ap_getword_conf` does: whitespace
//! separates; a word starting with `"` or `'` runs to the same quote not preceded by a
//! backslash (or to the end of the line when unterminated, which httpd accepts); inside it
//! only `\"` (or `\'`) loses its backslash. Unquoted words keep every backslash.

use std::ops::Range;

use aop_source::lex::{self, is_apache_space, QuoteEscapes, QuoteRules};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub value: String,
    /// Bytes of the line the word occupies, quotes included.
    pub range: Range<usize>,
    pub quoted: bool,
}

/// httpd's quotes: the quote ends the word unless a backslash stands right before it.
const QUOTES: QuoteRules = QuoteRules {
    escapes: QuoteEscapes::BeforeQuote,
};

pub fn split_words(text: &[u8]) -> Vec<Word> {
    let mut words = Vec::new();
    let mut rest = lex::spaces(is_apache_space)(text).map_or(text, |(r, _)| r);
    while !rest.is_empty() {
        let start = lex::position(text, rest);
        let quoted = matches!(rest[0], b'"' | b'\'');
        let word = match quoted.then(|| lex::quoted(QUOTES)(rest)) {
            Some(Ok((after, q))) => {
                rest = after;
                Word {
                    value: as_text(&unescape_quote(q.body, q.quote)),
                    range: start..lex::position(text, after),
                    quoted: true,
                }
            }
            _ => {
                let (after, bare) = lex::till_space(is_apache_space)(rest).unwrap_or((&[], rest));
                rest = after;
                Word {
                    value: as_text(bare),
                    range: start..lex::position(text, after),
                    quoted: false,
                }
            }
        };
        words.push(word);
        rest = lex::spaces(is_apache_space)(rest).map_or(rest, |(r, _)| r);
    }
    words
}

/// A word as text, invalid UTF-8 replaced. Almost every word is ASCII, which the standard
/// check passes a machine word at a time; the replacing one goes byte by byte.
fn as_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(valid) => valid.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn unescape_quote(inner: &[u8], quote: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        if inner[i] == b'\\' && inner.get(i + 1) == Some(&quote) {
            i += 1;
        }
        out.push(inner[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(s: &str) -> Vec<String> {
        split_words(s.as_bytes())
            .into_iter()
            .map(|w| w.value)
            .collect()
    }

    #[test]
    fn splits_on_whitespace_and_quotes() {
        assert_eq!(
            values("  LogFormat \"%h \\\"%r\\\"\" 'a b' c\\d"),
            vec!["LogFormat", "%h \"%r\"", "a b", "c\\d"]
        );
    }

    #[test]
    fn unterminated_quote_runs_to_end_of_line() {
        let w = split_words(b"SSLCipherSuite \"EECDH+a RS$");
        assert_eq!(w[1].value, "EECDH+a RS$");
        assert_eq!(w[1].range, 15..27);
    }

    #[test]
    fn text_right_after_a_closing_quote_starts_a_new_word() {
        assert_eq!(values("\"a\"b"), vec!["a", "b"]);
    }

    #[test]
    fn ranges_include_quotes() {
        let w = split_words(b"X \"ab\"");
        assert_eq!(w[1].range, 2..6);
        assert!(w[1].quoted);
    }

    #[test]
    fn non_utf8_bytes_do_not_break_splitting() {
        let w = split_words(b"A \xff\xfe B");
        assert_eq!(w.len(), 3);
        assert_eq!(w[2].range, 5..6);
    }
}
