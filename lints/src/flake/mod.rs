//! Models of a flake: flake.lock (with the position of everything in it) for the lints that
//! check the lock and its agreement with flake.nix.

pub mod check;
pub mod json;
pub mod lock;
