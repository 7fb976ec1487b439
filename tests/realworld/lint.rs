//! aop-lint's side: the built binary run on the same prepared copy that was served.

use std::path::Path;
use std::process::Command;

use crate::report_codes::{any_of, codes, foreign_codes, open_codes};

/// The server would not start: syntax, an include it cannot follow, a CA file it cannot
/// read, verification without a CA (nginx).
pub const REFUSE_CODES: [&str; 4] = ["AOP001", "AOP002", "AOP104", "AOP301"];

#[derive(Clone)]
pub struct Lint {
    pub codes: Vec<String>,
    pub open: bool,
    pub foreign: bool,
    /// Plain HTTP serves content (AOP202).
    pub plain: bool,
    /// aop-lint says the server would not start: a parse error, or a name or file the
    /// server needs and cannot have.
    pub refuses: bool,
}

/// `target` is the configuration directory (nginx) or main file (Apache) inside `root`.
pub fn lint(root: &Path, target: &Path, server: &str) -> Result<Lint, String> {
    // `timeout` bounds a hang: its exit 124 leaves no JSON, which is reported.
    let out = Command::new("timeout")
        .arg("60")
        .arg(env!("CARGO_BIN_EXE_aop-lint"))
        .arg("--root")
        .arg(root)
        .args(["--format", "json", "--server", server])
        // The trees are served by this machine's Debian packages: a tree written for
        // another build (RHEL's httpd, nginx.org's nginx) is judged for the one that runs it.
        .args(["--build", "debian"])
        .arg(target)
        .output()
        .map_err(|e| format!("cannot run aop-lint: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(&stdout).map_err(|e| {
        format!(
            "aop-lint gave no JSON report ({e}; exit {:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).trim()
        )
    })?;
    let codes = codes(&json)?;
    let has = |set: &[&str]| any_of(&codes, set);
    Ok(Lint {
        open: has(&open_codes()),
        foreign: has(&foreign_codes()),
        plain: has(&["AOP202"]),
        refuses: has(&REFUSE_CODES),
        codes,
    })
}
