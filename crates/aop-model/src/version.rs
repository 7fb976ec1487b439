//! The version of the server that runs the tree: some verdicts depend on it (a bug fixed in
//! one release, a directive a later release accepts). docs/versions.md.

use std::fmt;

/// `1.26.2`: major, minor, patch. A version written with two numbers (`1.27`) means its
/// first release (`1.27.0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// `1.26.2`, `1.27`, and what servers print: `nginx/1.26.2`, `nginx version:
    /// nginx/1.22.1`, `Apache/2.4.62 (Debian)`. A distribution suffix after the numbers
    /// (`1.22.1-9+deb12u2`) is ignored: only the upstream version is compared.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let text = text.rsplit_once('/').map_or(text, |(_, v)| v);
        let digits_end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let mut parts = text[..digits_end].split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = match parts.next() {
            None | Some("") => 0,
            Some(p) => p.parse().ok()?,
        };
        if parts.next().is_some_and(|p| !p.is_empty()) {
            return None;
        }
        Some(Version::new(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// A range of versions that behave one way: `from` included, `until` excluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionRange {
    pub from: Version,
    pub until: Version,
}

impl VersionRange {
    pub const fn new(from: Version, until: Version) -> Self {
        VersionRange { from, until }
    }

    pub fn contains(&self, v: Version) -> bool {
        self.from <= v && v < self.until
    }
}

/// The versions of the servers that run the trees, where the user said (`--nginx-version`,
/// `nginx_version` in `aop-lint.toml`). `None`: not given, and a verdict that depends on it
/// says which answer it took.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerVersions {
    pub nginx: Option<Version>,
    pub apache: Option<Version>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_as_written_and_as_servers_print_them() {
        assert_eq!(Version::parse("1.26.2"), Some(Version::new(1, 26, 2)));
        assert_eq!(Version::parse("1.27"), Some(Version::new(1, 27, 0)));
        assert_eq!(
            Version::parse("nginx version: nginx/1.22.1"),
            Some(Version::new(1, 22, 1))
        );
        assert_eq!(
            Version::parse("Apache/2.4.62 (Debian)"),
            Some(Version::new(2, 4, 62))
        );
        assert_eq!(
            Version::parse("1.22.1-9+deb12u2"),
            Some(Version::new(1, 22, 1))
        );
        for bad in ["", "1", "x.y.z", "1.2.3.4", "1..2"] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn ranges_include_their_start_and_exclude_their_end() {
        let r = VersionRange::new(Version::new(1, 27, 0), Version::new(1, 27, 4));
        assert!(r.contains(Version::new(1, 27, 0)));
        assert!(r.contains(Version::new(1, 27, 3)));
        assert!(!r.contains(Version::new(1, 27, 4)));
        assert!(!r.contains(Version::new(1, 26, 9)));
        assert!(Version::new(1, 26, 10) > Version::new(1, 26, 9));
    }
}
