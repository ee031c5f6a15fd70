//! Any text through the parser, every lint and every fix (see `check_source` for the invariants).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../lints/tests/support/properties.rs"]
mod properties;

fuzz_target!(|data: &[u8]| {
    // Bytes that are not UTF-8 never reach the parser: the CLI and the server reject them first.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.to_owned();
    // Lints walk trees recursively, so they run on a thread with the stack the server gives them.
    std::thread::Builder::new()
        .stack_size(syntax::WORKER_STACK_SIZE)
        .spawn(move || {
            properties::check_source(&text, Some("default.nix"));
            properties::check_source(&text, Some("flake.nix"));
        })
        .expect("a thread starts")
        .join()
        .unwrap_or_else(|payload| std::panic::resume_unwind(payload));
});
