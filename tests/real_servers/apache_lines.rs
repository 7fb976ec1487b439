//! Just enough of httpd's reader to find directives and their arguments' byte ranges: a
//! logical line joins physical lines ending in a backslash; a line whose first non-blank
//! character is `#` is a comment; `<Section args>` opens and `</Section>` closes.

use std::ops::Range;

#[derive(Clone, Debug)]
pub struct Word {
    pub text: String,
    pub span: Range<usize>,
}

#[derive(Clone, Debug)]
pub enum Line {
    /// `name` is lower-cased.
    Directive {
        name: String,
        args: Vec<Word>,
        span: Range<usize>,
    },
    Open {
        name: String,
        args: Vec<Word>,
    },
    Close {
        name: String,
        /// Where the closing tag starts.
        at: usize,
    },
}

pub fn lines(src: &str) -> Vec<Line> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        // A logical line ends at a newline not preceded by a backslash.
        let mut end = start;
        while end < bytes.len() {
            if bytes[end] == b'\n'
                && !(end > start && bytes[end - 1] == b'\\')
                && !(end > start + 1 && bytes[end - 1] == b'\r' && bytes[end - 2] == b'\\')
            {
                break;
            }
            end += 1;
        }
        if let Some(line) = logical(src, start..end) {
            out.push(line);
        }
        start = end + 1;
    }
    out
}

fn logical(src: &str, range: Range<usize>) -> Option<Line> {
    let words = words(src, range.clone());
    let first = words.first()?;
    if first.text.starts_with('#') {
        return None;
    }
    if let Some(rest) = first.text.strip_prefix("</") {
        return Some(Line::Close {
            at: first.span.start,
            name: rest.trim_end_matches('>').to_ascii_lowercase(),
        });
    }
    if let Some(rest) = first.text.strip_prefix('<') {
        let mut args: Vec<Word> = words[1..].to_vec();
        let name = rest.trim_end_matches('>').to_ascii_lowercase();
        if let Some(last) = args.last_mut() {
            if last.text.ends_with('>') {
                last.text.pop();
                last.span.end -= 1;
                if last.text.is_empty() {
                    args.pop();
                }
            }
        }
        // `<VirtualHost "a:1">`: the closing `>` sat outside the quotes.
        for a in &mut args {
            if a.text.starts_with('"') && a.text.ends_with('"') && a.text.len() >= 2 {
                a.text = a.text[1..a.text.len() - 1].to_string();
            }
        }
        return Some(Line::Open { name, args });
    }
    let span = first.span.start..words.last().map(|w| w.span.end).unwrap_or(range.end);
    Some(Line::Directive {
        name: first.text.to_ascii_lowercase(),
        args: words[1..].to_vec(),
        span,
    })
}

fn words(src: &str, range: Range<usize>) -> Vec<Word> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = range.start;
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    while i < range.end {
        if blank(bytes[i]) || (bytes[i] == b'\\' && i + 1 < range.end && blank(bytes[i + 1])) {
            i += 1;
            continue;
        }
        let start = i;
        let quote = bytes[i];
        if quote == b'"' || quote == b'\'' {
            i += 1;
            while i < range.end && bytes[i] != quote {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            let end = (i + 1).min(range.end);
            let inner = src[start + 1..end.saturating_sub(1).max(start + 1)].to_string();
            // A `>` glued to the closing quote belongs to the section syntax.
            let mut end = end;
            if end < range.end && bytes[end] == b'>' {
                end += 1;
                out.push(Word {
                    text: format!("{inner}>"),
                    span: start..end,
                });
            } else {
                out.push(Word {
                    text: inner,
                    span: start..end,
                });
            }
            i = end;
            continue;
        }
        while i < range.end && !blank(bytes[i]) {
            i += 1;
        }
        out.push(Word {
            text: src[start..i].to_string(),
            span: start..i,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_continuations_and_comments() {
        let src = "# c\nListen 443 https\n<VirtualHost *:443 [::]:443>\n  ServerName a \\\n   b\n</VirtualHost>\n";
        let l = lines(src);
        assert_eq!(l.len(), 4);
        match &l[1] {
            Line::Open { name, args } => {
                assert_eq!(name, "virtualhost");
                let t: Vec<_> = args.iter().map(|a| a.text.as_str()).collect();
                assert_eq!(t, ["*:443", "[::]:443"]);
                assert_eq!(&src[args[1].span.clone()], "[::]:443");
            }
            other => panic!("{other:?}"),
        }
        match &l[2] {
            Line::Directive { name, args, .. } => {
                assert_eq!(name, "servername");
                assert_eq!(args.len(), 2);
            }
            other => panic!("{other:?}"),
        }
    }
}
