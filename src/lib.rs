//! The `aop-lint` command: finds the tree, reads it, runs the rules, renders the report.

mod cli;
mod config_file;
mod discover;
mod run;

pub use run::main;
