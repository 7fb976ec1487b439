pub mod client_ca_missing;
pub mod client_verify_missing;
pub mod client_verify_optional_unenforced;
pub mod default_server_missing;
pub mod include_unresolved;
pub mod not_checked;
pub mod parse_error;
pub mod plaintext_serves_content;
