//! What a real nginx makes of each CA fixture: `nginx -t` loads every CA file at start-up, so
//! it must refuse exactly the trees where aop-lint reports an AOP301 error ("nginx refuses to
//! start"), and name the same file.

mod common;

use std::fs;
use std::path::Path;

use common::{aop_lint, cases, nginx_binary, nginx_command, repo};

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The fixtures name server certificates that are not there; `nginx -t` would stop at those
/// before reaching the CA file, so they are replaced by a generated one.
fn use_test_certificate(tree: &Path, dir: &Path) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (crt, key) = (dir.join("test.crt"), dir.join("test.key"));
    fs::write(&crt, made.cert.pem()).unwrap();
    fs::write(&key, made.key_pair.serialize_pem()).unwrap();
    for entry in walkdir::WalkDir::new(tree) {
        let path = entry.unwrap().into_path();
        if path.extension().is_some_and(|e| e == "conf") {
            rewrite(&path, &crt, &key);
        }
    }
}

fn rewrite(conf: &Path, crt: &Path, key: &Path) {
    let text = fs::read_to_string(conf).unwrap();
    let rewritten: Vec<String> = text
        .lines()
        .map(|l| {
            let t = l.trim_start();
            let indent = &l[..l.len() - t.len()];
            if t.starts_with("ssl_certificate ") {
                format!("{indent}ssl_certificate {};", crt.display())
            } else if t.starts_with("ssl_certificate_key ") {
                format!("{indent}ssl_certificate_key {};", key.display())
            } else {
                l.to_string()
            }
        })
        .collect();
    fs::write(conf, rewritten.join("\n") + "\n").unwrap();
}

/// (exit status ok, what nginx printed).
fn nginx_t(nginx: &Path, dir: &Path) -> (bool, String) {
    let out = nginx_command(nginx, dir)
        .arg("-t")
        .args(["-g", &format!("pid {};", dir.join("nginx.pid").display())])
        .output()
        .expect("nginx runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (code, severity, message) of each finding.
fn findings(case: &str) -> Vec<(String, String, String)> {
    let out = aop_lint(&[case, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("code"), s("severity"), s("message"))
        })
        .collect()
}

#[test]
fn nginx_refuses_exactly_the_ca_files_we_say_it_refuses() {
    let Some(nginx) = nginx_binary("nginx CA file tests") else {
        return;
    };
    let mut checked = 0;
    for case in cases("nginx")
        .into_iter()
        .filter(|c| c.contains("/ca-") || c.ends_with("/compliant"))
    {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("tree");
        copy_tree(&repo().join(&case), &dir);
        use_test_certificate(&dir, tmp.path());
        let (ok, said) = nginx_t(&nginx, &dir);
        let ours = findings(&case);
        let refusal = ours.iter().find(|(code, sev, msg)| {
            code == "AOP301" && sev == "error" && msg.contains("refuses to start")
        });
        assert_eq!(
            !ok,
            refusal.is_some(),
            "{case}: nginx -t said:\n{said}\nwe said: {ours:?}"
        );
        if let Some((_, _, msg)) = refusal {
            // Our message quotes the path as written; nginx names the file it opened.
            let written = msg.split('`').nth(1).unwrap();
            assert!(
                said.contains(written),
                "{case}: nginx -t said:\n{said}\nwe said: {msg}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 15, "{checked} CA fixtures checked");
}
