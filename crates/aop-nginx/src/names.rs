//! `server_name` regular expressions that answer hostnames nobody configured.

use aop_model::pcre::Pcre;
use aop_model::{codes, Finding, Label};
use aop_source::Span;

/// Hostnames no operator configures: a regular expression that matches one of them also
/// matches the hostname of another Cloudflare account pointed at this origin.
const PROBES: &[&str] = &["unknown-host.invalid", "www.unknown-host.example"];

/// The first `~regex` server name that matches an arbitrary hostname. nginx matches server
/// names without regard to case; a pattern aop-lint cannot read is reported as not checked
/// rather than guessed at.
pub fn catch_all_name(names: &[(String, Span)], findings: &mut Vec<Finding>) -> Option<Span> {
    for (name, span) in names {
        let Some(pattern) = name.strip_prefix('~') else {
            continue;
        };
        let matched = Pcre::new(pattern, true).map(|re| {
            PROBES
                .iter()
                .map(|p| re.is_match(p))
                .collect::<Option<Vec<bool>>>()
        });
        match matched {
            Some(Some(hits)) => {
                if hits.contains(&true) {
                    return Some(*span);
                }
            }
            _ => findings.push(Finding::new(
                codes::NOT_CHECKED,
                format!("cannot tell which hostnames `{name}` matches: the expression uses syntax aop-lint does not read"),
                Label::new(*span, "not checked"),
            )),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use aop_source::FileId;

    fn check(name: &str) -> (bool, usize) {
        let mut f = Vec::new();
        let names = vec![(name.to_string(), Span::new(FileId(0), 0, 1))];
        (catch_all_name(&names, &mut f).is_some(), f.len())
    }

    #[test]
    fn catch_all_patterns() {
        assert_eq!(check("~.*"), (true, 0));
        assert_eq!(check("~^(?<sub>.+)$"), (true, 0));
        assert_eq!(check("~^(www\\.)?shop\\.example\\.com$"), (false, 0));
        assert_eq!(check("~^(?<sub>.+)\\.example\\.com$"), (false, 0));
        assert_eq!(check("shop.example.com"), (false, 0));
        // PCRE's look-ahead and backreferences are read; what is not is said to be unchecked.
        assert_eq!(check("~^(?!www\\.)(?<domain>.+)$"), (true, 0));
        assert_eq!(check("~^(a)\\1$"), (false, 0));
        assert_eq!(check("~^(?<x>a"), (false, 1));
    }
}
