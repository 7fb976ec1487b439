//! Where a string names variables, read as nginx's script compiler reads it
//! (`ngx_http_script_compile`): `$name` or `${name}`, a name of letters, digits and `_`;
//! `$1`..`$9` are regex captures, not variables.

use std::ops::Range;

/// A variable a string refers to: its name, lowercase as nginx compares names, and the byte
/// range of the reference (`$` included) in the string.
#[derive(Debug, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub at: Range<usize>,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The variables `text` refers to. A `$` nginx would refuse for another reason (no name, an
/// unclosed `${`) names none: that is a different start error, not an unknown variable.
pub fn references(text: &str) -> Vec<Reference> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'$') {
        let start = i + off;
        i = start + 1;
        match b.get(i) {
            Some(b'1'..=b'9') => {
                i += 1;
                continue;
            }
            Some(b'{') => {
                let name_start = i + 1;
                let len = b[name_start..]
                    .iter()
                    .take_while(|&&c| is_name_byte(c))
                    .count();
                let close = name_start + len;
                if len == 0 || b.get(close) != Some(&b'}') {
                    continue;
                }
                i = close + 1;
                push(&mut out, &text[name_start..close], start..i);
            }
            _ => {
                let len = b[i..].iter().take_while(|&&c| is_name_byte(c)).count();
                if len == 0 {
                    continue;
                }
                let name = &text[i..i + len];
                i += len;
                push(&mut out, name, start..i);
            }
        }
    }
    out
}

fn push(out: &mut Vec<Reference>, name: &str, at: Range<usize>) {
    // A name starting with a digit past `$9` (`$10`, `$0`) is still a capture to nginx's
    // regex code or an invalid name; neither is an unknown variable.
    if name.as_bytes()[0].is_ascii_digit() {
        return;
    }
    out.push(Reference {
        name: name.to_ascii_lowercase(),
        at,
    });
}

/// The named captures of a regex (`(?<name>...)`, `(?P<name>...)`, `(?'name'...)`): nginx
/// defines a variable for each when it compiles the regex, wherever it stands.
pub fn named_captures(text: &str) -> impl Iterator<Item = String> + '_ {
    // Every argument of a regex-taking directive passes here: a memchr scan for `(` costs
    // a fraction of a substring search, which the optimizer does not always inline.
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'(', bytes).filter_map(|at| {
        if bytes.get(at + 1) != Some(&b'?') {
            return None;
        }
        let rest = &text[at + 2..];
        let (rest, close) = if let Some(r) = rest.strip_prefix("P<") {
            (r, '>')
        } else if let Some(r) = rest.strip_prefix('<') {
            (r, '>')
        } else if let Some(r) = rest.strip_prefix('\'') {
            (r, '\'')
        } else {
            return None;
        };
        let len = rest.bytes().take_while(|&c| is_name_byte(c)).count();
        (len > 0 && rest[len..].starts_with(close)).then(|| rest[..len].to_ascii_lowercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        references(text).into_iter().map(|r| r.name).collect()
    }

    #[test]
    fn references_are_read_as_nginx_compiles_scripts() {
        assert_eq!(
            names("$scheme://$Host$request_uri"),
            ["scheme", "host", "request_uri"]
        );
        assert_eq!(names("${tail}x$1$2y"), ["tail"]);
        assert_eq!(names("a $ b, ${open, $, ^/x$"), Vec::<String>::new());
        assert_eq!(names("$10 $0"), Vec::<String>::new());
        let r = &references("up $connection_upgrade;")[0];
        assert_eq!(r.at, 3..22);
    }

    #[test]
    fn named_captures_in_every_spelling() {
        let found: Vec<String> =
            named_captures(r"^/(?<Tail>.*)/(?P<id>\d+)(?'x'y)(?:z)(?<>)").collect();
        assert_eq!(found, ["tail", "id", "x"]);
    }
}
