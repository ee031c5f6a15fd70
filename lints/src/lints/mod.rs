//! One lint per file. Each file declares its lint with `declare_lint!` and ends with its tests.

pub(crate) mod bool_comparison;
pub(crate) mod daemon_trust_escalation;
pub(crate) mod empty_inherit;
pub(crate) mod empty_let_in;
pub(crate) mod firewall_disabled;
pub(crate) mod impure_builtin;
pub(crate) mod insecure_url;
pub(crate) mod legacy_let_syntax;
pub(crate) mod mutable_fetch_url;
pub(crate) mod nixpkgs_impure_config;
pub(crate) mod nixpkgs_policy_relaxed;
pub(crate) mod plaintext_secret;
pub(crate) mod sandbox_disabled;
pub(crate) mod search_path_lookup;
pub(crate) mod secret_file_in_store;
pub(crate) mod ssh_weak_auth;
pub(crate) mod syntax_error;
pub(crate) mod unnamed_source_path;
pub(crate) mod unpinned_fetch;
pub(crate) mod unquoted_uri;
pub(crate) mod unused_lambda_arg;
pub(crate) mod unused_let_binding;
pub(crate) mod unused_pattern_binding;
pub(crate) mod weak_hash;
