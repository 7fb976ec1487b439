//! Generated from the files of this directory: do not edit. Regenerate with
//! `UPDATE_REGISTRY=1 cargo test -p aop-rules registry` (`aop-gen new-rule` does it too).

pub mod ca_expired;
pub mod ca_file_unreadable;
pub mod ca_not_a_ca;
pub mod ca_shared_cloudflare;
pub mod ca_superseded;
pub mod ca_untrusted;
pub mod client_ca_missing;
pub mod client_verify_missing;
pub mod client_verify_optional_unenforced;
pub mod client_verify_per_directory;
pub mod client_verify_renegotiation;
pub mod client_verify_too_deep;
pub mod content_without_certificate;
pub mod default_certificate_names_site;
pub mod default_server_missing;
pub mod handshake_crosses_client_ca;
pub mod include_unresolved;
pub mod not_checked;
pub mod parse_error;
pub mod plaintext_serves_content;
pub mod probe_differs_from_files;
pub mod probe_own_certificate_refused;
pub mod probe_plain_http_served;
pub mod probe_public_ca_list;
pub mod probe_served_forged_client_address;
pub mod probe_served_unknown_ca;
pub mod probe_served_without_certificate;
pub mod real_ip_untrusted;
pub mod session_resumption_crosses_client_ca;
pub mod unused_suppression;

/// Every rule, in file order ([`crate::RULES`] sorts them by code).
pub(crate) const ENTRIES: &[crate::registry::Entry] = &[
    ca_expired::ENTRY,
    ca_file_unreadable::ENTRY,
    ca_not_a_ca::ENTRY,
    ca_shared_cloudflare::ENTRY,
    ca_superseded::ENTRY,
    ca_untrusted::ENTRY,
    client_ca_missing::ENTRY,
    client_verify_missing::ENTRY,
    client_verify_optional_unenforced::ENTRY,
    client_verify_per_directory::ENTRY,
    client_verify_renegotiation::ENTRY,
    client_verify_too_deep::ENTRY,
    content_without_certificate::ENTRY,
    default_certificate_names_site::ENTRY,
    default_server_missing::ENTRY,
    handshake_crosses_client_ca::ENTRY,
    include_unresolved::ENTRY,
    not_checked::ENTRY,
    parse_error::ENTRY,
    plaintext_serves_content::ENTRY,
    probe_differs_from_files::ENTRY,
    probe_own_certificate_refused::ENTRY,
    probe_plain_http_served::ENTRY,
    probe_public_ca_list::ENTRY,
    probe_served_forged_client_address::ENTRY,
    probe_served_unknown_ca::ENTRY,
    probe_served_without_certificate::ENTRY,
    real_ip_untrusted::ENTRY,
    session_resumption_crosses_client_ca::ENTRY,
    unused_suppression::ENTRY,
];
