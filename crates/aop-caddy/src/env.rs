//! `{$VAR}` and `{$VAR:default}`: Caddy fills them from its own environment when it reads the
//! Caddyfile. That environment is not the linter's, so a variable without a default is not
//! known: it is said, never guessed. A default is what Caddy uses when the variable is unset.

use aop_model::{codes, Finding, Label};
use aop_source::Span;

use crate::lexer::Token;

pub fn substitute_env(tokens: &mut [Token], findings: &mut Vec<Finding>) {
    for t in tokens.iter_mut().filter(|t| t.text.contains("{$")) {
        let mut out = String::new();
        let mut rest = t.text.as_str();
        while let Some(at) = rest.find("{$") {
            let Some(len) = rest[at..].find('}') else {
                break;
            };
            out.push_str(&rest[..at]);
            let inner = &rest[at + 2..at + len];
            match inner.split_once(':') {
                Some((_, default)) => out.push_str(default),
                None => {
                    out.push_str(&rest[at..at + len + 1]);
                    findings.push(unknown(t.span, inner));
                }
            }
            rest = &rest[at + len + 1..];
        }
        out.push_str(rest);
        t.text = out;
    }
}

fn unknown(span: Span, name: &str) -> Finding {
    Finding::new(
        codes::NOT_CHECKED,
        format!("`{{${name}}}` comes from Caddy's environment, which is not known here: what depends on it was not checked"),
        Label::new(span, "environment variable without a default"),
    )
    .with_help(format!("give it a default (`{{${name}:value}}`), or lint the Caddyfile with the value written in"))
}

#[cfg(test)]
mod tests {
    use aop_source::FileId;

    use super::*;
    use crate::lexer::tokenize;

    #[test]
    fn defaults_are_used_and_unknown_variables_said() {
        let mut t = tokenize(FileId(0), b"{$HOST:a.com}:{$PORT} x").unwrap();
        let mut findings = Vec::new();
        substitute_env(&mut t, &mut findings);
        assert_eq!(t[0].text, "a.com:{$PORT}");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, "AOP004");
    }
}
