//! The layer between the transport and the protocol handlers that keeps document updates in
//! order and keeps a panic in a handler from taking the server down.
//!
//! tower-lsp runs up to four messages at once, notifications included, so two `didChange` of
//! one document could be applied in either order. The transport hands messages to this layer
//! one at a time, in the order they were read: here `didOpen`, `didChange` and `didClose` are
//! queued for the documents thread at once, before the next message is looked at. It also
//! answers the notices [`super::framing`] puts in place of messages that could not be read.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use serde::de::DeserializeOwned;
use tower::Service;
use tower_lsp_server::ExitedError;
use tower_lsp_server::jsonrpc::{Error, Request, Response};

use super::shared::Shared;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Wraps the protocol service.
pub struct Ordered<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Ordered<S> {
    pub fn new(inner: S, shared: Arc<Shared>) -> Self {
        Self { inner, shared }
    }

    /// Hands a text synchronisation notification to the documents thread. Parameters that do
    /// not parse are dropped, as the protocol layer would.
    fn synchronise(&self, method: &str, params: Option<serde_json::Value>) {
        fn read<T: DeserializeOwned>(params: Option<serde_json::Value>) -> Option<T> {
            serde_json::from_value(params?).ok()
        }
        match method {
            "textDocument/didOpen" => {
                if let Some(params) = read(params) {
                    self.shared.did_open(params);
                }
            }
            "textDocument/didChange" => {
                if let Some(params) = read(params) {
                    self.shared.did_change(params);
                }
            }
            "textDocument/didClose" => {
                if let Some(params) = read(params) {
                    self.shared.did_close(params);
                }
            }
            _ => {}
        }
    }
}

fn is_text_sync(method: &str) -> bool {
    matches!(
        method,
        "textDocument/didOpen" | "textDocument/didChange" | "textDocument/didClose"
    )
}

impl<S> Service<Request> for Ordered<S>
where
    S: Service<Request, Response = Option<Response>, Error = ExitedError>,
    S::Future: Send + 'static,
{
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = BoxFuture<Result<Option<Response>, ExitedError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.id().is_none() && request.method() == super::framing::INVALID {
            let (_, _, params) = request.into_parts();
            let answer = super::framing::answer(params);
            return Box::pin(std::future::ready(Ok(Some(answer))));
        }
        if request.id().is_none() && is_text_sync(request.method()) && self.shared.is_initialized()
        {
            let (method, _, params) = request.into_parts();
            self.synchronise(&method, params);
            return Box::pin(std::future::ready(Ok(None)));
        }
        let id = request.id().cloned();
        // The protocol refuses every request after `shutdown` with InvalidRequest; tower-lsp
        // answers unknown methods with MethodNotFound first.
        if let Some(id) = &id
            && self.shared.shutdown_requested()
        {
            let refused = Response::from_error(id.clone(), Error::invalid_request());
            return Box::pin(std::future::ready(Ok(Some(refused))));
        }
        if id.is_some() && request.method() == "shutdown" && self.shared.is_initialized() {
            self.shared.note_shutdown();
        }
        let method = request.method().to_string();
        let shared = self.shared.clone();
        let future = self.inner.call(request);
        Box::pin(async move {
            match CatchPanic(Box::pin(future)).await {
                // tower-lsp drops its MethodNotFound answer to an unknown `$/` request, but the
                // protocol wants requests answered, those included: the client would wait.
                Ok(Ok(None)) if id.is_some() => {
                    let mut error = Error::method_not_found();
                    error.data = Some(method.into());
                    Ok(id.map(|id| Response::from_error(id, error)))
                }
                Ok(result) => result,
                Err(message) => {
                    shared
                        .log(
                            tower_lsp_server::ls_types::MessageType::ERROR,
                            format!("internal error while handling `{method}`: {message}"),
                        )
                        .await;
                    Ok(id.map(|id| Response::from_error(id, Error::internal_error())))
                }
            }
        })
    }
}

/// A future that turns a panic while polling into an error with the panic's message.
struct CatchPanic<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchPanic<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(super::documents::panic_message(&*panic))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_future_becomes_an_error() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let result = runtime.block_on(CatchPanic(Box::pin(async {
            if std::hint::black_box(true) {
                panic!("handler bug");
            }
            1
        })));
        assert_eq!(result, Err("handler bug".to_string()));
        let fine = runtime.block_on(CatchPanic(Box::pin(async { 2 })));
        assert_eq!(fine, Ok(2));
    }
}
