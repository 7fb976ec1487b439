//! What makes nginx refuse a configuration while reading it, as values: each error's text is
//! nginx's own, built from the message templates in [`wording`], so AOP001 says what
//! `nginx -t` says (the tests below ask the real binary).

use std::borrow::Cow;
use std::fmt;

/// What a token nginx did not expect was expected to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expecting {
    /// Inside a directive: its `;` or the `}` of the enclosing block.
    DirectiveEnd,
    /// Inside a block: its `}`.
    BlockEnd,
}

/// An error that stops nginx reading the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfError {
    UnexpectedEof {
        expecting: Expecting,
    },
    /// A character or token where none may stand (`unexpected "}"`).
    UnexpectedToken {
        token: String,
    },
    /// A token filling nginx's read buffer: `head` is its first ten bytes.
    TooLongParameter {
        head: String,
    },
    /// A quoted token longer than the buffer: the quote is probably never closed.
    TooLongQuoted {
        quote: char,
    },
    UnknownDirective {
        name: String,
    },
    /// The file starts with a UTF-8 byte-order mark, which nginx reads as part of the name.
    ByteOrderMark {
        name: String,
    },
    NestedTooDeep {
        limit: usize,
    },
    NotAllowedHere {
        directive: String,
    },
    InvalidArgumentCount {
        directive: String,
    },
    /// A value other than `on` or `off` for a flag directive.
    InvalidFlag {
        value: String,
        directive: String,
    },
    InvalidValue {
        value: String,
    },
    InvalidParameter {
        value: String,
    },
}

/// The message templates, nginx's wording (`src/core/ngx_conf_file.c` and the modules'
/// handlers); `{}` holes take the error's values in order. Where aop-lint says more than
/// nginx (a limit of its own, a likely cause), the text starts with nginx's words.
pub mod wording {
    pub const UNEXPECTED_EOF: &str = "unexpected end of file, expecting {}";
    pub const EXPECTING_DIRECTIVE_END: &str = "\";\" or \"}\"";
    pub const EXPECTING_BLOCK_END: &str = "\"}\"";
    pub const UNEXPECTED_TOKEN: &str = "unexpected \"{}\"";
    pub const TOO_LONG_PARAMETER: &str = "too long parameter \"{}...\" started";
    pub const TOO_LONG_QUOTED: &str =
        "too long parameter, probably missing terminating \"{}\" character";
    pub const UNKNOWN_DIRECTIVE: &str = "unknown directive \"{}\"";
    pub const BYTE_ORDER_MARK: &str =
        "unknown directive \"{}\" (the file starts with a UTF-8 byte-order mark)";
    pub const NESTED_TOO_DEEP: &str = "blocks nested deeper than {} levels";
    pub const NOT_ALLOWED_HERE: &str = "\"{}\" directive is not allowed here";
    pub const INVALID_ARGUMENT_COUNT: &str = "invalid number of arguments in \"{}\" directive";
    pub const INVALID_FLAG: &str =
        "invalid value \"{}\" in \"{}\" directive, it must be \"on\" or \"off\"";
    pub const INVALID_VALUE: &str = "invalid value \"{}\"";
    pub const INVALID_PARAMETER: &str = "invalid parameter \"{}\"";
}

