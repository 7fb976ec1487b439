//! `nginx -T` output as input: the findings of a dump name the same files, lines and columns
//! as the findings of the tree it came from.

mod common;

use std::path::Path;
use std::process::Command;

use common::{aop_lint, cases, repo};

/// (code, file, line, column) of each finding.
fn places(json: &[u8]) -> Vec<(String, String, u64, u64)> {
    let v: serde_json::Value = serde_json::from_slice(json).expect("valid JSON");
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A dump as nginx writes it (after `nginx -V`'s lines where the fixture keeps them): marker line, the file's bytes, one more newline; main file first.
fn synthetic_dump(dir: &Path) -> Vec<u8> {
    let main = dir.join("nginx.conf");
    let mut files = vec![main.clone()];
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        let p = e.path();
        if e.file_type().is_file() && p != main && p.extension().is_some_and(|x| x == "conf") {
            files.push(p.to_path_buf());
        }
    }
    // `{ nginx -V; nginx -T; } 2>&1`: the `-V` lines a fixture keeps beside it come first.
    let mut out = std::fs::read(dir.join("nginx-V.txt")).unwrap_or_default();
    out.extend(b"nginx: the configuration file syntax is ok\n");
    for f in files {
        out.extend_from_slice(format!("# configuration file {}:\n", f.display()).as_bytes());
        out.extend_from_slice(&std::fs::read(&f).unwrap());
        out.push(b'\n');
    }
    out
}

/// The `build` a fixture's aop-lint.toml names: a dump is read before its settings file is
/// found (from the main file's path it names), so a user gives the build with `--build`.
fn build_of(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("aop-lint.toml")).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == "build")
        .map(|(_, v)| {
            vec![
                "--build".to_string(),
                v.trim().trim_matches('"').to_string(),
            ]
        })
        .unwrap_or_default()
}

fn lint_stdin(dump: &[u8], extra: &[String]) -> Vec<u8> {
    let out = assert_cmd::Command::cargo_bin("aop-lint")
        .unwrap()
        .current_dir(repo())
        .env("AOP_LINT_NOW", "2026-01-01T00:00:00Z")
        .args(["-", "--format", "json"])
        .args(extra)
        .write_stdin(dump.to_vec())
        .output()
        .unwrap();
    out.stdout
}

#[test]
fn every_fixture_dumped_gives_the_same_findings() {
    for case in cases("nginx") {
        let dir = repo().join(&case);
        let from_tree = aop_lint(&[dir.to_str().unwrap(), "--format", "json"]).stdout;
        let from_dump = lint_stdin(&synthetic_dump(&dir), &build_of(&dir));
        assert_eq!(places(&from_tree), places(&from_dump), "{case}");
    }
}

/// `--root` moves the paths read from disk (CA files) into a copied tree, never the includes
/// of a dump, which name the files the dump itself holds.
#[test]
fn root_does_not_move_a_dumps_includes() {
    let dump = b"# configuration file /etc/nginx/nginx.conf:\n\
http {\n    include /etc/nginx/conf.d/*.conf;\n    include /etc/nginx/site.conf;\n}\n\n\
# configuration file /etc/nginx/conf.d/a.conf:\n\
server { listen 443 ssl; server_name a.example; root /srv; }\n\n\
# configuration file /etc/nginx/site.conf:\n\
server { listen 443 ssl; server_name b.example; root /srv; }\n\n";
    let root = tempfile::tempdir().unwrap();
    let servers = |extra: &[&str]| {
        let mut args = vec!["-", "--format", "json"];
        args.extend_from_slice(extra);
        let out = assert_cmd::Command::cargo_bin("aop-lint")
            .unwrap()
            .current_dir(repo())
            .env("AOP_LINT_NOW", "2026-01-01T00:00:00Z")
            .args(&args)
            .write_stdin(dump.to_vec())
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
        v["summary"]["servers"].as_u64().unwrap()
    };
    assert_eq!(servers(&[]), 2);
    assert_eq!(servers(&["--root", root.path().to_str().unwrap()]), 2);
}

#[test]
fn stdin_without_markers_is_an_input_error() {
    let out = assert_cmd::Command::cargo_bin("aop-lint")
        .unwrap()
        .arg("-")
        .write_stdin("http {}")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nginx -T"));
}

