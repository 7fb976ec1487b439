//! Where a `<Macro>`'s body ends, as mod_macro finds it (`get_lines_till_end_token`): at the
//! `</Macro>` that matches its opener, counting the `<Macro` openers of macros defined inside
//! it. Such an inner macro is part of the body and is defined only when the outer one is
//! used (Debian's httpd 2.4: `apache2 -t` says "Syntax OK" and `Use` of the inner macro
//! works after, and only after, a `Use` of the outer one).

use crate::mapped::Mapped;
use crate::words::split_words;

/// The index in `lines` (the lines after a `<Macro ...>` opener) of the `</Macro>` closing
/// it, or `None` when the file ends first. mod_macro compares the first word whole and
/// without regard to case: `</Macro >` closes nothing and `<Macro>` (no name, so the word is
/// `<Macro>`) opens nothing.
pub fn closing_line(lines: &[Mapped]) -> Option<usize> {
    let mut depth = 1usize;
    for (i, line) in lines.iter().enumerate() {
        let words = split_words(&line.text);
        let Some(first) = words.first() else { continue };
        // A comment line is not read by mod_macro (httpd strips the indentation before).
        if first.value.starts_with('#') && !first.quoted {
            continue;
        }
        if first.value.eq_ignore_ascii_case("</macro>") {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        } else if first.value.eq_ignore_ascii_case("<macro") {
            depth += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::closing_line;
    use crate::lines::logical_lines;
    use aop_source::FileId;

    fn close(body: &str) -> Option<usize> {
        closing_line(&logical_lines(FileId(0), body.as_bytes()))
    }

    #[test]
    fn the_matching_close_ends_the_body() {
        assert_eq!(close("ServerName a\n</Macro>\nUse A\n"), Some(1));
        assert_eq!(close("ServerName a\n</MACRO> trailing\n"), Some(1));
    }

    #[test]
    fn an_inner_macro_is_part_of_the_body() {
        let body = "<Macro Inner $n>\nServerName $n\n</Macro>\nUse Inner a\n</Macro>\n";
        assert_eq!(close(body), Some(4));
        let three = "<macro L2>\n<MACRO L3>\nServerName x\n</macro>\n</Macro>\n</Macro>\n";
        assert_eq!(close(three), Some(5));
    }

    #[test]
    fn only_whole_words_count() {
        // `</Macro >` does not close: httpd reports the macro unclosed.
        assert_eq!(close("ServerName a\n</Macro >\n"), None);
        // `<Macro>` without a name does not open a level.
        assert_eq!(close("<Macro>\n</Macro>\n"), Some(1));
        assert_eq!(
            close("# <Macro B>\n  #<Macro C\nServerName a\n</Macro>\n"),
            Some(3)
        );
    }

    #[test]
    fn an_unclosed_inner_macro_leaves_the_outer_unclosed() {
        assert_eq!(close("<Macro Inner>\nServerName a\n</Macro>\n"), None);
    }
}
