//! The inclusion count both readers keep (`Limits::max_inclusions`): includes repeated at
//! every level multiply without ever forming a cycle, so only a count bounds them.

use aop_source::Span;

use crate::{codes, Finding, Label};

/// Counts one more file spliced in by the include at `span`. `false` once past `limit`: the
/// file is not to be read. The first time the limit is passed, its finding is pushed.
pub fn admit_inclusion(
    count: &mut usize,
    limit: usize,
    span: Span,
    findings: &mut Vec<Finding>,
) -> bool {
    *count += 1;
    if *count <= limit {
        return true;
    }
    if *count == limit + 1 {
        findings.push(
            Finding::new(
                codes::NOT_READ,
                format!("more than {limit} file inclusions: the rest of the tree was not read"),
                Label::new(span, "the inclusion over the limit"),
            )
            .with_note(
                "includes repeated at every level multiply: two at each of 20 levels make a million",
            ),
        );
    }
    false
}
