//! Bytes into the language server in this process. An input whose first byte is even is a list of
//! message bodies, one per line, each framed with its right length (so that the fuzzer reaches the
//! handlers); otherwise the rest is written as it is (headers included).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "../../server/tests/support/lsp_feed.rs"]
mod lsp_feed;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_stack_size(syntax::WORKER_STACK_SIZE)
            .enable_all()
            .build()
            .expect("a runtime starts")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let input = if mode % 2 == 0 {
        rest.split(|&byte| byte == b'\n')
            .filter(|body| !body.is_empty())
            .flat_map(lsp_feed::frame)
            .collect()
    } else {
        rest.to_vec()
    };
    let output = runtime().block_on(lsp_feed::feed(&input));
    lsp_feed::messages(&output);
});
