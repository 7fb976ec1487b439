//! What makes httpd refuse a configuration while reading its sections and directives, as
//! values: each error's text is httpd's own (`server/config.c`, `server/core.c`), built from
//! the templates in [`wording`]; the tests below ask the real `apache2 -t`.

use std::fmt;

/// An error that stops httpd reading the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfError {
    /// A section still open at the end of its file.
    NotClosed { section: String },
    /// A section tag (`<Name args` or `</Name`) without its `>`.
    MissingClosingBracket { tag: String },
    /// A closing tag with no section open.
    ClosingWithoutOpening { section: String },
    /// A closing tag for another section than the one open.
    Mismatched { expected: String, saw: String },
    /// A directive no loaded module provides.
    InvalidCommand { name: String },
}

/// httpd's wording; `{}` holes take the error's values in order. Section names are as the
/// tree writes them.
pub mod wording {
    pub const NOT_CLOSED: &str = "<{}> was not closed.";
    pub const MISSING_CLOSING_BRACKET: &str = "{}> directive missing closing '>'";
    pub const CLOSING_WITHOUT_OPENING: &str = "</{}> without matching <{}> section";
    pub const MISMATCHED: &str = "Expected </{}> but saw </{}>";
    pub const INVALID_COMMAND: &str = "Invalid command '{}', perhaps misspelled or defined by a module not included in the server configuration";
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use wording::*;
        let fill = aop_source::wording::fill;
        match self {
            ConfError::NotClosed { section } => fill(f, NOT_CLOSED, &[section]),
            ConfError::MissingClosingBracket { tag } => fill(f, MISSING_CLOSING_BRACKET, &[tag]),
            ConfError::ClosingWithoutOpening { section } => {
                fill(f, CLOSING_WITHOUT_OPENING, &[section, section])
            }
            ConfError::Mismatched { expected, saw } => fill(f, MISMATCHED, &[expected, saw]),
            ConfError::InvalidCommand { name } => fill(f, INVALID_COMMAND, &[name]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    const APACHE: &str = "/usr/sbin/apache2";
    const MPM: &str = "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n";

    /// What `apache2 -t` says about `conf` after the place (`Syntax error on line N of
    /// FILE:`), which it may print on the same line or the next.
    fn apache_says(name: &str, conf: &str) -> String {
        let dir =
            std::env::temp_dir().join(format!("aop-apache-wording-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("apache2.conf");
        std::fs::write(&file, format!("{MPM}{conf}")).unwrap();
        let out = Command::new(APACHE)
            .arg("-t")
            .arg("-f")
            .arg(&file)
            .output()
            .expect("apache2 -t runs");
        let _ = std::fs::remove_dir_all(&dir);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: apache2 -t accepts it");
        let place = format!("{}:", file.display());
        let (_, after) = stderr
            .split_once(&place)
            .unwrap_or_else(|| panic!("{name}: no place in {stderr}"));
        // `was not closed` comes with the place a second time: `FILE:LINE: <X> was not closed.`
        let after = after.trim_start();
        let after = match after.split_once(&place) {
            Some((_, rest)) => rest.split_once(": ").map_or(rest, |(_, m)| m),
            None => after,
        };
        after.trim().to_string()
    }

    #[test]
    fn section_and_command_errors_are_in_httpd_words() {
        if !Path::new(APACHE).is_file() {
            assert!(
                std::env::var_os("CI").is_none(),
                "{APACHE} not installed under CI"
            );
            eprintln!("SKIPPED: {APACHE} is not installed");
            return;
        }
        let section = |s: &str| s.to_string();
        let cases = [
            (
                "not-closed",
                "<VirtualHost *:80>\n",
                ConfError::NotClosed {
                    section: section("VirtualHost"),
                },
            ),
            (
                "missing-bracket",
                "<VirtualHost *:80>\n</VirtualHost\n",
                ConfError::MissingClosingBracket {
                    tag: section("</VirtualHost"),
                },
            ),
            (
                "without-opening",
                "</Location>\n",
                ConfError::ClosingWithoutOpening {
                    section: section("Location"),
                },
            ),
            (
                "mismatched",
                "<VirtualHost *:80>\n</Directory>\n",
                ConfError::Mismatched {
                    expected: section("VirtualHost"),
                    saw: section("Directory"),
                },
            ),
            (
                "invalid-command",
                "Foo bar\n",
                ConfError::InvalidCommand {
                    name: section("Foo"),
                },
            ),
        ];
        for (name, conf, error) in cases {
            assert_eq!(error.to_string(), apache_says(name, conf), "{name}");
        }
    }
}
