//! Turns what a CA source holds into problems, one variant per thing a rule reports. Data
//! only: the rules crate words them and attaches the directive's span.

use std::path::PathBuf;

use aop_model::Severity;

use crate::cert::CertInfo;
use crate::content::{CaContent, CaError, CaIssue};
use crate::fingerprint::Sha256Fingerprint;
use crate::known::{classify, Known};
use crate::time::format_date;

const SECONDS_PER_DAY: i64 = 86_400;

/// How many certificates a problem names before it only counts.
pub const EXAMPLES: usize = 3;

/// What the checks depend on besides the file.
#[derive(Clone, Debug)]
pub struct AnalysisOptions<'a> {
    pub trusted_sha256: &'a [Sha256Fingerprint],
    /// Unix seconds; fixed in tests.
    pub now: i64,
    pub expiry_warn_days: u32,
}

/// A certificate as problems cite it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertRef {
    pub name: String,
    pub subject: String,
    pub issuer: String,
    pub sha256: Sha256Fingerprint,
    pub file: PathBuf,
    /// 1-based among the file's certificate blocks.
    pub index: usize,
    pub not_before: i64,
    pub not_after: i64,
    pub known: Known,
}

impl CertRef {
    fn new(info: &CertInfo, file: &std::path::Path, index: usize, known: Known) -> Self {
        CertRef {
            name: info.short_name().to_string(),
            subject: info.subject.clone(),
            issuer: info.issuer.clone(),
            sha256: info.sha256,
            file: file.to_path_buf(),
            index,
            not_before: info.not_before,
            not_after: info.not_after,
            known,
        }
    }

    pub fn not_after_date(&self) -> String {
        format_date(self.not_after)
    }
}

/// Why a certificate cannot act as a CA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotCaReason {
    NoBasicConstraints,
    /// basicConstraints present with CA:FALSE.
    CaFalse,
    /// A keyUsage without keyCertSign.
    NoKeyCertSign,
}

/// One thing wrong (or worth knowing) about a CA source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// AOP301: the source gives the server nothing (it refuses to start, or trusts nothing).
    Unreadable { error: CaError },
    /// AOP301: certificate blocks that do not decode. In a file OpenSSL's loader stops at
    /// the first, so `in_file` makes it an error; in a directory only that entry is lost.
    BadCertificates {
        in_file: bool,
        certs: Vec<(PathBuf, usize, String)>,
    },
    /// AOP301 (warning): hashed directory entries that give no certificate.
    UnusableEntries { entries: Vec<(String, CaError)> },
    /// AOP301 (warning): certificates in a hashed directory under names OpenSSL never opens.
    UnhashedCertificates { entries: Vec<(String, Vec<String>)> },
    /// AOP301 (warning): hashed entries named after another subject hash: (entry, subject,
    /// the hash it should be named after).
    MisnamedEntries {
        entries: Vec<(String, String, Option<u32>)>,
    },
    /// AOP301 (warning): a private key sits in the CA file.
    PrivateKey { file: PathBuf, label: String },
    /// AOP302: certificates that are neither Cloudflare's origin-pull CA nor declared.
    Untrusted {
        total: usize,
        untrusted: usize,
        examples: Vec<CertRef>,
    },
    /// AOP302: Cloudflare's Origin CA, which signs server certificates, used as a client CA.
    OriginCaConfusion { certs: Vec<CertRef> },
    /// AOP303 (error): past notAfter.
    Expired { certs: Vec<CertRef> },
    /// AOP303 (error): before notBefore.
    NotYetValid { certs: Vec<CertRef> },
    /// AOP303 (warning): ends within the warning window.
    ExpiresSoon { certs: Vec<CertRef>, days_left: i64 },
    /// AOP304: certificates that cannot sign client certificates.
    NotACa { certs: Vec<(CertRef, NotCaReason)> },
    /// AOP305 (info): the shared origin-pull CA: any Cloudflare account passes.
    SharedCloudflare { cert: CertRef },
    /// AOP306: the origin-pull CA of 2015, expired and replaced by the 2019 one.
    Superseded {
        cert: CertRef,
        replacement_present: bool,
    },
}

