//! `nixwise`: a language server and linter for Nix.
#![deny(clippy::print_stdout)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nixwise::{cli, lsp};

/// Trees are many small allocations, made and freed across threads; mimalloc serves them faster
/// than the system allocator (see the workspace's Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A language server and linter for Nix, with DevOps best-practice hints.
#[derive(Parser)]
#[command(name = "nixwise", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check files and folders for problems.
    Check(cli::check::CheckArgs),
    /// Apply fixes to files.
    Fix(cli::fix::FixArgs),
    /// Show the documentation of a lint.
    Explain(cli::explain::ExplainArgs),
    /// Run the language server on standard input and output.
    Server,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            // clap prints help and version to stdout, and usage errors to stderr.
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    match args.command {
        Command::Check(args) => cli::check::run(args),
        Command::Fix(args) => cli::fix::run(args),
        Command::Explain(args) => cli::explain::run(args),
        Command::Server => lsp::run_stdio(),
    }
}
