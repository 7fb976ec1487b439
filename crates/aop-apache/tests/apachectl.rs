//! The vhost model agrees with httpd itself: for each fixture tree, the address:port sets,
//! their default vhost and every vhost's names match what `apache2 -S` prints for the tree.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use aop_model::LoadOptions;
use aop_source::SourceMap;

/// One address:port set: its address, its default vhost and all its vhosts, each vhost as
/// `name [aliases] (file:line)` with the file relative to the tree.
type Set = (String, String, Vec<String>);

fn apache2() -> Option<PathBuf> {
    let found = ["/usr/sbin/apache2", "/usr/sbin/httpd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        let required = std::env::var_os("CI").is_some()
            || std::env::var("AOP_REAL_SERVERS").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "apache2 is not installed and CI (or AOP_REAL_SERVERS=required) is set: install it (apt-get install apache2)"
        );
        eprintln!("\n*** SKIPPED: apache2 is not installed; the vhost model was NOT compared with `apache2 -S` ***\n");
    }
    found
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/apache")
        .join(name)
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Parses the "VirtualHost configuration:" part of `apache2 -S`.
fn parse_dump(out: &str, root: &Path) -> BTreeSet<Set> {
    let root = format!("{}/", root.display());
    let rel = |s: &str| macro_place(&s.replace(&root, ""));
    let mut sets = BTreeSet::new();
    let mut current: Option<Set> = None;
    let mut in_vhosts = false;
    for line in out.lines() {
        if line.starts_with("VirtualHost configuration:") {
            in_vhosts = true;
            continue;
        }
        if !in_vhosts {
            continue;
        }
        let trimmed = line.trim();
        if !line.starts_with(' ') {
            if let Some(s) = current.take() {
                sets.insert(s);
            }
            let Some((addr, rest)) = line.split_once(' ') else {
                break;
            };
            let rest = rest.trim();
            if rest != "is a NameVirtualHost" && !rest.ends_with(')') {
                break;
            }
            if rest == "is a NameVirtualHost" {
                current = Some((addr.to_string(), String::new(), Vec::new()));
            } else {
                let v = rel(rest);
                sets.insert((addr.to_string(), v.clone(), vec![v]));
            }
        } else if let Some(v) = trimmed.strip_prefix("default server ") {
            current.as_mut().unwrap().1 = rel(v);
        } else if let Some(v) = trimmed.split_once(" namevhost ") {
            current.as_mut().unwrap().2.push(rel(v.1));
        } else if let Some(alias) = trimmed.strip_prefix("alias ") {
            let last = current.as_mut().unwrap().2.last_mut().unwrap();
            let (name, loc) = last.split_once(" (").unwrap();
            *last = format!("{name} {alias} ({loc}");
        }
    }
    if let Some(s) = current.take() {
        sets.insert(s);
    }
    sets
}

/// httpd places a line from a macro as `macro 'm' (defined on line L of "F") used on line U
/// of "G":K`; the model points into the definition instead: `F:L+K`.
fn macro_place(v: &str) -> String {
    let Some((name, place)) = v.split_once(" (macro '") else {
        return v.to_string();
    };
    let defined = place.split("defined on line ").nth(1).unwrap_or("");
    let (line, rest) = defined.split_once(" of \"").unwrap_or(("0", ""));
    let file = rest.split('"').next().unwrap_or("");
    let k = place
        .rsplit(':')
        .next()
        .unwrap_or("0")
        .trim_end_matches(')');
    let at = line.parse::<usize>().unwrap_or(0) + k.parse::<usize>().unwrap_or(0);
    format!("{name} ({file}:{at})")
}

fn model_sets(tree: &Path, entry: &Path) -> BTreeSet<Set> {
    let mut map = SourceMap::default();
    let config = aop_apache::load(entry, &mut map, &LoadOptions::default()).unwrap();
    let root = format!("{}/", tree.display());
    let describe = |i: usize, with_aliases: bool| {
        let s = &config.servers[i];
        let file = map
            .file(s.span.file)
            .path
            .display()
            .to_string()
            .replace(&root, "");
        let line = map.location(s.span).line;
        let names: Vec<&str> = s.names.iter().map(|(n, _)| n.as_str()).collect();
        let shown = if with_aliases {
            names.join(" ")
        } else {
            names[0].to_string()
        };
        format!("{shown} ({file}:{line})")
    };
    config
        .address_ports
        .iter()
        // The main server, answering a `Listen` no vhost covers, is not in httpd's list.
        .filter(|ap| {
            !map.text(config.servers[ap.default].span)
                .to_ascii_lowercase()
                .starts_with("listen")
        })
        .map(|ap| {
            let all: Vec<String> = ap.servers.iter().map(|&i| describe(i, true)).collect();
            let default = if ap.servers.len() == 1 {
                describe(ap.default, true)
            } else {
                describe(ap.default, false)
            };
            (ap.address_port(), default, all)
        })
        .collect()
}

