use std::fmt;
use std::path::PathBuf;

use aop_source::ReadError;

use crate::cert::CertInfo;

/// Why a CA file or directory as a whole gives the server nothing to trust.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaError {
    NotFound,
    PermissionDenied,
    /// A directory where the directive wants a file.
    IsDirectory,
    /// A file where the directive wants a directory (`SSLCACertificatePath`).
    NotADirectory,
    /// A FIFO, socket or device.
    NotRegularFile,
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// Zero bytes, or only white space.
    Empty,
    /// Binary DER where PEM is expected; `cert` says what it holds when it decodes.
    Der {
        cert: Option<Box<CertInfo>>,
    },
    /// Neither PEM nor a DER certificate.
    NotPem {
        binary: bool,
    },
    /// PEM, but no certificate block: the labels that were there instead.
    NoCertificate {
        labels: Vec<String>,
    },
    /// A directory without a single `hash.N` entry: OpenSSL looks certificates up by subject
    /// hash only, so it finds nothing. `ignored` counts the other entries.
    NoHashedEntries {
        ignored: usize,
    },
    /// A directory whose `hash.N` entries all failed to give a certificate.
    NoUsableHashedEntry {
        hashed: usize,
    },
    Other(String),
}

impl fmt::Display for CaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaError::NotFound => write!(f, "no such file or directory"),
            CaError::PermissionDenied => write!(f, "permission denied"),
            CaError::IsDirectory => write!(f, "is a directory, not a file"),
            CaError::NotADirectory => write!(f, "is a file, not a directory"),
            CaError::NotRegularFile => write!(f, "not a regular file (a FIFO, socket or device)"),
            CaError::TooLarge { size, limit } => {
                write!(f, "is {size} bytes, over the limit of {limit} bytes")
            }
            CaError::Empty => write!(f, "is empty"),
            CaError::Der { cert: Some(c) } => write!(
                f,
                "is a DER (binary) certificate ({}), but the server reads PEM only",
                c.short_name()
            ),
            CaError::Der { cert: None } => {
                write!(f, "looks like DER (binary), but the server reads PEM only")
            }
            CaError::NotPem { binary: true } => {
                write!(f, "holds binary data that is neither PEM nor a certificate")
            }
            CaError::NotPem { binary: false } => {
                write!(
                    f,
                    "holds text without any `-----BEGIN CERTIFICATE-----` block"
                )
            }
            CaError::NoCertificate { labels } => write!(
                f,
                "holds PEM blocks but no certificate (found: {})",
                labels.join(", ")
            ),
            CaError::NoHashedEntries { ignored: 0 } => write!(f, "is an empty directory"),
            CaError::NoHashedEntries { ignored } => write!(
                f,
                "has {ignored} {} but none named by subject hash (`1a2b3c4d.0`): \
                 OpenSSL looks CA certificates up by that name only",
                if *ignored == 1 { "entry" } else { "entries" }
            ),
            CaError::NoUsableHashedEntry { hashed } => write!(
                f,
                "has {hashed} hashed {} and not one gives a certificate",
                if *hashed == 1 { "entry" } else { "entries" }
            ),
            CaError::Other(e) => write!(f, "{e}"),
        }
    }
}

impl From<ReadError> for CaError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::NotFound => CaError::NotFound,
            ReadError::PermissionDenied => CaError::PermissionDenied,
            ReadError::IsDirectory => CaError::IsDirectory,
            ReadError::NotRegularFile => CaError::NotRegularFile,
            ReadError::TooLarge { size, limit } => CaError::TooLarge { size, limit },
            other => CaError::Other(other.to_string()),
        }
    }
}

/// Something in the file or directory that does not stop the rest from being read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaIssue {
    /// A certificate block that does not decode. OpenSSL's loader gives up on the whole file
    /// at such a block, so the server may refuse to start.
    BadCertificate {
        file: PathBuf,
        /// 1-based among the file's certificate blocks.
        index: usize,
        reason: String,
    },
    /// A private key in a CA file: ignored for trust, but it should not sit there.
    PrivateKey { file: PathBuf, label: String },
    /// A block the CA loader skips (a CRL is used for revocation, not trust).
    OtherBlock { file: PathBuf, label: String },
    /// A directory entry OpenSSL never opens, because it is not named `hash.N`.
    IgnoredEntry { name: String },
    /// A directory entry not named `hash.N` holding certificates no hashed entry holds: they
    /// are not trusted, though whoever put them there meant them to be.
    UnhashedCertificates { name: String, subjects: Vec<String> },
    /// A `hash.N` entry holding a certificate whose subject hash is another: OpenSSL never
    /// opens the entry when it looks that certificate up.
    MisnamedEntry {
        name: String,
        subject: String,
        subject_hash: Option<u32>,
    },
    /// A `hash.N` entry that yields no certificate.
    EntryUnusable { name: String, error: CaError },
    /// The directory has more entries than are read.
    TooManyEntries { limit: usize },
}

/// One certificate and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaCert {
    pub info: CertInfo,
    /// The file it was read from (the entry, for a directory).
    pub file: PathBuf,
    /// 1-based among the file's certificate blocks.
    pub index: usize,
}

/// Everything read from one CA file or directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaContent {
    pub path: PathBuf,
    pub is_dir: bool,
    pub certs: Vec<CaCert>,
    /// Set when the source as a whole is unusable; `certs` is then empty.
    pub error: Option<CaError>,
    pub issues: Vec<CaIssue>,
}

impl CaContent {
    pub(crate) fn failed(path: PathBuf, is_dir: bool, error: CaError) -> Self {
        CaContent {
            path,
            is_dir,
            certs: Vec::new(),
            error: Some(error),
            issues: Vec::new(),
        }
    }
}
