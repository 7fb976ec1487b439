//! What `cargo publish` and `cargo deb` need from the manifests, checked without either
//! tool: every asset the Debian package names exists or is written by
//! scripts/deb-assets.sh, and every crate that can be published says what it is.

mod common;

use std::path::Path;

use common::repo;

fn manifest(path: &Path) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn files_matching(pattern: &str) -> usize {
    let path = repo().join(pattern);
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return 0;
    };
    match name.split_once('*') {
        None => usize::from(path.is_file()),
        Some((prefix, suffix)) => std::fs::read_dir(path.parent().unwrap())
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| {
                        let n = e.file_name().to_string_lossy().into_owned();
                        e.path().is_file() && n.starts_with(prefix) && n.ends_with(suffix)
                    })
                    .count()
            })
            .unwrap_or(0),
    }
}

#[test]
fn every_debian_asset_exists_or_is_written_by_the_assets_script() {
    let root = manifest(&repo().join("Cargo.toml"));
    let deb = &root["package"]["metadata"]["deb"];
    let out = tempfile::tempdir().unwrap();
    let ok = std::process::Command::new("bash")
        .arg(repo().join("scripts/deb-assets.sh"))
        .arg(env!("CARGO_BIN_EXE_aop-lint"))
        .arg(out.path())
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let mut dests = Vec::new();
    for asset in deb["assets"].as_array().unwrap() {
        let a = asset.as_array().unwrap();
        let (src, dest, mode) = (
            a[0].as_str().unwrap(),
            a[1].as_str().unwrap(),
            a[2].as_str().unwrap(),
        );
        assert!(
            !dest.starts_with('/'),
            "{dest}: cargo-deb wants it relative"
        );
        assert!(mode == "644" || mode == "755", "{src}: {mode}");
        dests.push(dest);
        if src == "target/release/aop-lint" {
            assert_eq!(mode, "755");
        } else if let Some(name) = src.strip_prefix("target/release/deb-assets/") {
            let file = out.path().join(name);
            assert!(file.is_file(), "scripts/deb-assets.sh writes no {name}");
            let text = if name.ends_with(".gz") {
                let o = std::process::Command::new("gzip")
                    .arg("-dc")
                    .arg(&file)
                    .output()
                    .unwrap();
                assert!(o.status.success(), "{name} is not gzip");
                String::from_utf8(o.stdout).unwrap()
            } else {
                std::fs::read_to_string(&file).unwrap()
            };
            assert!(
                text.contains("fail-on") || text.contains("fail\\-on"),
                "{name}"
            );
        } else {
            assert!(files_matching(src) > 0, "{src} matches no file");
        }
    }
    for wanted in [
        "usr/bin/",
        "usr/share/man/man1/",
        "usr/share/bash-completion/completions/aop-lint",
        "usr/share/zsh/vendor-completions/",
        "usr/share/fish/vendor_completions.d/",
    ] {
        assert!(dests.contains(&wanted), "nothing installed to {wanted}");
    }
    assert!(
        deb.get("maintainer").is_none(),
        "the builder names the maintainer"
    );
}

/// Crates.io's rules for the fields it checks: at most five keywords of at most 20
/// characters, a readme that exists, and a version on every path dependency.
#[test]
fn crates_carry_what_publishing_needs() {
    let root = manifest(&repo().join("Cargo.toml"));
    let version = root["workspace"]["package"]["version"].as_str().unwrap();
    for (name, dep) in root["workspace"]["dependencies"].as_table().unwrap() {
        if dep.get("path").is_some() {
            assert_eq!(
                dep.get("version").and_then(|v| v.as_str()),
                Some(version),
                "{name}"
            );
        }
    }
    let package = &root["package"];
    let keywords = package["keywords"].as_array().unwrap();
    assert!(keywords.len() <= 5);
    for k in keywords {
        let k = k.as_str().unwrap();
        assert!(k.len() <= 20 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
    assert!(!package["categories"].as_array().unwrap().is_empty());
    assert!(repo().join(package["readme"].as_str().unwrap()).is_file());
    let mut published = 0;
    for entry in std::fs::read_dir(repo().join("crates")).unwrap() {
        let path = entry.unwrap().path().join("Cargo.toml");
        let m = manifest(&path);
        let p = &m["package"];
        if p.get("publish").and_then(|v| v.as_bool()) == Some(false) {
            continue;
        }
        assert!(p.get("description").is_some(), "{}", path.display());
        assert!(p.get("license").is_some(), "{}", path.display());
        published += 1;
    }
    assert!(published >= 10);
}

/// The Debian package `.ci/run` builds with cargo-deb and installs with apt (`AOP_DEB` names
/// the file): it installs what it says, its binary runs from `/usr/bin`, and it lints the
/// stock `/etc/nginx` and `/etc/apache2` of the same machine, read whole.
#[test]
fn installed_debian_package_lints_the_stock_trees() {
    let Some(deb) = std::env::var_os("AOP_DEB") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "AOP_DEB is not set under CI: .ci/run builds and installs the package"
        );
        eprintln!("SKIPPED installed_debian_package: AOP_DEB is not set");
        return;
    };
    let run = |program: &str, args: &[&str]| {
        let o = std::process::Command::new(program)
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let (_, fields) = run(
        "dpkg-deb",
        &["--field", deb.to_str().unwrap(), "Package", "Version"],
    );
    let version = format!("{}-1", env!("CARGO_PKG_VERSION"));
    assert_eq!(fields, format!("Package: aop-lint\nVersion: {version}\n"));
    let (status, installed) = run("dpkg-query", &["-W", "-f", "${Version}", "aop-lint"]);
    assert_eq!(
        (status, installed.as_str()),
        (Some(0), version.as_str()),
        "the package is installed"
    );
    let (_, listed) = run("dpkg", &["-L", "aop-lint"]);
    for file in [
        "/usr/bin/aop-lint",
        "/usr/share/man/man1/aop-lint.1.gz",
        "/usr/share/bash-completion/completions/aop-lint",
        "/usr/share/zsh/vendor-completions/_aop-lint",
        "/usr/share/fish/vendor_completions.d/aop-lint.fish",
        "/usr/share/doc/aop-lint/docs/rules/AOP101.md",
    ] {
        assert!(
            listed.lines().any(|l| l == file),
            "{file} is not in the package:\n{listed}"
        );
        assert!(Path::new(file).is_file(), "{file} is not installed");
    }
    let (status, said) = run("/usr/bin/aop-lint", &["--version"]);
    assert_eq!(status, Some(0));
    assert!(
        said.starts_with(&format!("aop-lint {}", env!("CARGO_PKG_VERSION"))),
        "{said}"
    );
    // Debian's stock trees serve their welcome page over plain HTTP: one AOP202 each, and
    // nothing unread or refused.
    for tree in ["/etc/nginx", "/etc/apache2"] {
        let (status, json) = run("/usr/bin/aop-lint", &[tree, "--format", "json"]);
        assert_eq!(status, Some(1), "{tree}: {json}");
        let report: serde_json::Value = serde_json::from_str(&json).unwrap();
        let codes: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["AOP202"], "{tree}: {json}");
    }
}
