//! Requests finish off the message loop.
//!
//! tower-lsp-server reads messages, runs handlers and turns their results into JSON values on one
//! task, so a large result (the outline of nixpkgs' all-packages.nix is 14 000 symbols, 3 MB of
//! JSON) holds back every message behind it, `didChange` included, while it is converted. Each
//! request is polled once on that task, so that it sees the documents as the messages before it
//! left them, and then, if it is not done, finishes on a task of its own.
//!
//! With a direct line to the transport ([`Offload::answering_through`]), the answer is also
//! written out as JSON and freed on the request's own task, and tower-lsp-server is told there is
//! nothing to send: writing and freeing a 3 MB `serde_json::Value` took 40–75 ms of its loop.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::jsonrpc::{Error, Request, Response};
use tower_service::Service;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A service that runs the requests of `inner` to their end on tasks of their own.
pub struct Offload<S> {
    inner: S,
    /// Where answers go as whole frames, instead of back through tower-lsp-server.
    direct: Option<UnboundedSender<Vec<u8>>>,
}

impl<S> Offload<S> {
    /// Answers go back through tower-lsp-server, which writes them.
    pub fn new(inner: S) -> Offload<S> {
        Offload {
            inner,
            direct: None,
        }
    }

    /// Answers are framed on their request's task and sent to `frames`, whose reader writes them
    /// to the client between other whole frames.
    pub fn answering_through(inner: S, frames: UnboundedSender<Vec<u8>>) -> Offload<S> {
        Offload {
            inner,
            direct: Some(frames),
        }
    }
}

/// Sends an answer down the direct line, if there is one and it can be written; then tower has
/// nothing left to send.
fn send_direct(
    direct: Option<&UnboundedSender<Vec<u8>>>,
    answer: Option<Response>,
) -> Option<Response> {
    let (Some(direct), Some(response)) = (direct, answer.as_ref()) else {
        return answer;
    };
    match serde_json::to_vec(response) {
        Ok(body) if direct.send(super::transport::frame(&body)).is_ok() => None,
        _ => answer,
    }
}

/// Aborts a task when its awaiting future is dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

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
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let id = request.id().cloned();
        let mut future = Box::pin(self.inner.call(request));
        let Some(id) = id else {
            // A notification changes state in the order it came: it stays on the message loop.
            return future;
        };
        let direct = self.direct.clone();
        Box::pin(async move {
            let first = std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await;
            match first {
                Poll::Ready(done) => done.map(|answer| send_direct(direct.as_ref(), answer)),
                Poll::Pending => {
                    let finished = tokio::spawn(async move {
                        let done = future.await;
                        done.map(|answer| send_direct(direct.as_ref(), answer))
                    });
                    // A cancelled request (`$/cancelRequest`) drops this future, and tower answers
                    // it: its task must not answer too.
                    let guard = AbortOnDrop(finished.abort_handle());
                    let result = finished.await;
                    drop(guard);
                    match result {
                        Ok(done) => done,
                        Err(error) => {
                            tracing::error!("a request's task ended without an answer: {error}");
                            Ok(Some(Response::from_error(id, Error::internal_error())))
                        }
                    }
                }
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
        let mut service = Offload::new(Slow {
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn with_a_direct_line_answers_are_framed_on_their_task_and_tower_sends_nothing() {
        let (frames, mut written) = tokio::sync::mpsc::unbounded_channel();
        let mut service = Offload::answering_through(
            Slow {
                first_polls: Arc::new(AtomicUsize::new(0)),
            },
            frames,
        );
        let answer = service.call(Request::build("slow").id(7).finish()).await;
        assert_eq!(answer, Ok(None));
        let frame = written.recv().await.expect("a frame");
        let text = String::from_utf8(frame).expect("UTF-8");
        let (header, body) = text.split_once("\r\n\r\n").expect("a header");
        assert_eq!(header, format!("Content-Length: {}", body.len()));
        let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(body["id"], 7);
        assert_eq!(body["result"], "done");
    }
}
