use crate::rules::{
    ca_expired::CaExpired, ca_file_unreadable::CaFileUnreadable, ca_not_a_ca::CaNotACa,
    ca_shared_cloudflare::CaSharedCloudflare, ca_superseded::CaSuperseded,
    ca_untrusted::CaUntrusted, client_ca_missing::ClientCaMissing,
    client_verify_missing::ClientVerifyMissing,
    client_verify_optional_unenforced::ClientVerifyOptionalUnenforced,
    client_verify_per_directory::ClientVerifyPerDirectory,
    client_verify_renegotiation::ClientVerifyRenegotiation,
    default_server_missing::DefaultServerMissing,
    handshake_crosses_client_ca::HandshakeCrossesClientCa, include_unresolved::IncludeUnresolved,
    not_checked::NotChecked, parse_error::ParseError,
    plaintext_serves_content::PlaintextServesContent,
    probe_differs_from_files::ProbeDiffersFromFiles,
    probe_own_certificate_refused::ProbeOwnCertificateRefused,
    probe_plain_http_served::ProbePlainHttpServed, probe_public_ca_list::ProbePublicCaList,
    probe_served_unknown_ca::ProbeServedUnknownCa,
    probe_served_without_certificate::ProbeServedWithoutCertificate,
    real_ip_untrusted::RealIpUntrusted,
    session_resumption_crosses_client_ca::SessionResumptionCrossesClientCa,
    unused_suppression::UnusedSuppression,
};
use crate::Rule;

/// Every rule, sorted by code.
pub static RULES: &[&dyn Rule] = &[
    &ParseError,
    &IncludeUnresolved,
    &UnusedSuppression,
    &NotChecked,
    &ClientVerifyMissing,
    &ClientVerifyOptionalUnenforced,
    &ClientVerifyPerDirectory,
    &ClientCaMissing,
    &ClientVerifyRenegotiation,
    &DefaultServerMissing,
    &PlaintextServesContent,
    &HandshakeCrossesClientCa,
    &SessionResumptionCrossesClientCa,
    &CaFileUnreadable,
    &CaUntrusted,
    &CaExpired,
    &CaNotACa,
    &CaSharedCloudflare,
    &CaSuperseded,
    &RealIpUntrusted,
    &ProbeServedWithoutCertificate,
    &ProbeServedUnknownCa,
    &ProbePlainHttpServed,
    &ProbePublicCaList,
    &ProbeOwnCertificateRefused,
    &ProbeDiffersFromFiles,
];

/// A rule by code (`AOP101`) or name (`client-verify-missing`), case-insensitively.
pub fn find_rule(key: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        r.meta().code.eq_ignore_ascii_case(key) || r.meta().name.eq_ignore_ascii_case(key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aop_model::codes;

    #[test]
    fn codes_are_unique_and_sorted() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.meta().code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn names_are_kebab_case_and_unique() {
        let mut names: Vec<&str> = RULES.iter().map(|r| r.meta().name).collect();
        for n in &names {
            assert!(
                n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{n}"
            );
        }
        names.sort();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len);
    }

    #[test]
    fn every_rule_documents_the_four_sections() {
        for r in RULES {
            let md = r.meta().markdown();
            for section in [
                "## What it does",
                "## Why it matters",
                "## Example",
                "## Use instead",
            ] {
                assert!(md.contains(section), "{} lacks {section}", r.meta().code);
            }
        }
    }

    #[test]
    fn reader_codes_match_their_rules() {
        for code in [
            codes::PARSE_ERROR,
            codes::INCLUDE_UNRESOLVED,
            codes::NOT_CHECKED,
        ] {
            let rule = find_rule(code.code).expect("registered");
            assert_eq!(rule.meta().id(), code);
        }
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(
            find_rule("aop101").unwrap().meta().name,
            "client-verify-missing"
        );
        assert_eq!(
            find_rule("client-ca-missing").unwrap().meta().code,
            "AOP104"
        );
        assert!(find_rule("AOP999").is_none());
    }
}
