//! Regular expressions as nginx and httpd read them: both compile with PCRE, whose syntax
//! goes beyond the `regex` crate's (look-around, backreferences). `fancy-regex` reads those
//! too; what it cannot read, or a match that exceeds its backtracking bound, is undecided,
//! never a guess.

/// A compiled server-name, `map` or `RewriteCond` pattern.
pub struct Pcre(fancy_regex::Regex);

/// Backtracking steps a single match may take: generous for real patterns, bounded for
/// hostile ones.
const BACKTRACK_LIMIT: usize = 100_000;

impl Pcre {
    /// `None` for a pattern aop-lint cannot read. `caseless`: nginx's server names and
    /// `~*`, httpd's `[NC]`.
    pub fn new(pattern: &str, caseless: bool) -> Option<Pcre> {
        // The inline flag, not the builder's: fancy-regex applies the builder's only to the
        // parts it hands to `regex`, not to a look-ahead it runs itself.
        let pattern = if caseless {
            format!("(?i){pattern}")
        } else {
            pattern.to_string()
        };
        fancy_regex::RegexBuilder::new(&pattern)
            .backtrack_limit(BACKTRACK_LIMIT)
            .delegate_size_limit(1 << 20)
            .build()
            .ok()
            .map(Pcre)
    }

    /// `None` when the match could not be finished within the bound.
    pub fn is_match(&self, text: &str) -> Option<bool> {
        self.0.is_match(text).ok()
    }

    /// The numbered groups of the first match (`$1`..), `None` when there is none or it
    /// could not be decided.
    pub fn captures(&self, text: &str) -> Option<Vec<Option<String>>> {
        let caps = self.0.captures(text).ok()??;
        Some(
            caps.iter()
                .map(|m| m.map(|m| m.as_str().to_string()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Pcre;

    #[test]
    fn reads_what_pcre_reads() {
        let not_www = Pcre::new(r"^(?!www\.)(?<domain>.+)$", true).expect("look-ahead");
        assert_eq!(not_www.is_match("shop.example.com"), Some(true));
        assert_eq!(not_www.is_match("WWW.example.com"), Some(false));
        let twice = Pcre::new(r"^(a+)\1$", false).expect("backreference");
        assert_eq!(twice.is_match("aaaa"), Some(true));
        assert_eq!(twice.is_match("aaa"), Some(false));
        assert!(Pcre::new("(unclosed", false).is_none());
    }

    #[test]
    fn a_runaway_match_is_undecided() {
        let re = Pcre::new(r"^(a|a)*\1b$", false).expect("compiles");
        assert_eq!(re.is_match(&"a".repeat(40)), None);
    }
}
