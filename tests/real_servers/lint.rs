//! aop-lint's side of the comparison: the built binary run on the original fixture tree.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::plan::Verdict;
use super::process::run_with_timeout;

use super::report_codes::{any_of, codes, foreign_codes, open_codes};

pub struct Lint {
    pub codes: Vec<String>,
    pub verdict: Verdict,
}

/// `server` is `nginx` or `apache`, passed as `--server` so detection is not under test here.
pub fn lint(tree: &Path, server: &str) -> Result<Lint, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aop-lint"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--format", "json", "--server", server])
        .arg(tree);
    let out = run_with_timeout(&mut cmd, Duration::from_secs(30))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.code() == Some(2) {
        return Err(format!(
            "aop-lint could not read the tree (exit 2): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let json: serde_json::Value = serde_json::from_str(&stdout).map_err(|e| {
        format!(
            "aop-lint gave no JSON report ({e}; exit {:?}): {}{}",
            out.status.code(),
            stdout.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        )
    })?;
    let codes = codes(&json)?;
    let verdict = Verdict {
        open: any_of(&codes, &open_codes()),
        foreign: any_of(&codes, &foreign_codes()),
    };
    Ok(Lint { codes, verdict })
}
