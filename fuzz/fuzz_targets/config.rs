//! Any text as a nixwise.toml, and the configuration it gives driving a check and a fix.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../lints/tests/support/properties.rs"]
mod properties;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        properties::check_config(text);
    }
});
