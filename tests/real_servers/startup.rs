//! nginx's start-up checks that aop-lint reports as AOP001, asked of `nginx -t`: every
//! `parse-error-*` fixture must be refused in the words of one of aop-lint's AOP001
//! findings, and every servable `parse-error-ok-*` fixture accepted. Certificate and CA paths
//! are pointed at generated files first (line for line, so nginx's line numbers hold); nothing
//! else is changed, so what nginx checks is the fixture as written.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::env;
use super::fixtures::root;
use super::layout::copy_tree;
use super::pki::pki;
use super::process::run_with_timeout;

/// The fixture's files with each certificate directive naming a file that exists.
fn with_real_certificates(dir: &Path) {
    let pki = pki();
    for entry in fs::read_dir(dir).expect("copied tree").flatten() {
        let path = entry.path();
        if path.is_dir() {
            with_real_certificates(&path);
            continue;
        }
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let lines: Vec<String> = text
            .lines()
            .map(|line| {
                let indent = &line[..line.len() - line.trim_start().len()];
                let file = match line.split_whitespace().next() {
                    Some("ssl_certificate") => pki.server_cert(),
                    Some("ssl_certificate_key") => pki.server_key(),
                    Some("ssl_client_certificate" | "ssl_trusted_certificate") => {
                        pki.cloudflare_ca()
                    }
                    _ => return line.to_string(),
                };
                let name = line.split_whitespace().next().unwrap_or_default();
                format!("{indent}{name} {};", file.display())
            })
            .collect();
        fs::write(&path, lines.join("\n") + "\n").expect("write");
    }
}

/// `nginx -t` on a prepared copy: `None` when nginx accepts it, else its `[emerg]` message
/// with the copy's directory replaced by the fixture's own.
fn nginx_test(nginx: &Path, case: &str) -> Option<String> {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    copy_tree(&root().join(case), dir).expect("copy fixture");
    with_real_certificates(dir);
    let mut cmd = crate::common::nginx_command(nginx, dir);
    cmd.arg("-t");
    let out = run_with_timeout(&mut cmd, Duration::from_secs(20)).expect("nginx -t runs");
    if out.status.success() {
        return None;
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let emerg = stderr
        .lines()
        .find_map(|l| l.split_once("[emerg] ").map(|(_, m)| m.to_string()))
        .unwrap_or_else(|| panic!("{case}: nginx -t failed without [emerg]: {stderr}"));
    Some(emerg.replace(&dir.display().to_string(), case))
}

/// The nginx release a fixture's `aop-lint.toml` names (`nginx_version = "1.30.4"`).
fn pinned_release(case: &str) -> Option<String> {
    let text = fs::read_to_string(root().join(case).join("aop-lint.toml")).ok()?;
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == "nginx_version")
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
}

