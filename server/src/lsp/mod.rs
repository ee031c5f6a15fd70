//! The language server.

use std::process::ExitCode;

pub fn run_stdio() -> ExitCode {
    eprintln!("nixwise server: not built yet");
    ExitCode::from(2)
}
