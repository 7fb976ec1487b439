//! `aop-gen --kind nginx --servers 10000 --files 1000 OUT`
//! `aop-gen new-rule NAME CODE` (docs/contributing.md)

mod new_rule;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

/// Writes a realistic configuration tree for benchmarks: N servers across M site files.
#[derive(Parser, Debug)]
#[command(name = "aop-gen")]
struct Args {
    #[arg(long, value_enum, default_value_t = KindArg::Nginx)]
    kind: KindArg,
    /// Number of server blocks (nginx), `<VirtualHost>`s (Apache) or site blocks (Caddy).
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
    Caddy,
}

/// Writes a new rule's file, its registry line and its fixture stubs.
#[derive(Parser, Debug)]
#[command(name = "aop-gen new-rule")]
struct NewRuleArgs {
    /// What is wrong, lowercase words joined by `-` (client-verify-missing).
    name: String,
    /// An unused code in the rule's range (AOP1xx for verification).
    code: String,
    /// The repository to write into.
    #[arg(long, default_value = ".")]
    repo: PathBuf,
}

fn new_rule(args: NewRuleArgs) -> ExitCode {
    let rule = new_rule::NewRule {
        name: args.name,
        code: args.code,
    };
    let range = match rule.validate() {
        Ok(range) => range,
        Err(e) => {
            eprintln!("aop-gen new-rule: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rule.write(&args.repo) {
        Ok(written) => {
            println!("{} {} ({range}):", rule.code, rule.name);
            for path in written {
                println!("  wrote {}", path.display());
            }
            println!("next: fill in the TODOs (docs/contributing.md), then");
            println!(
                "  INSTA_UPDATE=always cargo test -p aop-rules {}",
                rule.name.replace('-', "_")
            );
            println!("  UPDATE_DOCS=1 cargo test -p aop-rules docs");
            println!("  INSTA_UPDATE=always cargo test --test fixtures");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("aop-gen new-rule: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("new-rule") {
        let args = std::env::args().skip(1);
        return new_rule(NewRuleArgs::parse_from(args));
    }
    let args = Args::parse();
    let kind = match args.kind {
        KindArg::Nginx => aop_gen::Kind::Nginx,
        KindArg::Apache => aop_gen::Kind::Apache,
        KindArg::Caddy => aop_gen::Kind::Caddy,
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
