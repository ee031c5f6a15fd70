//! `nixwise fix`.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct FixArgs {}

pub fn run(_args: FixArgs) -> ExitCode {
    eprintln!("nixwise fix: not built yet");
    ExitCode::from(2)
}