impl ConfError {
    /// The template and the values for its holes.
    fn parts(&self) -> (&'static str, [Cow<'_, str>; 2]) {
        use wording::*;
        let one = |template, value: &str| (template, [Cow::from(value.to_owned()), Cow::from("")]);
        match self {
            ConfError::UnexpectedEof { expecting } => one(
                UNEXPECTED_EOF,
                match expecting {
                    Expecting::DirectiveEnd => EXPECTING_DIRECTIVE_END,
                    Expecting::BlockEnd => EXPECTING_BLOCK_END,
                },
            ),
            ConfError::UnexpectedToken { token } => one(UNEXPECTED_TOKEN, token),
            ConfError::TooLongParameter { head } => one(TOO_LONG_PARAMETER, head),
            ConfError::TooLongQuoted { quote } => one(TOO_LONG_QUOTED, &quote.to_string()),
            ConfError::UnknownDirective { name } => one(UNKNOWN_DIRECTIVE, name),
            ConfError::ByteOrderMark { name } => one(BYTE_ORDER_MARK, name),
            ConfError::NestedTooDeep { limit } => one(NESTED_TOO_DEEP, &limit.to_string()),
            ConfError::NotAllowedHere { directive } => one(NOT_ALLOWED_HERE, directive),
            ConfError::InvalidArgumentCount { directive } => one(INVALID_ARGUMENT_COUNT, directive),
            ConfError::InvalidFlag { value, directive } => (
                INVALID_FLAG,
                [Cow::from(value.as_str()), Cow::from(directive.as_str())],
            ),
            ConfError::InvalidValue { value } => one(INVALID_VALUE, value),
            ConfError::InvalidParameter { value } => one(INVALID_PARAMETER, value),
        }
    }
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (template, [a, b]) = self.parts();
        aop_source::wording::fill(f, template, &[&a, &b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;
    use aop_source::FileId;
    use std::path::Path;
    use std::process::Command;

    const NGINX: &str = "/usr/sbin/nginx";

    /// The installed nginx; outside CI a missing one skips the comparison.
    fn nginx() -> Option<&'static Path> {
        let nginx = Path::new(NGINX);
        if nginx.is_file() {
            return Some(nginx);
        }
        assert!(
            std::env::var_os("CI").is_none(),
            "{NGINX} not installed under CI"
        );
        eprintln!("SKIPPED: {NGINX} is not installed");
        None
    }

    /// The `[emerg]` message of `nginx -t` on `conf` (written to a file of its own), without
    /// its ` in FILE:LINE` tail; nginx must refuse the file.
    fn nginx_says(nginx: &Path, name: &str, conf: &str) -> String {
        let dir =
            std::env::temp_dir().join(format!("aop-nginx-wording-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("nginx.conf");
        std::fs::write(&file, conf).unwrap();
        let out = Command::new(nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-t")
            .arg("-c")
            .arg(&file)
            .output()
            .expect("nginx -t runs");
        let _ = std::fs::remove_dir_all(&dir);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let emerg = stderr
            .lines()
            .find_map(|l| l.split_once("[emerg] "))
            .unwrap_or_else(|| panic!("{name}: nginx -t accepts it: {stderr}"))
            .1;
        match emerg.rsplit_once(" in ") {
            Some((message, _)) => message.to_string(),
            None => emerg.to_string(),
        }
    }

    fn ours(conf: &str) -> String {
        parse(conf.as_bytes(), FileId(0), 200)
            .error
            .expect("refused")
            .error
            .to_string()
    }

    #[test]
    fn syntax_errors_are_in_nginx_words() {
        let cases = [
            ("eof-directive", "events {}\nhttp { server_tokens off"),
            ("eof-block", "events {}\nhttp {\n"),
            ("close", "events {}\nhttp { server_tokens off }\n"),
            ("semicolon", "events {}\n;\n"),
            (
                "after-quote",
                "events {}\nhttp { server_tokens \"off\"x; }\n",
            ),
            (
                "too-long",
                &format!(
                    "events {{}}\nhttp {{ server_tokens {}; }}\n",
                    "a".repeat(4096)
                ),
            ),
            (
                "too-long-quoted",
                &format!(
                    "events {{}}\nhttp {{ server_tokens '{}'; }}\n",
                    "a".repeat(4096)
                ),
            ),
        ];
        let Some(nginx) = nginx() else {
            return;
        };
        for (name, conf) in cases {
            assert_eq!(ours(conf), nginx_says(nginx, name, conf), "{name}");
        }
    }

    /// Errors found after parsing, by the directives' handlers.
    #[test]
    fn directive_errors_are_in_nginx_words() {
        let Some(nginx) = nginx() else {
            return;
        };
        let cases = [
            (
                "server-at-top",
                "events {}\nserver {}\n",
                ConfError::NotAllowedHere {
                    directive: "server".into(),
                },
            ),
            (
                "flag",
                "events {}\nhttp { ssl_prefer_server_ciphers maybe; }\n",
                ConfError::InvalidFlag {
                    value: "maybe".into(),
                    directive: "ssl_prefer_server_ciphers".into(),
                },
            ),
            (
                "include-arguments",
                "events {}\ninclude a b;\n",
                ConfError::InvalidArgumentCount {
                    directive: "include".into(),
                },
            ),
            (
                "unknown",
                "events {}\nhttp { no_such_directive on; }\n",
                ConfError::UnknownDirective {
                    name: "no_such_directive".into(),
                },
            ),
        ];
        for (name, conf, error) in cases {
            assert_eq!(error.to_string(), nginx_says(nginx, name, conf), "{name}");
        }
    }

    #[test]
    fn values_fill_the_templates_in_order() {
        let e = ConfError::InvalidFlag {
            value: "maybe".into(),
            directive: "ssl".into(),
        };
        assert_eq!(
            e.to_string(),
            "invalid value \"maybe\" in \"ssl\" directive, it must be \"on\" or \"off\""
        );
        assert_eq!(
            ConfError::NestedTooDeep { limit: 200 }.to_string(),
            "blocks nested deeper than 200 levels"
        );
        assert_eq!(
            ConfError::TooLongQuoted { quote: '\'' }.to_string(),
            "too long parameter, probably missing terminating \"'\" character"
        );
    }
}