/// The real thing: a tree nginx accepts, dumped by `nginx -T`, linted both ways.
#[test]
fn real_nginx_dump_matches_the_tree() {
    let Ok(nginx) = which("nginx") else {
        if std::env::var_os("CI").is_some() {
            panic!("nginx is not installed under CI: .ci/run installs it");
        }
        eprintln!("SKIPPED real_nginx_dump_matches_the_tree: nginx is not installed");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("conf.d")).unwrap();
    std::fs::write(
        root.join("nginx.conf"),
        format!(
            "pid {0}/nginx.pid;\nevents {{}}\nhttp {{\n    access_log off;\n    include conf.d/*.conf;\n}}\n",
            root.display()
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("conf.d/a.conf"),
        "server {\n    listen 127.0.0.1:18443 ssl default_server;\n    ssl_reject_handshake on;\n}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("conf.d/b.conf"),
        "server {\n    listen 18080;\n    server_name plain.example.com;\n    root html;\n}\n",
    )
    .unwrap();
    let out = Command::new(nginx)
        .arg("-T")
        .arg("-p")
        .arg(root)
        .arg("-c")
        .arg(root.join("nginx.conf"))
        .arg("-e")
        .arg(root.join("error.log"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "nginx -T failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_dump = places(&lint_stdin(&out.stdout, &[]));
    let from_tree = places(&aop_lint(&[root.to_str().unwrap(), "--format", "json"]).stdout);
    assert_eq!(from_tree, from_dump);
    assert!(
        from_tree
            .iter()
            .any(|(code, file, line, _)| code == "AOP202"
                && file.ends_with("conf.d/b.conf")
                && *line == 2),
        "{from_tree:?}"
    );
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    for dir in [
        "/usr/sbin",
        "/usr/bin",
        "/usr/local/sbin",
        "/usr/local/bin",
        "/sbin",
    ] {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(())
}

/// A comment that reads exactly like `nginx -T`'s marker splits nothing: nginx prints each
/// file verbatim, so the line belongs to the file it is in, and the open server after it is
/// still checked. The dump is made by the real `nginx -T`.
#[test]
fn a_comment_that_looks_like_a_marker_hides_no_server() {
    let Some(nginx) = common::nginx_binary("nginx -T marker") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("sites")).unwrap();
    std::fs::write(
        d.join("nginx.conf"),
        format!(
            "pid {0}/nginx.pid;\nevents {{}}\nhttp {{\n    include sites/*.conf;\n}}\n",
            d.display()
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("sites/a.conf"),
        format!(
            "# configuration file {}/notes.conf:\nserver {{\n    listen 8080;\n    server_name open.example;\n    return 200 \"open\";\n}}\n",
            d.display()
        ),
    )
    .unwrap();
    let out = common::nginx_command(&nginx, d).arg("-T").output().unwrap();
    let dump = out.stdout;
    let marker = format!("# configuration file {}/notes.conf:", d.display());
    assert!(
        String::from_utf8_lossy(&dump).contains(&marker),
        "nginx -T did not print the comment verbatim: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&lint_stdin(&dump, &[])).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let said = |code: &str, text: &str| {
        findings
            .iter()
            .any(|f| f["code"] == code && f["message"].as_str().unwrap().contains(text))
    };
    assert!(said("AOP202", "open.example"), "{report:#}");
    assert!(
        said("AOP004", "looks like `nginx -T`'s marker"),
        "{report:#}"
    );
}

/// A path dumped twice, or a dumped file no include reaches, is said; neither is dropped.
#[test]
fn a_part_no_include_reaches_is_read_with_the_file_before_it() {
    let dump = b"# configuration file /etc/nginx/nginx.conf:\n\
http {\n    include /etc/nginx/site.conf;\n}\n\n\
# configuration file /etc/nginx/site.conf:\n\
server { listen 443 ssl; server_name a.example; root /srv; }\n\n\
# configuration file /etc/nginx/site.conf:\n\
server { listen 443 ssl; server_name b.example; root /srv; }\n\n";
    let report: serde_json::Value = serde_json::from_slice(&lint_stdin(dump, &[])).unwrap();
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("b.example")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("marker for `/etc/nginx/site.conf`")),
        "{messages:#?}"
    );
}

/// `{ nginx -V; nginx -T; } 2>&1 | aop-lint -`: the `-V` lines ahead of the dump name the
/// build (here Debian's, where `stream` is a dynamic module) and the release, as an
/// `nginx-V.txt` beside a tree does.
#[test]
fn nginx_v_lines_ahead_of_a_dump_name_the_build_and_release() {
    let dir =
        repo().join("fixtures/nginx/parse-error-stream-without-load-module-build-from-nginx-v");
    let dump = synthetic_dump(&dir);
    let head = std::fs::read(dir.join("nginx-V.txt")).unwrap();
    assert!(dump.starts_with(&head));
    let out = assert_cmd::Command::cargo_bin("aop-lint")
        .unwrap()
        .current_dir(repo())
        .args(["-", "--format", "json"])
        .write_stdin(dump.clone())
        .output()
        .unwrap();
    let found: Vec<String> = places(&out.stdout).into_iter().map(|p| p.0).collect();
    assert_eq!(found, ["AOP001"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(
            "nginx 1.22.1, Debian's packages as the `nginx -V` lines ahead of the dump says"
        ),
        "{said}"
    );
    // Without the lines the build is unknown: the block is read, not refused.
    let plain = lint_stdin(&dump[head.len()..], &[]);
    let found: Vec<String> = places(&plain).into_iter().map(|p| p.0).collect();
    assert_eq!(found, ["AOP004"]);
}