/// aop-lint's AOP001 messages for the fixture.
fn aop001(case: &str, server: &str) -> Vec<String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aop-lint"));
    cmd.current_dir(root())
        .args(["--format", "json", "--server", server, case]);
    let out = run_with_timeout(&mut cmd, Duration::from_secs(30)).expect("aop-lint runs");
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("aop-lint's JSON report");
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "AOP001")
        .filter_map(|f| f["message"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn nginx_refuses_to_start_where_aop001_says() {
    let Some(tools) = env::tools("nginx start-up checks", &["nginx"]) else {
        return;
    };
    let nginx = &tools[0];
    let mut cases: Vec<String> = fs::read_dir(root().join("fixtures/nginx"))
        .expect("fixtures/nginx")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("parse-error-"))
        .collect();
    cases.sort();
    let mut problems = Vec::new();
    let mut checked = 0;
    for name in &cases {
        let case = format!("fixtures/nginx/{name}");
        let clean = name.starts_with("parse-error-ok-");
        // A clean fixture nginx cannot run for other reasons (a module Debian lacks) says so.
        if clean && !root().join(&case).join("servable").is_file() {
            continue;
        }
        // A fixture whose aop-lint.toml names the release is tested on that release.
        let release = pinned_release(&case);
        let binary = match release.as_deref() {
            None => nginx.clone(),
            Some(v) if v.starts_with("1.22.") => nginx.clone(),
            Some(v) => match env::nginx_release(v) {
                Some(bin) => bin,
                None => continue,
            },
        };
        checked += 1;
        let refused = nginx_test(&binary, &case);
        let said = aop001(&case, "nginx");
        println!("{case:<55} nginx: {refused:?} | aop-lint AOP001: {said:?}");
        match (clean, refused) {
            (true, None) => {}
            (true, Some(e)) => problems.push(format!("{case}: nginx -t refuses it: {e}")),
            (false, None) => problems.push(format!("{case}: nginx -t accepts it")),
            (false, Some(e)) if said.iter().any(|m| e.starts_with(m.as_str())) => {}
            (false, Some(e)) => problems.push(format!(
                "{case}: nginx says `{e}`, aop-lint's AOP001 say {said:?}"
            )),
        }
    }
    assert!(checked > 0, "no parse-error fixture checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// httpd's own refusal of the Apache fixture `case` (`apache2 -t`), without the place.
fn apache_test(apache: &Path, case: &str) -> Option<String> {
    let main = root().join(case).join("apache2.conf");
    let mut cmd = Command::new(apache);
    cmd.arg("-t").arg("-f").arg(&main);
    let out = run_with_timeout(&mut cmd, Duration::from_secs(20)).expect("apache2 -t runs");
    if out.status.success() {
        return None;
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The message follows the place on its line, or (a long one) on the next.
    let place = |end: &str| format!("{}:{end}", main.display());
    let placed = stderr
        .split_once(place(" ").as_str())
        .or_else(|| stderr.split_once(place("\n").as_str()));
    Some(match placed {
        Some((_, message)) => message.trim().to_string(),
        // A refusal with no place (`AH00534: apache2: Configuration error: No MPM loaded.`):
        // the words after the message number and the program's name.
        None => {
            let said = stderr.trim();
            said.strip_prefix("AH")
                .and_then(|rest| rest.split_once(": "))
                .and_then(|(_, rest)| rest.split_once(": "))
                .map_or(said, |(_, words)| words)
                .to_string()
        }
    })
}

/// The Apache fixtures whose truth is httpd's start-up check rather than served requests
/// (their `not-servable` says `apache2 -t`): httpd refuses each in the words of an AOP001, or
/// accepts the `-ok` ones, which have no AOP001.
#[test]
fn apache_refuses_to_start_where_aop001_says() {
    let Some(tools) = env::tools("Apache start-up checks", &["apache2"]) else {
        return;
    };
    let apache = &tools[0];
    let mut cases: Vec<String> = fs::read_dir(root().join("fixtures/apache"))
        .expect("fixtures/apache")
        .flatten()
        .filter(|e| {
            fs::read_to_string(e.path().join("not-servable"))
                .is_ok_and(|why| why.contains("`apache2 -t`"))
        })
        .map(|e| format!("fixtures/apache/{}", e.file_name().to_string_lossy()))
        .collect();
    cases.sort();
    assert!(
        !cases.is_empty(),
        "no Apache fixture is checked by apache2 -t"
    );
    let mut problems = Vec::new();
    for case in &cases {
        let refused = apache_test(apache, case);
        let said = aop001(case, "apache");
        println!("{case:<55} apache2: {refused:?} | aop-lint AOP001: {said:?}");
        // An `-ok` fixture whose truth is that httpd accepts it.
        let accepted = fs::read_to_string(root().join(case).join("not-servable"))
            .is_ok_and(|why| why.contains("`apache2 -t` accepts it"));
        match refused {
            None if accepted && said.is_empty() => {}
            None if accepted => problems.push(format!(
                "{case}: apache2 -t accepts it, aop-lint says {said:?}"
            )),
            Some(e) if accepted => problems.push(format!("{case}: apache2 -t refuses it: {e}")),
            None => problems.push(format!("{case}: apache2 -t accepts it")),
            Some(e) if said.iter().any(|m| m.starts_with(e.as_str())) => {}
            Some(e) => problems.push(format!(
                "{case}: apache2 says `{e}`, aop-lint's AOP001 say {said:?}"
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
