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
        // Configuration in a directory no convention names; `--hook` leaves a `.conf` of
        // another tool (no tree above, no server directive in it) with a note.
        "deploy/origin/site.conf",
        "etc/systemd/system/shop.service.d/override.conf",
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
        // What `nginx -V` says of the server decides release-bound verdicts.
        "etc/nginx/nginx-V.txt",
        "etc/caddy/caddy.json",
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
        "package.json",
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

/// The `pre-commit` program `.ci/run` installs (`AOP_PRE_COMMIT`), or None outside CI after
/// saying so.
fn pre_commit_program() -> Option<PathBuf> {
    match std::env::var_os("AOP_PRE_COMMIT") {
        Some(p) => Some(PathBuf::from(p)),
        None if std::env::var_os("CI").is_some() => {
            panic!("AOP_PRE_COMMIT is not set under CI: .ci/run installs pre-commit")
        }
        None => {
            eprintln!("SKIPPED real pre-commit: AOP_PRE_COMMIT is not set");
            None
        }
    }
}

/// git in `dir`, with an author and nothing of the machine's git configuration needed.
fn git_command(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(dir).args([
        "-c",
        "user.name=Origin Team",
        "-c",
        "user.email=origin@example.org",
        "-c",
        "init.defaultBranch=main",
        "-c",
        "commit.gpgsign=false",
    ]);
    cmd
}

fn git(dir: &Path, args: &[&str]) -> Output {
    git_command(dir).args(args).output().expect("git runs")
}

fn git_ok(dir: &Path, args: &[&str]) {
    let o = git(dir, args);
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A commit through the installed hook, which runs with `env` added to the environment: its
/// exit status and everything pre-commit printed.
fn commit(dir: &Path, message: &str, env: &[(&str, std::ffi::OsString)]) -> (bool, String) {
    git_ok(dir, &["add", "-A"]);
    let o = git_command(dir)
        .args(["commit", "-q", "-m", message])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("git runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.success(), said)
}

/// The real pre-commit, installed in a scratch repository from a hook repository holding this
/// project's `.pre-commit-hooks.yaml` (the `aop-lint-system` hook: the binary under test on
/// PATH, nothing built), blocks the three changes that matter and passes each fix.
#[test]
fn real_pre_commit_blocks_what_matters_and_passes_the_fixes() {
    let Some(program) = pre_commit_program() else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let hooks = scratch.path().join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    std::fs::copy(
        repo().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git_ok(&hooks, &["init", "-q"]);
    git_ok(&hooks, &["add", "-A"]);
    git_ok(&hooks, &["commit", "-q", "-m", "hooks"]);
    let rev = String::from_utf8(git(&hooks, &["rev-parse", "HEAD"]).stdout).unwrap();

    let work = scratch.path().join("work");
    copy_dir(&repo().join("fixtures/pre-commit/origin"), &work);
    std::fs::write(
        work.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: aop-lint-system\n",
            hooks.display(),
            rev.trim()
        ),
    )
    .unwrap();
    git_ok(&work, &["init", "-q"]);
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_aop-lint"));
    let path = std::env::join_paths(
        std::iter::once(binary.parent().unwrap().to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    // The git hook pre-commit installs runs with the environment of `git commit`.
    let install = std::process::Command::new(&program)
        .current_dir(&work)
        .env("PRE_COMMIT_HOME", scratch.path().join("cache"))
        .arg("install")
        .output()
        .expect("pre-commit runs");
    assert!(install.status.success(), "{install:?}");
    let hook_env = [
        ("PATH", path),
        (
            "PRE_COMMIT_HOME",
            scratch.path().join("cache").into_os_string(),
        ),
        ("NO_COLOR", "1".into()),
    ];
    let env = |dir: &Path, message: &str| commit(dir, message, &hook_env);

    let (ok, said) = env(&work, "the locked origin");
    assert!(ok, "a locked origin commits: {said}");

    let ca = "deploy/origin/certs/origin-pull-ca.pem";
    let current_ca = std::fs::read(work.join(ca)).unwrap();
    // Text before a PEM block is allowed: the fix differs from the last commit, so the hook
    // runs on it.
    let mut labelled_ca = b"Cloudflare origin-pull CA (2019)\n".to_vec();
    labelled_ca.extend(&current_ca);
    let settings = std::fs::read_to_string(work.join("aop-lint.toml")).unwrap();
    let plain = "deploy/origin/sites/plain.conf";
    // (the change, the file it writes, its bytes, the text that blocks it or None: it commits)
    let steps: [(&str, &str, Vec<u8>, Option<&str>); 7] = [
        (
            "an open vhost in a directory no convention names",
            plain,
            b"server {\n    listen 80;\n    server_name shop.example.com;\n    location / {\n        proxy_pass http://127.0.0.1:8080;\n    }\n}\n".to_vec(),
            Some("AOP202"),
        ),
        (
            "the vhost redirects",
            plain,
            b"server {\n    listen 80;\n    server_name shop.example.com;\n    return 301 https://$host$request_uri;\n}\n".to_vec(),
            None,
        ),
        (
            "the client CA swapped for Cloudflare's expired 2015 certificate",
            ca,
            std::fs::read(repo().join("fixtures/pki/cloudflare/origin-pull-ca-2015-expired.pem"))
                .unwrap(),
            Some("AOP306 ca-superseded"),
        ),
        ("the current CA back", ca, labelled_ca, None),
        (
            "a broken settings file",
            "aop-lint.toml",
            settings.replace(']', "").into_bytes(),
            Some("aop-lint.toml"),
        ),
        (
            "the settings mended",
            "aop-lint.toml",
            format!("# reviewed\n{settings}").into_bytes(),
            None,
        ),
        (
            "another tool's `.conf` outside every tree, left with a note",
            "systemd/shop.conf",
            b"[Service]\nExecStart=/usr/bin/shop\n".to_vec(),
            None,
        ),
    ];
    for (what, file, bytes, blocked_with) in steps {
        let path = work.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        let (ok, said) = env(&work, what);
        match blocked_with {
            Some(text) => {
                assert!(!ok, "{what}: should be blocked: {said}");
                assert!(said.contains(text), "{what}: {said}");
            }
            None => assert!(ok, "{what}: should commit: {said}"),
        }
    }
    let site = work.join("deploy/origin/sites/shop.conf");
    let locked = std::fs::read_to_string(
        repo().join("fixtures/pre-commit/origin/deploy/origin/sites/shop.conf"),
    )
    .unwrap();
    assert_eq!(locked, std::fs::read_to_string(&site).unwrap());
}
