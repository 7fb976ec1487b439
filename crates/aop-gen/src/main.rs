//! `aop-gen --kind nginx --servers 10000 --files 1000 OUT`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

/// Writes a realistic configuration tree for benchmarks: N servers across M site files.
#[derive(Parser, Debug)]
#[command(name = "aop-gen")]
struct Args {
    #[arg(long, value_enum, default_value_t = KindArg::Nginx)]
    kind: KindArg,
    /// Number of server blocks (nginx) or `<VirtualHost>`s (Apache) for the sites.
    #[arg(long, default_value_t = 10_000)]
    servers: usize,
    /// Number of files under `sites-enabled/` the sites are spread over.
    #[arg(long, default_value_t = 1_000)]
    files: usize,
    /// Directory to write (created; existing files of the same names are overwritten).
    out: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum KindArg {
    Nginx,
    Apache,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let kind = match args.kind {
        KindArg::Nginx => aop_gen::Kind::Nginx,
        KindArg::Apache => aop_gen::Kind::Apache,
    };
    match aop_gen::generate(kind, args.servers, args.files, &args.out) {
        Ok(main) => {
            println!("{}", main.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("aop-gen: {}: {e}", args.out.display());
            ExitCode::FAILURE
        }
    }
}