/// Runs httpd on a tree with `flag` (`-S`, `-t`), its runtime directories in `run`; returns
/// whether it succeeded and everything it printed.
fn run_httpd(httpd: &Path, run: &Path, tree: &Path, entry: &Path, flag: &str) -> (bool, String) {
    let script = format!(
        "[ -f envvars ] && . ./envvars; export APACHE_RUN_DIR={0} APACHE_LOCK_DIR={0} APACHE_PID_FILE={0}/pid APACHE_LOG_DIR={0}; exec {1} -d {2} -f {3} {4}",
        run.display(),
        httpd.display(),
        tree.display(),
        entry.display(),
        flag
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(tree)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn compare(name: &str, entry_rel: &str, server_root_rewrite: Option<&str>) {
    compare_tree(&fixture(name), entry_rel, server_root_rewrite);
}

fn compare_tree(tree: &Path, entry_rel: &str, server_root_rewrite: Option<&str>) {
    let Some(httpd) = apache2() else { return };
    let name = tree.file_name().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join(name);
    copy_tree(tree, &copy);
    let entry = copy.join(entry_rel);
    if let Some(declared) = server_root_rewrite {
        // httpd honours the declared ServerRoot over -d: point it at the copy.
        let text = fs::read_to_string(&entry).unwrap();
        let text = text
            .replace(declared, &copy.display().to_string())
            .replace("User apache", "User www-data")
            .replace("Group apache", "Group www-data");
        fs::write(&entry, text).unwrap();
        for e in fs::read_dir(copy.join("conf.d")).unwrap().flatten() {
            let t = fs::read_to_string(e.path()).unwrap();
            let t = t
                .replace(declared, &copy.display().to_string())
                .replace("exec:/usr/libexec/httpd-ssl-pass-dialog", "builtin");
            fs::write(e.path(), t).unwrap();
        }
        std::os::unix::fs::symlink("/usr/lib/apache2/modules", copy.join("modules")).unwrap();
        fs::create_dir_all(copy.join("logs")).unwrap();
    }
    let (ok, text) = run_httpd(&httpd, tmp.path(), &copy, &entry, "-S");
    assert!(ok, "apache2 -S failed:\n{text}");
    let httpd_sets = parse_dump(&text, &copy);
    let ours = model_sets(tree, &tree.join(entry_rel));
    assert!(!httpd_sets.is_empty(), "no vhosts in:\n{text}");
    assert_eq!(ours, httpd_sets, "apache2 -S said:\n{text}");
}

#[test]
fn debian_layout_matches_apache2_s() {
    compare("debian-layout", "apache2.conf", None);
}

#[test]
fn rhel_layout_matches_apache2_s() {
    compare("rhel-layout", "conf/httpd.conf", Some("/etc/httpd"));
}

#[test]
fn vhost_semantics_match_apache2_s() {
    compare("vhost-semantics", "apache2.conf", None);
}

/// Debian's stock tree, as `apt-get install apache2` leaves it, reads without a parse or
/// include error and agrees with `apache2 -S`.
#[test]
fn stock_debian_tree_reads_cleanly() {
    let entry = Path::new("/etc/apache2/apache2.conf");
    if apache2().is_none() || !entry.is_file() {
        return;
    }
    let mut map = SourceMap::default();
    let config = aop_apache::load(entry, &mut map, &LoadOptions::default()).unwrap();
    let bad: Vec<String> = config
        .findings
        .iter()
        .filter(|f| f.code == "AOP001" || f.code == "AOP002")
        .map(|f| format!("{} {}", f.code, f.message))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(!config.servers.is_empty());
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            ". /etc/apache2/envvars; export APACHE_RUN_DIR={0} APACHE_LOCK_DIR={0} APACHE_PID_FILE={0}/pid APACHE_LOG_DIR={0}; exec apache2 -S",
            tmp.path().display()
        ))
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let httpd_sets = parse_dump(&text, Path::new("/etc/apache2"));
    let ours = model_sets(Path::new("/etc/apache2"), entry);
    // Without a global ServerName httpd prints the machine's name: compare places only.
    let places = |sets: &BTreeSet<Set>| -> Vec<(String, Vec<String>)> {
        sets.iter()
            .map(|(a, _, v)| {
                (
                    a.clone(),
                    v.iter()
                        .map(|s| s.rsplit(" (").next().unwrap().to_string())
                        .collect(),
                )
            })
            .collect()
    };
    assert_eq!(
        places(&ours),
        places(&httpd_sets),
        "apache2 -S said:\n{text}"
    );
}

