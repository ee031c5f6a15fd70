//! Threads for work that parses or lints: off the async runtime, with the stack that deep trees
//! need, and with a panic contained to the job that caused it.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Starts `job` on its own thread with [`syntax::WORKER_STACK_SIZE`] of stack. Returns whether the
/// thread could be started.
pub fn spawn(name: &str, job: impl FnOnce() + Send + 'static) -> bool {
    let started = std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(syntax::WORKER_STACK_SIZE)
        .spawn(job);
    if let Err(error) = &started {
        tracing::error!("cannot start a `{name}` thread: {error}");
    }
    started.is_ok()
}

/// Runs `job` on a worker thread and waits for its result without blocking the runtime. A job
/// that panics or cannot start gives `None`.
pub async fn run<T: Send + 'static>(
    name: &str,
    job: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let thread_name = name.to_owned();
    let started = spawn(name, move || match catch_unwind(AssertUnwindSafe(job)) {
        Ok(result) => {
            // The requester may have gone away (cancelled request); nothing to do then.
            let _ = sender.send(result);
        }
        Err(_) => tracing::error!("a `{thread_name}` job panicked"),
    });
    if !started {
        return None;
    }
    receiver.await.ok()
}
