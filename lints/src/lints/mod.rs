//! One lint per file. Each file declares its lint with `declare_lint!` and ends with its tests.

pub(crate) mod bool_comparison;
pub(crate) mod bool_simplification;
pub(crate) mod deprecated_to_path;
pub(crate) mod duplicate_attribute;
pub(crate) mod duplicate_nixpkgs;
pub(crate) mod empty_inherit;
pub(crate) mod empty_let_in;
pub(crate) mod legacy_let_syntax;
pub(crate) mod lock_missing_or_invalid;
pub(crate) mod nixpkgs_non_upstream;
pub(crate) mod nixpkgs_outdated;
pub(crate) mod no_op_operation;
pub(crate) mod non_portable_lock_entry;
pub(crate) mod repeated_keys;
pub(crate) mod search_path_lookup;
pub(crate) mod self_referential_binding;
pub(crate) mod syntax_error;
pub(crate) mod undefined_variable;
pub(crate) mod unneeded_rec;
pub(crate) mod unquoted_uri;
pub(crate) mod unused_lambda_arg;
pub(crate) mod unused_let_binding;
pub(crate) mod unused_pattern_binding;
pub(crate) mod unused_with;
pub(crate) mod useless_has_attr;
