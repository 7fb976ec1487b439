//! The pre-commit hook as pre-commit runs it: the `files` pattern of `.pre-commit-hooks.yaml`
//! picks the changed files (paths relative to the repository root, searched anywhere in the
//! path), and `entry` runs from the root with those files as arguments.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{codes, repo, stdout};
use regex::Regex;

struct Hook {
    entry: Vec<String>,
    files: Regex,
}

/// The value of `key:` in the hook list: plain, or a single-quoted YAML scalar (`''` is a
/// quote, backslashes are literal).
fn value(text: &str, key: &str) -> String {
    let prefix = format!("{key}:");
    let line = text
        .lines()
        .map(|l| l.trim_start_matches([' ', '-']))
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!(".pre-commit-hooks.yaml has no {key}"));
    let v = line[prefix.len()..].trim();
    match v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Some(quoted) => quoted.replace("''", "'"),
        None => v.to_string(),
    }
}

fn hook() -> Hook {
    let text = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    assert_eq!(value(&text, "id"), "aop-lint");
    // `language: rust` makes pre-commit run `cargo install --path .` at the root.
    assert_eq!(value(&text, "language"), "rust");
    Hook {
        entry: value(&text, "entry")
            .split_whitespace()
            .map(String::from)
            .collect(),
        files: Regex::new(&value(&text, "files")).expect("files is a regex"),
    }
}

fn files_under(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            files_under(root, &p, out);
        } else {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy();
            out.push(rel.replace('\\', "/"));
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A checkout of the fixture repository.
fn checkout() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    copy_dir(&repo().join("fixtures/pre-commit/repo"), &root);
    std::fs::create_dir(root.join(".git")).unwrap();
    (dir, root)
}

fn run_hook(hook: &Hook, root: &Path, files: &[String]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin(&hook.entry[0]).expect("entry is our binary");
    cmd.current_dir(root)
        .env("NO_COLOR", "1")
        .args(&hook.entry[1..])
        .args(files)
        .output()
        .unwrap()
}

#[test]
fn files_pattern_picks_configuration_paths_only() {
    let h = hook();
    for yes in [
        "etc/nginx/nginx.conf",
        "nginx.conf",
        "etc/nginx/sites-enabled/default",
        "etc/nginx/conf.d/shop.conf",
        "deploy/nginx/snippets/tls.conf",
        "etc/apache2/apache2.conf",
        "etc/apache2/sites-available/000-default.conf",
        "etc/apache2/mods-enabled/ssl.load",
        "etc/httpd/conf/httpd.conf",
        "etc/httpd/conf.d/ssl.conf",
        "etc/httpd/conf.modules.d/00-ssl.conf",
        // A CA file swapped for another changes the verdict as much as a directive does.
        "etc/nginx/certs/cloudflare-origin-pull-ca.pem",
        "aop-lint.toml",
        "etc/apache2/envvars",
        "etc/caddy/Caddyfile",
        "Caddyfile.prod",
        "deploy/caddy/sites/shop.caddy",
        "site.caddyfile",
    ] {
        assert!(h.files.is_match(yes), "{yes} should be linted");
    }
    for no in [
        "README.md",
        "scripts/deploy.sh",
        "src/config.rs",
        "mynginx.conf.bak",
        "docs/nginx.md",
        "docs/caddy.md",
    ] {
        assert!(!h.files.is_match(no), "{no} should not be linted");
    }
}

#[test]
fn hook_on_every_file_lints_the_tree_once() {
    let h = hook();
    let (_dir, root) = checkout();
    let mut all = Vec::new();
    files_under(&root, &root, &mut all);
    all.sort();
    let picked: Vec<String> = all.into_iter().filter(|f| h.files.is_match(f)).collect();
    assert_eq!(
        picked,
        vec![
            "aop-lint.toml",
            "etc/nginx/certs/cloudflare-origin-pull-ca.pem",
            "etc/nginx/nginx.conf",
            "etc/nginx/sites-available/old-shop.conf",
            "etc/nginx/sites-enabled/catch-all",
            "etc/nginx/sites-enabled/shop.conf",
        ]
    );
    let o = run_hook(&h, &root, &picked);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let text = stdout(&o);
    // One finding, once, though four files of its tree were passed.
    assert_eq!(
        text.matches("AOP202 plaintext-serves-content").count(),
        1,
        "{text}"
    );
    assert!(
        text.contains("etc/nginx/sites-enabled/shop.conf:13:5"),
        "{text}"
    );
    // sites-available is not included: its file is not read, and the hook says so in a
    // finding of its own.
    assert!(
        text.contains("old-shop.conf is not read by the tree"),
        "{text}"
    );
}

#[test]
fn hook_on_one_changed_vhost_sees_what_it_inherits() {
    let h = hook();
    let (_dir, root) = checkout();
    // shop.conf's first server verifies only through `http {}` in nginx.conf: linted alone it
    // would be AOP101; linted within its tree it is not.
    let mut args = h.entry[1..].to_vec();
    args.extend(["--format".to_string(), "json".to_string()]);
    let hook = Hook {
        entry: [h.entry[0].clone()].into_iter().chain(args).collect(),
        files: h.files,
    };
    let o = run_hook(
        &hook,
        &root,
        &["etc/nginx/sites-enabled/shop.conf".to_string()],
    );
    assert_eq!(codes(&stdout(&o)), vec!["AOP202"]);
}

#[test]
fn hook_passes_once_the_commit_is_fixed() {
    let h = hook();
    let (_dir, root) = checkout();
    let shop = root.join("etc/nginx/sites-enabled/shop.conf");
    let text = std::fs::read_to_string(&shop).unwrap();
    let fixed = text.replacen(
        "    listen 80;\n    server_name shop.example.com;\n    location / {\n        proxy_pass http://127.0.0.1:8080;\n    }",
        "    listen 80;\n    server_name shop.example.com;\n    return 301 https://$host$request_uri;",
        1,
    );
    assert_ne!(fixed, text);
    std::fs::write(&shop, fixed).unwrap();
    let o = run_hook(
        &h,
        &root,
        &["etc/nginx/sites-enabled/shop.conf".to_string()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// pre-commit's `language: rust` runs `cargo install --path .` at the root: the root manifest
/// must be a package building the `aop-lint` binary, not a virtual workspace manifest.
#[test]
fn root_manifest_is_an_installable_package() {
    let text = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    let package = manifest["package"]
        .as_table()
        .expect("[package] at the root");
    assert_eq!(package["name"].as_str(), Some("aop-lint"));
    let bins = manifest["bin"].as_array().expect("[[bin]]");
    let bin = bins
        .iter()
        .find(|b| b["name"].as_str() == Some("aop-lint"))
        .expect("an aop-lint binary");
    assert!(repo().join(bin["path"].as_str().unwrap()).is_file());
    // The hook's entry is that binary's name.
    assert_eq!(hook().entry[0], "aop-lint");
}
