//! Trees copied out of `/` are read as a chroot would see them: links followed inside the
//! copy, `..` stopping at it, and nothing of the linting machine mixed in.
//!
//! The layouts reproduce Debian's `a2ensite`/nginx packaging and Ansible roles, which enable
//! sites with absolute links (`sites-enabled/x -> /etc/nginx/sites-available/x`).

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Output;

use common::stdout;

fn run(dir: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("aop-lint")
        .unwrap()
        .current_dir(dir)
        .env("AOP_LINT_NOW", "2026-01-01T00:00:00Z")
        .args(args)
        .output()
        .unwrap()
}

fn findings(out: &Output) -> Vec<(String, String)> {
    common::code_messages(&stdout(out))
}

const MAIN: &str = "events {}\nhttp {\n    include /etc/nginx/sites-enabled/*;\n}\n";

/// A site that only this tree has: a TLS server for `copy-only.example` without client
/// verification (AOP101), so its finding proves which file was read.
const SITE: &str = "server {\n    listen 443 ssl default_server;\n    server_name copy-only.example;\n    ssl_certificate /etc/ssl/site.pem;\n    ssl_certificate_key /etc/ssl/site.key;\n    return 200 \"site\";\n}\n";

fn debian_copy(root: &Path) {
    let nginx = root.join("etc/nginx");
    fs::create_dir_all(nginx.join("sites-available")).unwrap();
    fs::create_dir_all(nginx.join("sites-enabled")).unwrap();
    fs::write(nginx.join("nginx.conf"), MAIN).unwrap();
    fs::write(nginx.join("sites-available/default"), SITE).unwrap();
    // What `ln -s /etc/nginx/sites-available/default sites-enabled/` makes.
    symlink(
        "/etc/nginx/sites-available/default",
        nginx.join("sites-enabled/default"),
    )
    .unwrap();
}

fn names_copy_site(out: &Output) -> bool {
    findings(out)
        .iter()
        .any(|(code, msg)| code == "AOP101" && msg.contains("copy-only.example"))
}

#[test]
fn absolute_site_links_are_followed_inside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    debian_copy(dir.path());
    let out = run(
        dir.path(),
        &["--root", ".", "etc/nginx", "--format", "json"],
    );
    assert!(names_copy_site(&out), "{}", stdout(&out));
    // Read from inside the copy, never from this machine's /etc/nginx.
    let report = stdout(&out);
    assert!(!report.contains("\"/etc/nginx/sites-available"), "{report}");
}

#[test]
fn a_tree_ending_in_etc_nginx_is_read_as_a_copy_of_root() {
    let dir = tempfile::tempdir().unwrap();
    debian_copy(&dir.path().join("deploy"));
    let out = run(dir.path(), &["deploy/etc/nginx", "--format", "json"]);
    assert!(names_copy_site(&out), "{}", stdout(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("read as a copy of `/` rooted at deploy"),
        "the inferred root is not said: {err}"
    );
}

#[test]
fn links_and_dot_dot_never_leave_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    let nginx = root.join("etc/nginx");
    fs::create_dir_all(nginx.join("conf.d")).unwrap();
    // Outside the root: a file the lint must never read.
    fs::write(dir.path().join("secret.conf"), "server { listen 80; }").unwrap();
    fs::write(
        nginx.join("nginx.conf"),
        "events {}\nhttp {\n    include ../../../secret.conf;\n    include /../../secret.conf;\n    include conf.d/*.conf;\n}\n",
    )
    .unwrap();
    symlink("../../../../secret.conf", nginx.join("conf.d/up.conf")).unwrap();
    let out = run(
        dir.path(),
        &["--root", "rootfs", "rootfs/etc/nginx", "--format", "json"],
    );
    let report = stdout(&out);
    let unresolved: Vec<_> = findings(&out)
        .into_iter()
        .filter(|(code, _)| code == "AOP002")
        .collect();
    // Each path resolves to `rootfs/secret.conf`, which does not exist.
    assert_eq!(unresolved.len(), 3, "{report}");
    assert!(
        unresolved
            .iter()
            .all(|(_, m)| m.contains("rootfs/secret.conf")),
        "{report}"
    );
    let json: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(
        json["summary"]["servers"], 0,
        "a server outside the root was read"
    );
}

#[test]
fn without_a_root_an_absolute_include_outside_the_tree_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("conf");
    fs::create_dir_all(&conf).unwrap();
    fs::write(
        conf.join("nginx.conf"),
        "events {}\nhttp {\n    include /etc/nginx/mime.types;\n}\n",
    )
    .unwrap();
    let out = run(dir.path(), &["conf", "--format", "json"]);
    let found = findings(&out);
    assert!(
        found
            .iter()
            .any(|(code, m)| code == "AOP004" && m.contains("outside the linted tree")),
        "{found:?}"
    );
    // Nothing of this machine's /etc/nginx was read.
    assert!(!stdout(&out).contains("mime.types\","), "{}", stdout(&out));
}
