//! One lint per file. Each file declares its lint with `declare_lint!` and ends with its tests.

pub(crate) mod bool_comparison;
pub(crate) mod deprecated_flake_output;
pub(crate) mod empty_inherit;
pub(crate) mod empty_let_in;
pub(crate) mod flake_schema;
pub(crate) mod legacy_let_syntax;
pub(crate) mod missing_ci_outputs;
pub(crate) mod missing_default_outputs;
pub(crate) mod missing_description;
pub(crate) mod nixconfig_substituters;
pub(crate) mod overlay_signature;
pub(crate) mod search_path_lookup;
pub(crate) mod syntax_error;
pub(crate) mod system_coverage;
pub(crate) mod unpinned_flake_input;
pub(crate) mod unquoted_uri;
pub(crate) mod unused_flake_input;
pub(crate) mod unused_lambda_arg;
pub(crate) mod unused_let_binding;
pub(crate) mod unused_pattern_binding;
