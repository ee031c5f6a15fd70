//! Every nixwise lint, its fixes and its configuration.
//!
//! Pure: takes text and configuration, returns data. No LSP, no files, no async runtime.

pub mod config;
mod diagnostic;
pub mod docs;
mod engine;
pub(crate) mod fetchers;
mod fix;
pub mod flake;
mod incremental;
mod lint;
mod lints;
pub(crate) mod module_context;
pub mod registry;
pub mod scope;
mod suppression;

#[cfg(test)]
mod tests;

pub use config::{Config, Settings, SettingsError, CONFIG_FILE_NAMES};
pub use diagnostic::{Applicability, Diagnostic, Fix, Level, Related, Severity, Tag};
pub use engine::{
    check, check_parsed, check_parsed_on_two_threads, check_parsed_with, check_with, LintFailure,
    Report, Validate,
};
pub use fix::{
    fix_flake, fix_keeps_syntax_of, fix_text, AppliedFix, FixMode, FixOutcome, MAX_ROUNDS,
};
pub use flake::check::{check_flake, FlakeFiles, FlakeReport};
pub use incremental::{check_retaining, Retained};
pub use lint::{
    Category, Finding, Findings, Fixability, Lint, LintCtx, LintOption, OptionDefault, OptionValue,
    Reach,
};
pub use registry::LINTS;
