//! `xsguard mcp`: a Model Context Protocol server on standard input and output, for AI coding
//! agents. Its tools check files or unsaved text in their workspace, propose fixes as edits,
//! and explain and list the rules; their answers are the command line's (`check --format json`,
//! `explain`), computed by the command line's own check run ([`crate::cli::checking`]).
//!
//! Standard output carries the protocol alone: nothing else is printed there, and problems
//! with the server itself go to standard error. The server ends when its input does.

mod answers;
mod tools;

use std::path::Path;
use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::service::ServerInitializeError;

use crate::workspace::files::display_path;

/// Exit status: the client closed the session.
const EXIT_CLEAN: u8 = 0;
/// Exit status: the server could not start or its streams failed.
const EXIT_ERROR: u8 = 2;

/// Serves on standard input and output until the input ends, reading relative paths from
/// `directory` when one is given. Returns the exit status.
pub fn run(directory: Option<&Path>) -> u8 {
    // The process is the server alone, so its working folder is where relative paths start.
    if let Some(directory) = directory
        && let Err(error) = std::env::set_current_dir(directory)
    {
        eprintln!(
            "xsguard: error: cannot use `{}` as the folder of relative paths: {error}",
            display_path(directory)
        );
        return EXIT_ERROR;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("xsguard: error: cannot start the MCP server: {error}");
            return EXIT_ERROR;
        }
    };
    let status = runtime.block_on(async {
        let service = match tools::Server::default()
            .serve(rmcp::transport::stdio())
            .await
        {
            Ok(service) => service,
            // The client left before the session started: nothing went wrong here.
            Err(ServerInitializeError::ConnectionClosed(_)) => return EXIT_CLEAN,
            Err(error) => {
                eprintln!("xsguard: error: MCP session did not start: {error}");
                return EXIT_ERROR;
            }
        };
        match service.waiting().await {
            Ok(_) => EXIT_CLEAN,
            Err(error) => {
                eprintln!("xsguard: error: MCP session failed: {error}");
                EXIT_ERROR
            }
        }
    });
    // A check still running when the client left has no one to answer: do not wait long.
    runtime.shutdown_timeout(Duration::from_secs(1));
    status
}
