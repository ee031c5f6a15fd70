//! Requests finish off the message loop.
//!
//! tower-lsp-server reads messages, runs handlers and turns their results into JSON values on one
//! task, so a large result (the outline of nixpkgs' all-packages.nix is 14 000 symbols, 3 MB of
//! JSON) holds back every message behind it, `didChange` included, while it is converted. Each
//! request is polled once on that task, so that it sees the documents as the messages before it
//! left them, and then, if it is not done, finishes on a task of its own.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tower_lsp_server::jsonrpc::{Error, Request, Response};
use tower_service::Service;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A service that runs the requests of `inner` to their end on tasks of their own.
pub struct Offload<S>(pub S);

impl<S> Service<Request> for Offload<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Option<Response>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let id = request.id().cloned();
        let mut future = Box::pin(self.0.call(request));
        let Some(id) = id else {
            // A notification changes state in the order it came: it stays on the message loop.
            return future;
        };
        Box::pin(async move {
            let first = std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await;
            match first {
                Poll::Ready(done) => done,
                Poll::Pending => match tokio::spawn(future).await {
                    Ok(done) => done,
                    Err(error) => {
                        tracing::error!("a request's task ended without an answer: {error}");
                        Ok(Some(Response::from_error(id, Error::internal_error())))
                    }
                },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use serde_json::json;

    use super::*;

    /// Counts first polls, then answers after yielding once (like a handler that awaits a worker).
    struct Slow {
        first_polls: Arc<AtomicUsize>,
    }

    impl Service<Request> for Slow {
        type Response = Option<Response>;
        type Error = ();
        type Future = BoxFuture<Result<Option<Response>, ()>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: Request) -> Self::Future {
            let first_polls = self.first_polls.clone();
            Box::pin(async move {
                first_polls.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                Ok(request
                    .id()
                    .cloned()
                    .map(|id| Response::from_ok(id, json!("done"))))
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_starts_in_place_and_ends_on_its_own_task() {
        let first_polls = Arc::new(AtomicUsize::new(0));
        let mut service = Offload(Slow {
            first_polls: first_polls.clone(),
        });
        let request = Request::build("slow").id(7).finish();
        let mut answer = service.call(request);
        // One poll of the outer future runs the request up to its first wait, here.
        let first = std::future::poll_fn(|cx| Poll::Ready(answer.as_mut().poll(cx))).await;
        assert!(first.is_pending());
        assert_eq!(first_polls.load(Ordering::SeqCst), 1);
        let response = answer.await.expect("answered").expect("a response");
        assert_eq!(response.result(), Some(&json!("done")));

        let notification = Request::build("note").finish();
        assert_eq!(service.call(notification).await, Ok(None));
        assert_eq!(first_polls.load(Ordering::SeqCst), 2);
    }
}
