//! The wording of each error against what the real `apache2 -t` prints for the same file.

use super::*;
use crate::remoteip::Source;
use std::path::{Path, PathBuf};
use std::process::Command;

const APACHE: &str = "/usr/sbin/apache2";
const MPM: &str = "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n";

/// Where a case's configuration is written.
fn conf_path(name: &str) -> PathBuf {
    std::env::temp_dir()
        .join(format!("aop-apache-wording-{}-{name}", std::process::id()))
        .join("apache2.conf")
}

/// `apache2 -t` run with `args` on `conf` as the whole configuration.
fn apache_run(name: &str, conf: &str, args: &[&str]) -> std::process::Output {
    let file = conf_path(name);
    let dir = file.parent().expect("in a directory");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&file, conf).unwrap();
    let out = Command::new(APACHE)
        .arg("-t")
        .args(args)
        .arg("-f")
        .arg(&file)
        .output()
        .expect("apache2 -t runs");
    let _ = std::fs::remove_dir_all(dir);
    out
}

/// What `apache2 -t` writes on stderr for `conf` as the whole configuration, which it
/// must refuse.
fn apache_stderr(name: &str, conf: &str) -> String {
    let out = apache_run(name, conf, &[]);
    assert!(!out.status.success(), "{name}: apache2 -t accepts it");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What `apache2 -t` says about `conf` after the place (`Syntax error on line N of
/// FILE:`), which it may print on the same line or the next.
fn apache_says(name: &str, conf: &str) -> String {
    let file = conf_path(name);
    let stderr = apache_stderr(name, &format!("{MPM}{conf}"));
    // A line of a macro is placed as `... used on line N of "FILE": message`.
    if let Some((_, after)) = stderr.rsplit_once(&format!("{}\": ", file.display())) {
        return after.trim().to_string();
    }
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

/// Whether the real httpd is here to ask; under CI it must be.
fn installed() -> bool {
    if Path::new(APACHE).is_file() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{APACHE} not installed under CI"
    );
    eprintln!("SKIPPED: {APACHE} is not installed");
    false
}

#[test]
fn section_and_command_errors_are_in_httpd_words() {
    if !installed() {
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
        (
            "empty-section-name",
            "<>\n</>\n",
            ConfError::InvalidCommand { name: section("<") },
        ),
    ];
    for (name, conf, error) in cases {
        assert_eq!(error.to_string(), apache_says(name, conf), "{name}");
    }
}

const SSL: &str = "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n";
const REMOTEIP: &str = "LoadModule remoteip_module /usr/lib/apache2/modules/mod_remoteip.so\n";
const MACRO: &str = "LoadModule macro_module /usr/lib/apache2/modules/mod_macro.so\n";

/// Every directive the reader checks for one argument, with none: its usage text is
/// httpd's.
#[test]
fn one_argument_errors_are_in_httpd_words() {
    if !installed() {
        return;
    }
    let take1 = crate::arity::TAKE1.iter().map(|&(_, name, usage)| {
        let error = ConfError::TakesOneArgument {
            name: name.into(),
            usage,
        };
        (name, error)
    });
    let includes = [
        ("Include", ConfError::include_without_path(false)),
        ("IncludeOptional", ConfError::include_without_path(true)),
    ];
    for (name, error) in take1.chain(includes) {
        let conf = format!("{SSL}{REMOTEIP}{name}\n");
        assert_eq!(error.to_string(), apache_says(name, &conf), "{name}");
    }
}

#[test]
fn directive_section_and_module_errors_are_in_httpd_words() {
    if !installed() {
        return;
    }
    let value = |s: &str| s.to_string();
    let cases = [
        (
            "invalid-argument",
            format!("{SSL}SSLVerifyClient Sometimes\n"),
            ConfError::InvalidArgument {
                directive: value("SSLVerifyClient"),
                value: value("Sometimes"),
            },
        ),
        (
            "sni-policy",
            format!("{SSL}SSLVHostSNIPolicy bogus\n"),
            ConfError::InvalidSniPolicy {
                value: value("bogus"),
            },
        ),
        (
            "not-in-vhost",
            format!("{SSL}<VirtualHost *:80>\nSSLSessionCache none\n</VirtualHost>\n"),
            ConfError::NotInVirtualHost {
                name: value("SSLSessionCache"),
            },
        ),
        (
            "vhost-in-vhost",
            value("<VirtualHost *:80>\n<VirtualHost *:81>\n</VirtualHost>\n</VirtualHost>\n"),
            ConfError::VirtualHostInVirtualHost,
        ),
        (
            // httpd names the section as it declares it, whatever the case written.
            "vhost-in-section",
            value("<directorymatch x>\n<VirtualHost *:80>\n</VirtualHost>\n</directorymatch>\n"),
            ConfError::VirtualHostInSection {
                section: crate::scope::per_directory_name("directorymatch")
                    .expect("a per-directory section")
                    .into(),
            },
        ),
        (
            "built-in",
            value("LoadModule so_module modules/mod_so.so\n"),
            ConfError::BuiltInModule {
                module: value("so_module"),
            },
        ),
    ];
    for (name, conf, error) in cases {
        assert_eq!(error.to_string(), apache_says(name, &conf), "{name}");
    }
    // Not a syntax error: httpd says it once every module is loaded, with no place.
    let stderr = apache_stderr("no-mpm", &format!("{SSL}ServerName x\n"));
    let said = ConfError::NoMpm.to_string();
    assert!(
        stderr.lines().any(|l| l.ends_with(&said)),
        "no-mpm: {stderr}"
    );
}

#[test]
fn macro_errors_are_in_httpd_words() {
    if !installed() {
        return;
    }
    let name = |s: &str| s.to_string();
    // `<Macro A $x>` is line 3, after the MPM and mod_macro.
    let a = format!("{MACRO}<Macro A $x>\nServerName $x\n</Macro>\n");
    let cases = [
        (
            "macro-without-name",
            format!("{MACRO}<Macro>\n</Macro>\n"),
            ConfError::MacroWithoutName,
        ),
        (
            "use-before-any-macro",
            format!("{MACRO}Use A\n"),
            ConfError::UseBeforeAnyMacro,
        ),
        (
            "use-without-name",
            format!("{a}Use\n"),
            ConfError::UseWithoutName,
        ),
        (
            // httpd gives the name in lowercase.
            "macro-undefined",
            format!("{a}Use Nope\n"),
            ConfError::MacroUndefined { name: name("nope") },
        ),
        (
            "macro-recursive",
            format!("{MACRO}<Macro A>\nUse A\n</Macro>\nUse A\n"),
            ConfError::MacroRecursive { name: name("a") },
        ),
        (
            "macro-arity",
            format!("{a}Use A 1 2\n"),
            ConfError::MacroArity {
                name: name("a"),
                line: 3,
                file: conf_path("macro-arity").display().to_string(),
                given: 2,
                takes: 1,
            },
        ),
    ];
    for (case, conf, error) in cases {
        assert_eq!(error.to_string(), apache_says(case, &conf), "{case}");
    }
}

/// Each refusal of a proxy source, in the directive and in a list file, as mod_remoteip
/// words it; the reader's own parse decides which refusal it is.
#[test]
fn remoteip_source_errors_are_in_httpd_words() {
    if !installed() {
        return;
    }
    for (i, &(source, refusal)) in crate::remoteip::REFUSED.iter().enumerate() {
        assert_eq!(
            crate::remoteip::parse_source(source),
            Source::Refused(refusal),
            "{source}"
        );
        let error = |list_line: Option<(usize, String)>| ConfError::RemoteIpSource {
            value: source.into(),
            refusal,
            directive: (if list_line.is_some() {
                "RemoteIPTrustedProxyList"
            } else {
                "RemoteIPTrustedProxy"
            })
            .into(),
            list_line,
        };
        let name = format!("remoteip-{i}");
        let conf = format!("{REMOTEIP}RemoteIPTrustedProxy \"{source}\"\n");
        assert_eq!(
            error(None).to_string(),
            apache_says(&name, &conf),
            "{source}"
        );
        // A list file splits at white space.
        if source.contains(' ') {
            continue;
        }
        let name = format!("remoteip-list-{i}");
        let list = conf_path(&name).with_file_name("proxies.txt");
        std::fs::create_dir_all(list.parent().expect("in a directory")).unwrap();
        std::fs::write(&list, format!("# proxies\n{source}\n")).unwrap();
        let conf = format!("{REMOTEIP}RemoteIPTrustedProxyList {}\n", list.display());
        let line = Some((2, list.display().to_string()));
        assert_eq!(
            error(line).to_string(),
            apache_says(&name, &conf),
            "{source} in a list"
        );
    }
}

/// The virtual hosts `apache2 -t -D DUMP_VHOSTS` lists, by name; `None` when it refuses.
fn apache_vhost_names(name: &str, conf: &str) -> Option<Vec<String>> {
    let out = apache_run(name, conf, &["-D", "DUMP_VHOSTS"]);
    if !out.status.success() {
        return None;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut names: Vec<String> = stdout
        .lines()
        .filter_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            match words.as_slice() {
                // `port 8080 namevhost NAME (place)` under a name-based address.
                ["port", _, "namevhost", name, ..] => Some(name.to_string()),
                ["default", "server", ..] | [_, "is", "a", "NameVirtualHost"] => None,
                // `ADDRESS NAME (place)`: the one host of its address.
                [address, name, ..] if address.contains(':') => Some(name.to_string()),
                _ => None,
            }
        })
        .collect();
    names.sort();
    names.dedup();
    Some(names)
}

#[test]
fn nested_macros_are_what_httpd_builds() {
    if !installed() {
        return;
    }
    use crate::tests::{macro_case_names, MACRO_CASE_HEAD, NESTED_MACROS};
    for (case, body, expected) in NESTED_MACROS {
        let httpd = apache_vhost_names(case, &format!("{MACRO_CASE_HEAD}{body}"));
        let expected: Option<Vec<String>> =
            expected.map(|names| names.iter().map(|n| n.to_string()).collect());
        assert_eq!(httpd, expected, "{case}: apache2 -t");
        assert_eq!(macro_case_names(body), httpd, "{case}: aop-lint");
    }
}

/// Every source the reader takes as a range, httpd takes too (a space in it is quoted).
#[test]
fn remoteip_sources_read_as_ranges_are_accepted_by_httpd() {
    if !installed() {
        return;
    }
    for (i, &(source, _)) in crate::remoteip::ACCEPTED.iter().enumerate() {
        let conf = format!(
            "{MPM}{REMOTEIP}ServerName x\nErrorLog /dev/null\nRemoteIPTrustedProxy \"{source}\"\n"
        );
        let out = apache_run(&format!("remoteip-accepted-{i}"), &conf, &[]);
        assert!(
            out.status.success(),
            "{source}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
