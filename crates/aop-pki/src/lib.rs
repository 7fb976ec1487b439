//! What a client CA file or directory really trusts: certificates read with `pem` and
//! `x509-parser` as OpenSSL would load them, recognised against Cloudflare's published
//! origin-pull CAs and the user's own, and checked for expiry and CA flags.

mod analysis;
mod cert;
mod content;
mod fingerprint;
mod hashed_dir;
mod known;
mod name_hash;
mod pem_blocks;
mod read;
mod time;

pub use analysis::{analyze, Analysis, AnalysisOptions, CertRef, NotCaReason, Problem, EXAMPLES};
pub use cert::CertInfo;
pub use content::{CaCert, CaContent, CaError, CaIssue};
pub use fingerprint::{format_sha256, hex_sha256, parse_sha256, sha256, Sha256Fingerprint};
pub use known::{
    classify, cloudflare_aop_2019_end, Known, CLOUDFLARE_AOP_2015_NOT_AFTER,
    CLOUDFLARE_AOP_2015_SHA256, CLOUDFLARE_AOP_2019_NOT_AFTER, CLOUDFLARE_AOP_2019_SHA256,
    CLOUDFLARE_AOP_SPKI_SHA256,
};
pub use read::{parse_ca_bytes, read_ca_source, read_ca_source_below, read_server_certificate};
pub use time::{format_date, format_rfc3339, parse_rfc3339};
