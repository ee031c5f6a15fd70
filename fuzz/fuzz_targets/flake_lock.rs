//! Any text as a flake.lock: the JSON reader, the lock model and the lock lints.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../lints/tests/support/properties.rs"]
mod properties;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        properties::check_lock(text);
    }
});
