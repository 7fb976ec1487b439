//! `aop-lint.toml`: the user's own CAs and the expiry window. Looked up from the linted path
//! upwards, or given with `--config`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use aop_pki::{parse_sha256, Sha256Fingerprint};

pub const FILE_NAME: &str = "aop-lint.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    trusted_ca_sha256: Vec<String>,
    expiry_warn_days: Option<u32>,
}

/// The settings a configuration file gives.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ConfigFile {
    pub trusted_ca_sha256: Vec<Sha256Fingerprint>,
    pub expiry_warn_days: Option<u32>,
}

/// The nearest `aop-lint.toml` in `path` (or its directory, for a file) or above it.
pub fn find(path: &Path) -> Option<PathBuf> {
    let start = if path.is_dir() { path } else { path.parent()? };
    let start = std::path::absolute(start).ok()?;
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

pub fn load(path: &Path) -> Result<ConfigFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse(text: &str) -> Result<ConfigFile, String> {
    let raw: Raw = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut trusted = Vec::with_capacity(raw.trusted_ca_sha256.len());
    for (i, entry) in raw.trusted_ca_sha256.iter().enumerate() {
        match parse_sha256(entry) {
            Some(fp) => trusted.push(fp),
            None => {
                return Err(format!(
                    "trusted_ca_sha256[{i}] = \"{entry}\" is not a SHA-256 fingerprint (64 hex digits, colons allowed)"
                ))
            }
        }
    }
    Ok(ConfigFile {
        trusted_ca_sha256: trusted,
        expiry_warn_days: raw.expiry_warn_days,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_in_any_usual_form() {
        let c = parse(
            "trusted_ca_sha256 = [\n  \"9A:1A:C2:B4:BE:15:F9:F2:7E:EE:20:A7:34:CB:A4:E9:89:8F:61:00:1B:3B:D7:C8:4B:69:B5:6A:3E:25:A2:B9\",\n  \"062465ee\",\n]\nexpiry_warn_days = 60\n",
        );
        let err = c.unwrap_err();
        assert!(err.contains("trusted_ca_sha256[1]"), "{err}");
        let c = parse(
            "trusted_ca_sha256 = [\"062465eea14401f48be7d9a873f2ee674f96806584225d50c04f761d4480b8ba\"]\nexpiry_warn_days = 60\n",
        )
        .unwrap();
        assert_eq!(c.trusted_ca_sha256.len(), 1);
        assert_eq!(c.trusted_ca_sha256[0][0], 0x06);
        assert_eq!(c.expiry_warn_days, Some(60));
    }

    #[test]
    fn unknown_keys_and_bad_types_are_errors_with_a_position() {
        let err = parse("trusted_ca = []\n").unwrap_err();
        assert!(
            err.contains("trusted_ca") && err.contains("line 1"),
            "{err}"
        );
        assert!(parse("expiry_warn_days = \"soon\"\n").is_err());
        assert_eq!(parse("").unwrap(), ConfigFile::default());
    }
}
