//! Models of a flake: flake.nix (inputs, outputs, systems) and flake.lock (with the position of
//! everything in it) for the lints that check them and their agreement.

pub mod check;
pub mod edit;
pub mod flakeref;
pub mod json;
pub mod lock;
pub mod model;