/// Points every server certificate of a copied tree at one generated for the test, so that
/// `apache2 -t` checks the configuration and not the absence of the real certificates.
fn use_test_certificate(tree: &Path, dir: &Path) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (crt, key) = (dir.join("test.crt"), dir.join("test.key"));
    fs::write(&crt, cert.cert.pem()).unwrap();
    fs::write(&key, cert.key_pair.serialize_pem()).unwrap();
    let mut stack = vec![tree.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
            continue;
        }
        let Ok(text) = fs::read_to_string(&p) else {
            continue;
        };
        let rewritten: Vec<String> = text
            .lines()
            .map(|l| {
                let t = l.trim_start();
                let indent = &l[..l.len() - t.len()];
                if t.starts_with("SSLCertificateFile ")
                    || t.starts_with("SSLProxyCACertificateFile ")
                {
                    let directive = t.split_whitespace().next().unwrap_or_default();
                    format!("{indent}{directive} {}", crt.display())
                } else if t.starts_with("SSLCertificateKeyFile ") {
                    format!("{indent}SSLCertificateKeyFile {}", key.display())
                } else {
                    l.to_string()
                }
            })
            .collect();
        fs::write(&p, rewritten.join("\n") + "\n").unwrap();
    }
}

/// httpd's own verdict on each fixture: the `parse-error*` and `include-unresolved*` cases
/// (not `-ok`) are refused at the line of our first AOP001/AOP002; every other case passes
/// `apache2 -t`, and so does a case about an older release (`apache_version`).
#[test]
fn fixtures_are_accepted_or_refused_as_httpd_does() {
    let Some(httpd) = apache2() else { return };
    let all = fixture("");
    let mut names: Vec<String> = fs::read_dir(&all)
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("apache2.conf").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10);
    for name in names {
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join(&name);
        copy_tree(&fixture(&name), &copy);
        use_test_certificate(&copy, tmp.path());
        fs::create_dir_all(copy.join("logs")).unwrap();
        let entry = copy.join("apache2.conf");
        let (ok, text) = run_httpd(&httpd, tmp.path(), &copy, &entry, "-t");
        // A fixture about an older release (`apache_version` in its aop-lint.toml) is refused
        // by that release only: Debian's newer httpd must accept it.
        // The release may also come from `apache2 -V` output saved beside the tree.
        let older_release = fs::read_to_string(fixture(&name).join("aop-lint.toml"))
            .is_ok_and(|t| t.lines().any(|l| l.starts_with("apache_version")))
            || ["apache2-V.txt", "httpd-V.txt"]
                .iter()
                .any(|v| fixture(&name).join(v).is_file());
        // httpd also refuses to start when SSLCACertificateFile names a missing file.
        let refused_for: &[&str] = if older_release {
            &[]
        } else if name == "ca-file-unreadable" {
            &["AOP301"]
        } else if (name.starts_with("parse-error") || name.starts_with("include-unresolved"))
            && !name.contains("-ok")
            && !name.contains(REFUSED_AT_START)
        {
            &["AOP001", "AOP002"]
        } else {
            &[]
        };
        let refused = !refused_for.is_empty();
        assert_eq!(!ok, refused, "{name}: apache2 -t said:\n{text}");
        if refused {
            let mut map = SourceMap::default();
            let entry = fixture(&name).join("apache2.conf");
            let config = aop_apache::load(&entry, &mut map, &LoadOptions::default()).unwrap();
            let mut findings = config.findings.clone();
            findings.extend(aop_rules::check(&aop_rules::Context::new(&config, &map)));
            let first = findings
                .iter()
                .find(|f| refused_for.contains(&f.code))
                .unwrap_or_else(|| panic!("{name}: none of {refused_for:?}"));
            let line = map.location(first.primary.span).line;
            // A refusal of the whole tree (`No MPM loaded.`) names no line to compare.
            let httpd_names_a_line = text.contains("Syntax error on line ");
            assert!(
                !httpd_names_a_line || text.contains(&format!("line {line} of")),
                "{name}: we say line {line}, httpd said:\n{text}"
            );
        }
    }
}

