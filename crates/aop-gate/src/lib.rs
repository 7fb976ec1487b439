//! Between the rules and the report: which findings a project has decided to see. Inline
//! suppressions are matched first (an unmatched one becomes an AOP003 finding), then
//! severities are overridden, then the selection keeps the rules asked for.

mod policy;
mod suppress;

pub use policy::{resolve_rules, Policy};
pub use suppress::{apply_suppressions, scan_file, Suppression, SuppressionError};

use aop_model::Finding;
use aop_source::{FileId, SourceMap};

/// Every step in order, for the findings of one tree whose files are `files`.
pub fn gate(
    findings: Vec<Finding>,
    map: &SourceMap,
    files: &[FileId],
    policy: &Policy,
) -> Vec<Finding> {
    let findings = apply_suppressions(findings, map, files);
    policy.apply(findings)
}
