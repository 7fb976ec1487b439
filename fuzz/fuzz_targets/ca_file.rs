//! The CA-file reader on arbitrary bytes, as a PEM bundle and as DER, then the analysis that
//! names what the file trusts.
#![no_main]

use std::path::{Path, PathBuf};

use aop_pki::{analyze, parse_ca_bytes, AnalysisOptions, CaContent, CertInfo};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = CertInfo::from_der(data);
    let path = Path::new("ca.pem");
    let content = match parse_ca_bytes(data, path) {
        Ok((certs, issues)) => CaContent {
            path: PathBuf::from(path),
            is_dir: false,
            certs,
            error: None,
            issues,
        },
        Err(error) => CaContent {
            path: PathBuf::from(path),
            is_dir: false,
            certs: Vec::new(),
            error: Some(error),
            issues: Vec::new(),
        },
    };
    let analysis = analyze(
        &content,
        &AnalysisOptions {
            trusted_sha256: &[],
            now: 1_767_225_600,
            expiry_warn_days: 30,
        },
    );
    assert!(!analysis.summary.is_empty() || content.certs.is_empty());
});
