//! One lint per file. Each file declares its lint with `declare_lint!` and ends with its tests.

pub(crate) mod bool_comparison;
pub(crate) mod syntax_error;
pub(crate) mod unused_with;
