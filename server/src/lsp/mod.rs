//! `xsguard lsp`: the language server, on standard input and output.
//!
//! How a message travels:
//!
//! - [`framing`] checks that it can be decoded, and replaces one that cannot with a notice that
//!   is answered with an error (the protocol layer would stop reading after it).
//! - [`ordered`] reads it next. Text updates (`didOpen`, `didChange`, `didClose`) go straight
//!   to the document store ([`documents`]), in arrival order; everything else goes on to the
//!   handlers ([`server`]), several at a time.
//! - The store applies each change to its document's text (a rope) and syntax tree, on a worker
//!   of that document (documents do not wait for each other), then tells the [`scheduler`], which waits for a pause in typing and has the [`engine`] check
//!   every changed document against the workspace [`index`] on a blocking thread, keeping the
//!   findings of the endpoints an edit did not touch ([`reuse`]).
//! - The scheduler publishes the results ([`diagnostics`]) unless the document has moved on or
//!   closed meanwhile. Handlers for code actions ([`actions`]), hover ([`hover`]), symbols
//!   ([`symbols`]) and pulled diagnostics read the same results.
//!
//! [`folders`] reads the workspace folders into the index and follows their files on disk.
//! Positions are converted in [`convert`] only; editor settings are read in [`settings`]; what
//! the server offers is in [`capabilities`].

pub mod actions;
pub mod capabilities;
pub mod convert;
pub mod diagnostics;
pub mod documents;
pub mod engine;
pub mod folders;
pub mod framing;
pub mod hover;
pub mod index;
pub mod ordered;
pub mod scheduler;
pub mod server;
pub mod settings;
pub mod shared;
pub mod symbols;

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Exit status after `shutdown` then `exit`.
pub const EXIT_OK: u8 = 0;
/// Exit status when the client left without `shutdown` (as the protocol asks), or the server
/// could not start.
pub const EXIT_ABNORMAL: u8 = 1;

/// How long exiting waits for work still running on other threads.
const EXIT_GRACE: Duration = Duration::from_millis(100);

/// Runs the server on standard input and output until the client says `exit` or closes the
/// input. Returns the exit status.
pub fn run() -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("xsguard-lsp")
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("xsguard: cannot start the language server: {error}");
            return EXIT_ABNORMAL;
        }
    };
    let status = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // Reading standard input blocks a thread that only more input (or its end) would free.
    runtime.shutdown_timeout(EXIT_GRACE);
    status
}

/// How many messages are handled at once.
const HANDLER_SLOTS: usize = 64;

/// Serves one client over `input` and `output`. Returns the exit status.
pub async fn serve<I, O>(input: I, output: O) -> u8
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite,
{
    let input = framing::checked(input);
    let (service, socket) = LspService::new(server::Backend::new);
    let shared = service.inner().shared();
    let service = ordered::Ordered::new(service, shared.clone());
    // Messages are read only while a handler slot is free, and the client's answers to the
    // server's own requests are among them: requests that wait for the index must not take every
    // slot (tower-lsp's default is four).
    Server::new(input, output, socket)
        .concurrency_level(HANDLER_SLOTS)
        .serve(service)
        .await;
    if shared.shutdown_requested() {
        EXIT_OK
    } else {
        EXIT_ABNORMAL
    }
}
