//! Between the rules and the report: which findings a project has decided to see. Inline
//! suppressions are matched first (an unmatched one becomes an AOP003 finding), then
//! severities are overridden, then the selection keeps the rules asked for.

mod policy;
mod suppress;

pub use policy::{resolve_rules, Policy};
pub use suppress::{apply_suppressions, scan_file, Suppression, SuppressionError};

use aop_model::Finding;
use aop_source::SourceMap;

/// Every step in order; `findings` are those of the trees whose files are all in `map`.
pub fn gate(findings: Vec<Finding>, map: &SourceMap, policy: &Policy) -> Vec<Finding> {
    let findings = apply_suppressions(findings, map);
    policy.apply(findings)
}