impl Problem {
    /// The rule that reports it.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Unreadable { .. }
            | Problem::BadCertificates { .. }
            | Problem::UnusableEntries { .. }
            | Problem::UnhashedCertificates { .. }
            | Problem::MisnamedEntries { .. }
            | Problem::PrivateKey { .. } => "AOP301",
            Problem::Untrusted { .. } | Problem::OriginCaConfusion { .. } => "AOP302",
            Problem::Expired { .. } | Problem::NotYetValid { .. } | Problem::ExpiresSoon { .. } => {
                "AOP303"
            }
            Problem::NotACa { .. } => "AOP304",
            Problem::SharedCloudflare { .. } => "AOP305",
            Problem::Superseded { .. } => "AOP306",
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            Problem::BadCertificates { in_file: false, .. }
            | Problem::UnusableEntries { .. }
            | Problem::UnhashedCertificates { .. }
            | Problem::MisnamedEntries { .. }
            | Problem::PrivateKey { .. }
            | Problem::ExpiresSoon { .. }
            | Problem::Superseded {
                replacement_present: true,
                ..
            } => Severity::Warning,
            Problem::SharedCloudflare { .. } => Severity::Info,
            _ => Severity::Error,
        }
    }
}

/// The verdict on one CA source: a one-line account of its content and its problems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    /// "2 certificates: Cloudflare's shared origin-pull CA (2019), 1 other (CN=Example)".
    pub summary: String,
    pub problems: Vec<Problem>,
}

pub fn analyze(content: &CaContent, options: &AnalysisOptions<'_>) -> Analysis {
    let mut problems = Vec::new();
    if let Some(error) = &content.error {
        problems.push(Problem::Unreadable {
            error: error.clone(),
        });
    }
    problems.extend(issue_problems(content));

    let certs: Vec<CertRef> = content
        .certs
        .iter()
        .map(|c| {
            let known = classify(&c.info, options.trusted_sha256);
            CertRef::new(&c.info, &c.file, c.index, known)
        })
        .collect();

    if content.is_dir && content.error.is_none() && certs.is_empty() {
        let hashed = problems
            .iter()
            .map(|p| match p {
                Problem::UnusableEntries { entries } => entries.len(),
                Problem::BadCertificates { certs, .. } => certs.len(),
                _ => 0,
            })
            .sum();
        problems.insert(
            0,
            Problem::Unreadable {
                error: CaError::NoUsableHashedEntry { hashed },
            },
        );
    }

    trust_problems(&certs, &mut problems);
    validity_problems(&certs, options, &mut problems);
    ca_flag_problems(content, &certs, &mut problems);

    Analysis {
        summary: summarize(content, &certs),
        problems,
    }
}

fn issue_problems(content: &CaContent) -> Vec<Problem> {
    let mut bad = Vec::new();
    let mut unusable = Vec::new();
    let mut unhashed = Vec::new();
    let mut misnamed = Vec::new();
    let mut problems = Vec::new();
    for issue in &content.issues {
        match issue {
            CaIssue::BadCertificate {
                file,
                index,
                reason,
            } => bad.push((file.clone(), *index, reason.clone())),
            CaIssue::EntryUnusable { name, error } => unusable.push((name.clone(), error.clone())),
            CaIssue::UnhashedCertificates { name, subjects } => {
                unhashed.push((name.clone(), subjects.clone()))
            }
            CaIssue::MisnamedEntry {
                name,
                subject,
                subject_hash,
            } => misnamed.push((name.clone(), subject.clone(), *subject_hash)),
            CaIssue::PrivateKey { file, label } => problems.push(Problem::PrivateKey {
                file: file.clone(),
                label: label.clone(),
            }),
            CaIssue::OtherBlock { .. }
            | CaIssue::IgnoredEntry { .. }
            | CaIssue::TooManyEntries { .. } => {}
        }
    }
    if !bad.is_empty() {
        problems.insert(
            0,
            Problem::BadCertificates {
                in_file: !content.is_dir,
                certs: bad,
            },
        );
    }
    if !unusable.is_empty() {
        problems.push(Problem::UnusableEntries { entries: unusable });
    }
    if !misnamed.is_empty() {
        problems.push(Problem::MisnamedEntries { entries: misnamed });
    }
    if !unhashed.is_empty() {
        problems.push(Problem::UnhashedCertificates { entries: unhashed });
    }
    problems
}

fn trust_problems(certs: &[CertRef], problems: &mut Vec<Problem>) {
    let origin_ca: Vec<CertRef> = certs
        .iter()
        .filter(|c| c.known.is_origin_ca())
        .cloned()
        .collect();
    if !origin_ca.is_empty() {
        problems.push(Problem::OriginCaConfusion { certs: origin_ca });
    }
    let untrusted: Vec<&CertRef> = certs.iter().filter(|c| c.known == Known::Unknown).collect();
    if !untrusted.is_empty() {
        problems.push(Problem::Untrusted {
            total: certs.len(),
            untrusted: untrusted.len(),
            examples: untrusted.into_iter().take(EXAMPLES).cloned().collect(),
        });
    }
    let current = certs.iter().find(|c| {
        matches!(
            c.known,
            Known::CloudflareAop2019 | Known::CloudflareAopSameKey
        )
    });
    if let Some(cert) = current {
        problems.push(Problem::SharedCloudflare { cert: cert.clone() });
    }
    let replacement_present = certs.iter().any(|c| c.known == Known::CloudflareAop2019);
    for cert in certs
        .iter()
        .filter(|c| c.known == Known::CloudflareAop2015Expired)
    {
        problems.push(Problem::Superseded {
            cert: cert.clone(),
            replacement_present,
        });
    }
}

