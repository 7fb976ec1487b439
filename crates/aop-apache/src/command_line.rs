//! The `-D NAME` defines httpd is started with, read from the files its service reads them
//! from: they decide `<IfDefine>` as much as `Define` in the tree does.
//!
//! - Debian: `apache2ctl` passes `$APACHE_ARGUMENTS` from `envvars` (beside `apache2.conf`).
//! - Gentoo: the init script passes `APACHE2_OPTS` from `/etc/conf.d/apache2`.
//! - RHEL/Fedora: the systemd unit passes `OPTIONS` from `/etc/sysconfig/httpd`.

use std::path::Path;

use aop_model::LoadOptions;

/// The names of `-D NAME` and `-DNAME` in a command line.
pub fn defines(arguments: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut words = arguments.unwrap_or("").split_whitespace();
    while let Some(w) = words.next() {
        let w = w.trim_matches(['"', '\'']);
        match w.strip_prefix("-D") {
            Some("") => out.extend(
                words
                    .next()
                    .map(|n| n.trim_matches(['"', '\'']).to_string()),
            ),
            Some(name) => out.push(name.to_string()),
            None => {}
        }
    }
    out
}

/// The defines from Gentoo's or RHEL's service file beside the tree (`X/apache2/httpd.conf`
/// with `X/conf.d/apache2`; `X/httpd/conf/httpd.conf` with `X/sysconfig/httpd`), or from
/// `/etc` below `--root`. `None` when there is none: the command line is unknown.
pub fn from_service_files(entry: &Path, opts: &LoadOptions) -> Option<Vec<String>> {
    let dir = entry.parent()?;
    let server_dir = if dir.file_name().is_some_and(|n| n == "conf") {
        dir.parent()?
    } else {
        dir
    };
    let etc = server_dir.parent()?;
    [
        ("conf.d/apache2", "APACHE2_OPTS"),
        ("sysconfig/httpd", "OPTIONS"),
    ]
    .into_iter()
    .find_map(|(file, variable)| {
        let path = opts.confine(&etc.join(file)).ok()?;
        let bytes = aop_source::read_regular_file(&path, 1 << 20).ok()?;
        Some(defines(assignment(
            &String::from_utf8_lossy(&bytes),
            variable,
        )))
    })
}

/// The value of the last uncommented `VARIABLE=value` line.
fn assignment<'a>(text: &'a str, variable: &str) -> Option<&'a str> {
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix(variable)?.strip_prefix('='))
        .map(|v| v.trim().trim_matches(['"', '\'']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_of_a_define_are_read() {
        assert_eq!(
            defines(Some("-D DEFAULT_VHOST -DINFO -k start -D \"SSL\"")),
            vec!["DEFAULT_VHOST", "INFO", "SSL"]
        );
        assert!(defines(None).is_empty());
    }

    #[test]
    fn the_last_uncommented_assignment_counts() {
        let text = "# APACHE2_OPTS=\"-D NO\"\nAPACHE2_OPTS=\"-D A\"\nAPACHE2_OPTS=\"-D B -D C\"\n";
        assert_eq!(assignment(text, "APACHE2_OPTS"), Some("-D B -D C"));
        assert_eq!(assignment("OPTIONS=\n", "OPTIONS"), Some(""));
        assert_eq!(assignment("", "OPTIONS"), None);
    }
}