/// Fixtures httpd refuses only once it starts: `apache2 -t` stops before mod_ssl sets up
/// certificates.
const REFUSED_AT_START: &str = "-at-start";

/// Starts httpd on a copied tree in a network namespace of its own: `Some((stayed up,
/// error log))`, `None` where namespaces are not permitted.
fn start_httpd(httpd: &Path, run: &Path, tree: &Path) -> Option<(bool, String)> {
    let probe = Command::new("unshare").args(["-n", "true"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!(
            "\n*** SKIPPED: no network namespace (unshare -n): fixtures were NOT started ***\n"
        );
        return None;
    }
    let entry = tree.join("apache2.conf");
    let log = run.join("start-error.log");
    let mut text = fs::read_to_string(&entry).unwrap();
    text.push_str(&format!(
        "\nErrorLog {}\nPidFile {}\n",
        log.display(),
        run.join("start.pid").display()
    ));
    fs::write(&entry, text).unwrap();
    let status = Command::new("timeout")
        .args(["5", "unshare", "-n"])
        .arg(httpd)
        .arg("-d")
        .arg(tree)
        .arg("-f")
        .arg(&entry)
        .arg("-DFOREGROUND")
        .output()
        .unwrap();
    let stayed_up = status.status.code() == Some(124);
    let printed = String::from_utf8_lossy(&status.stderr).into_owned();
    Some((
        stayed_up,
        fs::read_to_string(&log).unwrap_or_default() + &printed,
    ))
}

/// What `apache2 -t` accepts but httpd refuses to start on is still `AOP001`: a server with
/// `SSLEngine on` and no certificate (mod_md's managed names excepted).
#[test]
fn fixtures_are_started_or_refused_as_httpd_does() {
    let Some(httpd) = apache2() else { return };
    for (name, starts) in [
        ("parse-error-at-start-ssl-without-certificate", false),
        ("parse-error-ok-ssl-md-domain", true),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join(name);
        copy_tree(&fixture(name), &copy);
        fs::create_dir_all(copy.join("logs")).unwrap();
        let Some((stayed_up, log)) = start_httpd(&httpd, tmp.path(), &copy) else {
            return;
        };
        assert_eq!(stayed_up, starts, "{name}: httpd said:\n{log}");
        let mut map = SourceMap::default();
        let config = aop_apache::load(
            &fixture(name).join("apache2.conf"),
            &mut map,
            &LoadOptions::default(),
        )
        .unwrap();
        let ours = config.findings.iter().find(|f| f.code == "AOP001");
        if starts {
            assert!(ours.is_none(), "{name}: {ours:?}");
            continue;
        }
        let refused = log
            .lines()
            .find_map(|l| {
                l.split_once("AH02572: Failed to configure at least one certificate and key for ")
            })
            .map(|(_, rest)| rest.split(':').next().unwrap_or(rest).to_string())
            .unwrap_or_else(|| panic!("{name}: no AH02572 in:\n{log}"));
        let ours = ours.unwrap_or_else(|| panic!("{name}: no AOP001"));
        assert!(
            ours.message.contains(&format!("for `{refused}`")),
            "{name}: httpd refused `{refused}`, we say: {}",
            ours.message
        );
    }
}

#[test]
fn reading_rules_match_apache2_s() {
    compare("reading-rules", "apache2.conf", None);
}

/// Debian's stock tree after `a2enmod ssl` and `a2ensite default-ssl`: the usual start of a
/// TLS origin.
#[test]
fn stock_debian_tree_with_ssl_enabled_matches_apache2_s() {
    let stock = Path::new("/etc/apache2");
    if apache2().is_none() || !stock.join("apache2.conf").is_file() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("apache2");
    copy_tree(stock, &tree);
    for m in ["ssl.load", "ssl.conf", "socache_shmcb.load"] {
        fs::copy(
            tree.join("mods-available").join(m),
            tree.join("mods-enabled").join(m),
        )
        .unwrap();
    }
    fs::copy(
        tree.join("sites-available/default-ssl.conf"),
        tree.join("sites-enabled/default-ssl.conf"),
    )
    .unwrap();
    // Without a global name httpd prints the machine's: give the copy one.
    let main = tree.join("apache2.conf");
    let text = fs::read_to_string(&main).unwrap() + "ServerName origin.example\n";
    fs::write(&main, text).unwrap();
    compare_tree(&tree, "apache2.conf", None);
}
