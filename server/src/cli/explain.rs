//! `nixwise explain`.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ExplainArgs {}

pub fn run(_args: ExplainArgs) -> ExitCode {
    eprintln!("nixwise explain: not built yet");
    ExitCode::from(2)
}
