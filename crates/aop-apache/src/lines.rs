//! Physical lines to logical lines, as httpd's `ap_cfg_getline` does: a backslash right
//! before the newline joins the next line (even on a comment line), the backslash and the
//! newline are dropped, and the next line's indentation is kept as a separator.

use aop_source::lex::physical_line;
use aop_source::FileId;

use crate::mapped::Mapped;

pub fn logical_lines(file: FileId, bytes: &[u8]) -> Vec<Mapped> {
    let mut out = Vec::new();
    let mut current = Mapped::new(file);
    let mut pending = false;
    let mut rest = bytes;
    while !rest.is_empty() {
        let start = bytes.len() - rest.len();
        let Ok((after, line)) = physical_line(rest) else {
            break;
        };
        current.push_exact(line.text, start);
        pending = true;
        if !line.continues {
            out.push(std::mem::replace(&mut current, Mapped::new(file)));
            pending = false;
        }
        rest = after;
    }
    if pending {
        out.push(current);
    }
    out
}

/// Whether a logical line holds nothing to read: blank, or a comment (`#` as the first
/// non-blank character; elsewhere `#` is an ordinary argument character).
pub fn is_blank_or_comment(text: &[u8]) -> bool {
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        None => true,
        Some(b) => *b == b'#',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        logical_lines(FileId(0), src.as_bytes())
            .into_iter()
            .map(|m| String::from_utf8(m.text).unwrap())
            .collect()
    }

    #[test]
    fn backslash_newline_joins_lines_and_keeps_indentation() {
        assert_eq!(texts("a \\\n  b\nc"), vec!["a   b", "c"]);
    }

    #[test]
    fn a_comment_line_continues_too() {
        let lines = texts("# note \\\nServerName x\nY");
        assert_eq!(lines, vec!["# note ServerName x", "Y"]);
        assert!(is_blank_or_comment(lines[0].as_bytes()));
    }

    #[test]
    fn crlf_and_backslash_before_crlf() {
        assert_eq!(texts("a\\\r\nb\r\nc\r\n"), vec!["ab", "c"]);
    }

    #[test]
    fn backslash_followed_by_space_does_not_continue() {
        assert_eq!(texts("a\\ \nb"), vec!["a\\ ", "b"]);
    }

    #[test]
    fn hash_inside_a_line_is_not_a_comment() {
        assert!(!is_blank_or_comment(b"  Header set X #1"));
        assert!(is_blank_or_comment(b"   \t"));
    }

    #[test]
    fn joined_line_spans_point_into_both_physical_lines() {
        let lines = logical_lines(FileId(0), b"ab\\\ncd\n");
        assert_eq!(lines[0].span(1..3).range(), 1..5);
    }
}
