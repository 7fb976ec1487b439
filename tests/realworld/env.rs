//! Whether the real-world test can run here, and whether not running is allowed: with `CI`
//! set every missing piece is a failure, without it a `not run` line.

use std::path::{Path, PathBuf};

pub const TOOLS: &[&str] = &[
    "nginx", "apache2", "curl", "openssl", "unshare", "nsenter", "ip", "ss", "chroot", "timeout",
];

pub fn ci() -> bool {
    std::env::var("CI").map(|v| !v.is_empty()).unwrap_or(false)
}

/// `AOP_REAL_SERVERS=off` skips on purpose, as for tests/real_servers.rs (not under CI).
pub fn switched_off() -> bool {
    let off = std::env::var("AOP_REAL_SERVERS").as_deref() == Ok("off") && !ci();
    if off {
        println!("realworld: not run: AOP_REAL_SERVERS=off");
    }
    off
}

pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/realworld");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        !ci(),
        "CI is set but {} is missing: the real-world corpus must sit beside the clone",
        dir.display()
    );
    println!(
        "realworld: not run: {} is missing (CI unset)",
        dir.display()
    );
    None
}

/// Private mount and network namespaces need root (CAP_SYS_ADMIN).
pub fn namespaces_allowed() -> bool {
    let ok = std::process::Command::new("unshare")
        .args(["--mount", "--net", "--uts", "--fork", "true"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        let message = "realworld: cannot create mount/network namespaces (needs root)";
        assert!(!ci(), "{message}; CI is set, so this is a failure");
        println!("{message}: not run");
    }
    ok
}

pub fn tools_present() -> bool {
    let missing: Vec<&str> = TOOLS
        .iter()
        .copied()
        .filter(|t| {
            !["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
                .iter()
                .any(|d| Path::new(d).join(t).is_file())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!("realworld: {} not installed", missing.join(", "));
    assert!(!ci(), "{message}; CI is set, so this is a failure");
    println!("{message}: not run");
    false
}
