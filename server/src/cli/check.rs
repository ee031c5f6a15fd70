//! `nixwise check`.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct CheckArgs {}

pub fn run(_args: CheckArgs) -> ExitCode {
    eprintln!("nixwise check: not built yet");
    ExitCode::from(2)
}