fn validity_problems(
    certs: &[CertRef],
    options: &AnalysisOptions<'_>,
    problems: &mut Vec<Problem>,
) {
    let window = i64::from(options.expiry_warn_days) * SECONDS_PER_DAY;
    // The 2015 origin-pull CA has its own finding, which says what replaces it.
    let dated = || {
        certs
            .iter()
            .filter(|c| c.known != Known::CloudflareAop2015Expired)
    };
    let expired: Vec<CertRef> = dated()
        .filter(|c| c.not_after < options.now)
        .cloned()
        .collect();
    let not_yet: Vec<CertRef> = dated()
        .filter(|c| c.not_before > options.now)
        .cloned()
        .collect();
    let soon: Vec<CertRef> = dated()
        .filter(|c| c.not_after >= options.now && c.not_after - options.now <= window)
        .cloned()
        .collect();
    if !expired.is_empty() {
        problems.push(Problem::Expired { certs: expired });
    }
    if !not_yet.is_empty() {
        problems.push(Problem::NotYetValid { certs: not_yet });
    }
    if let Some(first) = soon.iter().map(|c| c.not_after).min() {
        problems.push(Problem::ExpiresSoon {
            days_left: (first - options.now) / SECONDS_PER_DAY,
            certs: soon,
        });
    }
}

fn ca_flag_problems(content: &CaContent, certs: &[CertRef], problems: &mut Vec<Problem>) {
    let mut not_ca = Vec::new();
    for (cert, info) in certs.iter().zip(content.certs.iter().map(|c| &c.info)) {
        if let Some(reason) = not_ca_reason(info) {
            not_ca.push((cert.clone(), reason));
        }
    }
    if !not_ca.is_empty() {
        problems.push(Problem::NotACa { certs: not_ca });
    }
}

/// OpenSSL's view (`check_ca`): a keyUsage without keyCertSign is never a CA; with
/// basicConstraints, CA:TRUE decides; without it, a version 1 self-signed root or a keyUsage
/// allowing keyCertSign is tolerated, and anything else is not a CA.
fn not_ca_reason(info: &CertInfo) -> Option<NotCaReason> {
    if info.has_basic_constraints && !info.is_ca {
        return Some(NotCaReason::CaFalse);
    }
    if info.key_cert_sign == Some(false) {
        return Some(NotCaReason::NoKeyCertSign);
    }
    if info.has_basic_constraints {
        return None;
    }
    let v1_root = info.version == 1 && info.self_signed;
    if v1_root || info.key_cert_sign == Some(true) {
        return None;
    }
    Some(NotCaReason::NoBasicConstraints)
}

fn summarize(content: &CaContent, certs: &[CertRef]) -> String {
    if let Some(error) = &content.error {
        return format!("nothing usable: it {error}");
    }
    let count = |n: usize| {
        if n == 1 {
            "1 certificate".to_string()
        } else {
            format!("{n} certificates")
        }
    };
    if certs.is_empty() {
        return "no certificate that decodes".to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    let mut seen: Vec<Known> = Vec::new();
    for cert in certs.iter().filter(|c| c.known != Known::Unknown) {
        if cert.known == Known::UserTrusted {
            parts.push(format!("{} (declared)", cert.name));
        } else if !seen.contains(&cert.known) {
            seen.push(cert.known);
            parts.push(cert.known.describe().to_string());
        }
    }
    let unknown: Vec<&CertRef> = certs.iter().filter(|c| c.known == Known::Unknown).collect();
    if !unknown.is_empty() {
        let names: Vec<&str> = unknown
            .iter()
            .take(EXAMPLES)
            .map(|c| c.name.as_str())
            .collect();
        let more = if unknown.len() > EXAMPLES {
            ", ..."
        } else {
            ""
        };
        parts.push(format!(
            "{} other ({}{more})",
            unknown.len(),
            names.join(", ")
        ));
    }
    format!("{}: {}", count(certs.len()), parts.join(", "))
}
