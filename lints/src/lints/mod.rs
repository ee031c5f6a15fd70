//! One lint per file. Each file declares its lint with `declare_lint!` and ends with its tests.

pub(crate) mod bool_comparison;
pub(crate) mod collapsible_let_in;
pub(crate) mod empty_pattern;
pub(crate) mod eta_reduction;
pub(crate) mod manual_inherit;
pub(crate) mod manual_inherit_from;
pub(crate) mod redundant_pattern_bind;
pub(crate) mod syntax_error;
pub(crate) mod useless_parens;
