//! Between the rules and the report: which findings a project has decided to see. Inline
//! suppressions are matched first (an unmatched one becomes an AOP003 finding), then
//! severities are overridden, then the selection keeps the rules asked for.

mod policy;
mod suppress;

pub use policy::{resolve_rules, Policy};
pub use suppress::{apply_suppressions, scan_file, Sifted, Suppression, SuppressionError};

use aop_model::Finding;
use aop_source::{FileId, SourceMap};

/// Every step in order, for the findings of one tree whose files are `files`. What a
/// suppression silenced goes through the same selection and severities, so a report lists
/// only silenced findings of rules it would otherwise show.
pub fn gate(findings: Vec<Finding>, map: &SourceMap, files: &[FileId], policy: &Policy) -> Sifted {
    let sifted = apply_suppressions(findings, map, files);
    Sifted {
        findings: policy.apply(sifted.findings),
        suppressed: policy.apply_suppressed(sifted.suppressed),
    }
}
