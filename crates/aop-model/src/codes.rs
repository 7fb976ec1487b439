//! Codes emitted while reading a tree, before any rule runs. Their documentation lives with
//! the other rules in `aop-rules`; the identities live here so the parsers need no rule crate.

use crate::{RuleId, Severity};

pub const PARSE_ERROR: RuleId = RuleId {
    code: "AOP001",
    name: "parse-error",
    severity: Severity::Error,
};

pub const INCLUDE_UNRESOLVED: RuleId = RuleId {
    code: "AOP002",
    name: "include-unresolved",
    severity: Severity::Error,
};

/// Something the tool could not decide (an unresolved variable, an unreadable directory, a
/// limit reached): the part it concerns was not checked, and the report must say so.
pub const NOT_CHECKED: RuleId = RuleId {
    code: "AOP004",
    name: "not-checked",
    severity: Severity::Warning,
};

/// AOP004 for input that was not read at all (a file over the size limit, a directory that
/// cannot be listed, a pattern or inclusion count over its limit, a path outside the tree):
/// an error, so that even `--fail-on error` never passes a tree that was not fully read.
/// What was read but cannot be decided stays a warning ([`NOT_CHECKED`]).
pub const NOT_READ: RuleId = RuleId {
    severity: Severity::Error,
    ..NOT_CHECKED
};
