//! The first reader of the client's bytes: it passes each well-formed message on to the
//! protocol layer, and replaces anything else with a notice that the message-order layer
//! answers.
//!
//! tower-lsp stops reading for good after a message it cannot decode: a body that is not JSON
//! or not a JSON-RPC message, or headers without a usable `Content-Length`. One bad message
//! would leave the editor with a server that no longer listens. Here every message is checked
//! first. A good one goes on as it came (with only its `Content-Length` header); a bad one is
//! replaced by an [`INVALID`] notification that carries the error to answer, so the client
//! still gets the Parse error (-32700) or Invalid request (-32600) the protocol asks for, and
//! the server keeps serving. Input that ends inside a message ends the input there.

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tower_lsp_server::jsonrpc::{Error, Id, Request, Response};

/// The method of the notification that stands for a message that could not be read.
pub const INVALID: &str = "$/xsguard/invalidMessage";

/// Headers longer than this without an empty line are not headers.
const MAX_HEADERS: usize = 8 * 1024;

/// Checks the messages of `input`; returns what the protocol layer reads instead.
pub fn checked<I>(input: I) -> DuplexStream
where
    I: AsyncRead + Unpin + Send + 'static,
{
    let (mut writer, reader) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        // Ends at the end of the input (or when the protocol layer stopped reading); dropping
        // the writer then ends what the protocol layer reads.
        let _ = forward(input, &mut writer).await;
    });
    reader
}

async fn forward<I, O>(mut input: I, output: &mut O) -> std::io::Result<()>
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut buffer: Vec<u8> = Vec::new();
    // Where the unread part of `buffer` starts.
    let mut at = 0;
    let mut chunk = vec![0; 64 * 1024];
    loop {
        loop {
            match next(&buffer[at..]) {
                Next::Incomplete => break,
                Next::Message { body, end } => {
                    let body = &buffer[at + body.start..at + body.end];
                    match check(body) {
                        Ok(()) => write_frame(output, body).await?,
                        Err(notice) => write_frame(output, notice.as_bytes()).await?,
                    }
                    at += end;
                }
                Next::Garbage { end } => {
                    write_frame(
                        output,
                        notice(&Error::parse_error(), Value::Null).as_bytes(),
                    )
                    .await?;
                    at += end;
                }
                Next::Skip { end } => at += end,
            }
        }
        if at > 0 {
            buffer.drain(..at);
            at = 0;
        }
        let read = input.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

async fn write_frame<O: AsyncWrite + Unpin>(output: &mut O, body: &[u8]) -> std::io::Result<()> {
    output
        .write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    output.write_all(body).await?;
    output.flush().await
}

/// What the start of the unread input holds.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// Not all of the next message yet.
    Incomplete,
    /// A message whose body is at `body`, ending at `end`.
    Message {
        body: std::ops::Range<usize>,
        end: usize,
    },
    /// Bytes up to `end` that are not a message.
    Garbage { end: usize },
    /// Bytes up to `end` to pass over quietly.
    Skip { end: usize },
}

fn next(input: &[u8]) -> Next {
    let Some((headers, body_start)) = header_block(input) else {
        if input.len() > MAX_HEADERS {
            // Keep what may be the start of a header cut off at the end.
            let end = next_header(input, input.len()).unwrap_or(input.len() + 1 - HEADER.len());
            return Next::Garbage { end };
        }
        return Next::Incomplete;
    };
    if headers.is_empty() {
        // A stray line break between messages.
        return Next::Skip { end: body_start };
    }
    let Some(length) = content_length(headers) else {
        return Next::Garbage {
            end: next_header(input, body_start).unwrap_or(body_start),
        };
    };
    match body_start.checked_add(length) {
        Some(end) if end <= input.len() => Next::Message {
            body: body_start..end,
            end,
        },
        _ => Next::Incomplete,
    }
}

/// The header lines before the first empty line, and where the body starts.
fn header_block(input: &[u8]) -> Option<(&[u8], usize)> {
    let mut line_start = 0;
    while let Some(newline) = input[line_start..].iter().position(|&b| b == b'\n') {
        let line = &input[line_start..line_start + newline];
        if line.is_empty() || line == b"\r" {
            return Some((&input[..line_start], line_start + newline + 1));
        }
        line_start += newline + 1;
    }
    None
}

/// The `Content-Length` of a header block whose every line is a `Name: value` header.
fn content_length(headers: &[u8]) -> Option<usize> {
    let headers = std::str::from_utf8(headers).ok()?;
    let mut length = None;
    for line in headers.lines() {
        let (name, value) = line.split_once(':')?;
        if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return None;
        }
        if name.eq_ignore_ascii_case(HEADER_NAME) {
            length = Some(value.trim().parse::<usize>().ok()?);
        }
    }
    length
}

const HEADER_NAME: &str = "Content-Length";
const HEADER: &[u8] = HEADER_NAME.as_bytes();

/// Where a `Content-Length` header starts after the bad bytes at the start of `input`, before
/// `limit`.
fn next_header(input: &[u8], limit: usize) -> Option<usize> {
    input
        .windows(HEADER.len())
        .take(limit)
        .skip(1)
        .position(|w| w.eq_ignore_ascii_case(HEADER))
        .map(|i| i + 1)
}

