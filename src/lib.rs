//! The `aop-lint` command: finds the trees, reads them, runs the rules, lets through what the
//! project selected and did not suppress, renders the report.

mod catalog;
mod cli;
pub mod config;
mod discover;
mod probe;
mod run;
mod self_report;
mod sniff;
mod trees;

pub use run::main;
