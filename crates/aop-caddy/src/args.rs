//! `import snippet a b c`: `{args[0]}`, `{args.0}`, and `{args[:]}` / `{args[1:]}` (which
//! become one token per argument) in the imported tokens.

use crate::lexer::Token;

pub fn substitute_args(tokens: Vec<Token>, args: &[Token], instance: u32) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    for mut t in tokens {
        t.instance = instance;
        if let Some(range) = slice(&t.text, args.len()) {
            for a in &args[range] {
                let mut piece = t.clone();
                piece.text = a.text.clone();
                out.push(piece);
            }
            continue;
        }
        if t.text.contains("{args") {
            t.text = replace_indexes(&t.text, args);
        }
        out.push(t);
    }
    out
}

/// `{args[a:b]}` with either bound optional.
fn slice(text: &str, len: usize) -> Option<std::ops::Range<usize>> {
    let inner = text.strip_prefix("{args[")?.strip_suffix("]}")?;
    let (a, b) = inner.split_once(':')?;
    let a = if a.is_empty() { 0 } else { a.parse().ok()? };
    let b = if b.is_empty() { len } else { b.parse().ok()? };
    (a <= b && b <= len).then_some(a..b)
}

fn replace_indexes(text: &str, args: &[Token]) -> String {
    let mut out = text.to_string();
    for (i, a) in args.iter().enumerate() {
        out = out
            .replace(&format!("{{args[{i}]}}"), &a.text)
            .replace(&format!("{{args.{i}}}"), &a.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use aop_source::FileId;

    use super::*;
    use crate::lexer::tokenize;

    #[test]
    fn indexes_and_slices() {
        let body = tokenize(
            FileId(0),
            b"reverse_proxy {args[0]} {args.1} x{args[0]}y\nto {args[1:]}",
        )
        .unwrap();
        let args = tokenize(FileId(1), b"a b c").unwrap();
        let got: Vec<String> = substitute_args(body, &args, 7)
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(got, ["reverse_proxy", "a", "b", "xay", "to", "b", "c"]);
    }
}