/// Whether tower-lsp can decode `body`; if not, the notice to pass on instead.
fn check(body: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(notice(&Error::parse_error(), Value::Null));
    };
    if text.is_empty()
        || serde_json::from_str::<Request>(text).is_ok()
        || serde_json::from_str::<Response>(text).is_ok()
    {
        return Ok(());
    }
    match serde_json::from_str::<Value>(text) {
        Err(_) => Err(notice(&Error::parse_error(), Value::Null)),
        Ok(value) => {
            // The error goes to the request's id when it has a usable one (a response from the
            // client is not answered with its own id).
            let is_response = value.get("result").is_some() || value.get("error").is_some();
            let id = match value.get("id") {
                Some(id @ (Value::Number(_) | Value::String(_)))
                    if !is_response && serde_json::from_value::<Id>(id.clone()).is_ok() =>
                {
                    id.clone()
                }
                _ => Value::Null,
            };
            Err(notice(&Error::invalid_request(), id))
        }
    }
}

fn notice(error: &Error, id: Value) -> String {
    json!({
        "jsonrpc": "2.0",
        "method": INVALID,
        "params": {"code": i64::from(error.code), "id": id},
    })
    .to_string()
}

/// The answer to an [`INVALID`] notice.
pub fn answer(params: Option<Value>) -> Response {
    let params = params.unwrap_or_default();
    let id = serde_json::from_value::<Id>(params["id"].clone()).unwrap_or(Id::Null);
    let error = match params["code"].as_i64() {
        Some(-32600) => Error::invalid_request(),
        _ => Error::parse_error(),
    };
    Response::from_error(id, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// Runs `input` through the checker and returns the bodies that come out.
    fn bodies(input: &[u8]) -> Vec<String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut output = Vec::new();
            forward(input, &mut output).await.unwrap();
            let mut out = Vec::new();
            let mut rest = &output[..];
            while let Next::Message { body, end } = next(rest) {
                out.push(String::from_utf8(rest[body].to_vec()).unwrap());
                rest = &rest[end..];
            }
            assert!(rest.is_empty());
            out
        })
    }

    const OK: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;

    #[test]
    fn good_messages_pass_unchanged() {
        let input = format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n{}{}",
            frame(OK),
            frame(r#"{"jsonrpc":"2.0","id":3,"result":null}"#)
        );
        assert_eq!(
            bodies(input.as_bytes()),
            [OK, r#"{"jsonrpc":"2.0","id":3,"result":null}"#]
        );
    }

    #[test]
    fn bad_messages_become_notices() {
        let input = [
            frame("{not json"),
            frame("[1, 2]"),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":5}"#),
            frame(r#"{"jsonrpc":"1.0","id":"a","method":"x"}"#),
            "garbage\r\n\r\n".to_string(),
            "Content-Length: x\r\n\r\n".to_string(),
            frame(OK),
        ]
        .concat();
        let out = bodies(input.as_bytes());
        let notices: Vec<Value> = out[..6]
            .iter()
            .map(|b| serde_json::from_str::<Value>(b).unwrap()["params"].clone())
            .collect();
        assert_eq!(notices[0], json!({"code": -32700, "id": null}));
        assert_eq!(notices[1], json!({"code": -32600, "id": null}));
        assert_eq!(notices[2], json!({"code": -32600, "id": 7}));
        assert_eq!(notices[3], json!({"code": -32600, "id": "a"}));
        assert_eq!(notices[4], json!({"code": -32700, "id": null}));
        assert_eq!(notices[5], json!({"code": -32700, "id": null}));
        assert_eq!(out[6], OK);
        assert_eq!(out.len(), 7);
    }

    #[test]
    fn garbage_before_a_header_is_skipped() {
        let input = format!("xx{}", frame(OK));
        let out = bodies(input.as_bytes());
        assert_eq!(out.len(), 2);
        assert!(out[0].contains(INVALID));
        assert_eq!(out[1], OK);
        // Invalid UTF-8 in a body.
        let mut input = b"Content-Length: 2\r\n\r\n\xff\xfe".to_vec();
        input.extend_from_slice(frame(OK).as_bytes());
        assert_eq!(bodies(&input)[1], OK);
    }

    #[test]
    fn input_ending_inside_a_message_ends_there() {
        let input = format!("{}Content-Length: 99\r\n\r\n{{\"jsonrpc\"", frame(OK));
        assert_eq!(bodies(input.as_bytes()), [OK]);
        let input = format!("{}Content-Len", frame(OK));
        assert_eq!(bodies(input.as_bytes()), [OK]);
    }

    #[test]
    fn notices_are_answered_with_the_error() {
        let answer = |code: i64, id: Value| {
            serde_json::to_value(super::answer(Some(json!({"code": code, "id": id})))).unwrap()
        };
        assert_eq!(
            answer(-32700, Value::Null),
            json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null})
        );
        assert_eq!(answer(-32600, json!(4))["id"], 4);
        assert_eq!(answer(-32600, json!(4))["error"]["code"], -32600);
    }
}
