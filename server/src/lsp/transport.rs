//! The framing layer between the client's byte stream and tower-lsp-server.
//!
//! tower-lsp-server ends its input stream at the first frame it cannot decode (a bad
//! `Content-Length`, a body that is not UTF-8 or not JSON-RPC), so one broken message would
//! silence the server for good. Here every frame is checked before it reaches tower: a
//! well-formed message is passed on, framed afresh; anything else is answered with the JSON-RPC
//! error it deserves (-32700 parse error, -32600 invalid request) and the reader finds its way to
//! the next `Content-Length` header. The answers are written between tower's own frames, never
//! inside one.

use std::io;

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{ClientSocket, LanguageServer, LspService, Server};

/// The largest message body accepted: room for a didOpen of a file of a few hundred MB. A larger
/// `Content-Length` is answered as a parse error and its header skipped.
pub const MAX_BODY: usize = 512 << 20;

/// A header block that has not ended after this many bytes is garbage.
const MAX_HEADER: usize = 64 << 10;

const HEADER_NAME: &[u8] = b"content-length";

/// Serves `service` on `input` and `output` through the checking layer, with requests finishing
/// off the message loop ([`super::Offload`]), until tower-lsp-server ends (after `exit`, or when
/// the input ends).
pub async fn serve<S, I, O>(input: I, output: O, service: LspService<S>, socket: ClientSocket)
where
    S: LanguageServer,
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (to_tower, tower_input) = tokio::io::duplex(1 << 16);
    let (tower_output, from_tower) = tokio::io::duplex(1 << 16);
    // Whole frames written by nixwise itself: error answers to broken input, and the answers of
    // requests, framed on their own tasks.
    let (frames, own_frames) = mpsc::unbounded_channel();
    let reader = tokio::spawn(forward_input(input, to_tower, frames.clone()));
    let writer = tokio::spawn(merge_output(from_tower, own_frames, output));
    Server::new(tower_input, tower_output, socket)
        .serve(super::Offload::answering_through(service, frames))
        .await;
    // After `exit` the client may keep its end open; nothing it sends matters any more.
    reader.abort();
    if let Ok(Err(error)) = writer.await {
        tracing::debug!("writing to the client failed: {error}");
    }
}

/// Reads frames from `input`, passes well-formed messages to `tower` and sends an error answer
/// for every broken one to `errors`. Returns when the input ends or tower stops reading.
async fn forward_input<I, W>(mut input: I, mut tower: W, errors: mpsc::UnboundedSender<Vec<u8>>)
where
    I: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut frames = Frames::default();
    let mut chunk = vec![0; 1 << 16];
    loop {
        let read = match input.read(&mut chunk).await {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => {
                tracing::warn!("reading from the client failed: {error}");
                break;
            }
        };
        frames.push(&chunk[..read]);
        while let Some(next) = frames.next_frame() {
            match next {
                Frame::Message(body) => {
                    let sent = async {
                        tower.write_all(&frame(&body)).await?;
                        tower.flush().await
                    };
                    if sent.await.is_err() {
                        // tower-lsp-server has stopped reading: the session is over.
                        return;
                    }
                }
                Frame::Broken(answer) => {
                    tracing::warn!("a broken message from the client: {answer}");
                    let _ = errors.send(frame(answer.to_string().as_bytes()));
                }
            }
        }
    }
    if frames.has_partial() {
        tracing::warn!("the client's input ended inside a message");
    }
    let _ = tower.shutdown().await;
}

/// Copies tower's frames to `output` whole, and writes nixwise's own frames between them. Ends
/// when tower's output ends: every request has been answered then, since tower waits for them.
async fn merge_output<R, O>(
    mut tower: R,
    mut own_frames: mpsc::UnboundedReceiver<Vec<u8>>,
    mut output: O,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0; 1 << 16];
    let mut own_open = true;
    loop {
        tokio::select! {
            read = tower.read(&mut chunk) => {
                let read = read.unwrap_or(0);
                if read == 0 {
                    break;
                }
                pending.extend_from_slice(&chunk[..read]);
                let whole = complete_frames(&pending);
                if whole > 0 {
                    output.write_all(&pending[..whole]).await?;
                    output.flush().await?;
                    pending.drain(..whole);
                }
            }
            frame = own_frames.recv(), if own_open => {
                let Some(frame) = frame else {
                    own_open = false;
                    continue;
                };
                output.write_all(&frame).await?;
                output.flush().await?;
            }
        }
    }
    while let Ok(frame) = own_frames.try_recv() {
        output.write_all(&frame).await?;
    }
    // Whatever tower wrote last, even unframed, belongs to the client.
    output.write_all(&pending).await?;
    output.flush().await
}

/// A JSON-RPC message with its `Content-Length` header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body);
    framed
}

/// How many bytes at the start of `bytes` are whole frames of tower's own (well-formed) output.
fn complete_frames(bytes: &[u8]) -> usize {
    let mut at = 0;
    while let Some((header_end, length)) = parse_header(&bytes[at..]).and_then(Result::ok) {
        let end = at + header_end + length;
        if end > bytes.len() {
            break;
        }
        at = end;
    }
    at
}

enum Frame {
    /// The body of a well-formed JSON-RPC message.
    Message(Vec<u8>),
    /// The error answer for a broken frame.
    Broken(Value),
}

/// The client's bytes, cut into frames.
#[derive(Default)]
struct Frames {
    buffer: Vec<u8>,
    /// Where the unread part of `buffer` starts.
    start: usize,
    /// The body length of the header already read, waiting for its body.
    body: Option<usize>,
    /// The awaited body is to be dropped: its error was answered already.
    discard: bool,
}

impl Frames {
    fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start >= self.buffer.len() / 2 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.extend_from_slice(bytes);
    }

    fn has_partial(&self) -> bool {
        self.start < self.buffer.len()
    }

    fn next_frame(&mut self) -> Option<Frame> {
        loop {
            let unread = &self.buffer[self.start..];
            if let Some(length) = self.body {
                if unread.len() < length {
                    return None;
                }
                let body = unread[..length].to_vec();
                self.start += length;
                self.body = None;
                if std::mem::take(&mut self.discard) || body.is_empty() {
                    continue;
                }
                return Some(check_body(body));
            }
            match parse_header(unread) {
                None if unread.len() <= MAX_HEADER => return None,
                Some(Ok((header_end, length))) => {
                    self.start += header_end;
                    self.body = Some(length);
                }
                Some(Err(Some(frame_length))) => {
                    // A readable header of a body nixwise cannot read: skip the whole frame.
                    self.start += frame_length.min(unread.len());
                    if frame_length > unread.len() {
                        self.body = Some(frame_length - unread.len());
                        self.discard = true;
                    }
                    return Some(Frame::Broken(error_answer(
                        Value::Null,
                        -32700,
                        "Parse error: the message is not in UTF-8",
                    )));
                }
                None | Some(Err(None)) => {
                    self.skip_garbage();
                    return Some(Frame::Broken(error_answer(
                        Value::Null,
                        -32700,
                        "Parse error: a message header without a valid Content-Length",
                    )));
                }
            }
        }
    }

    /// Skips to the next `Content-Length` after the current position, or to the end but for a
    /// tail that may be the start of one.
    fn skip_garbage(&mut self) {
        let unread = &self.buffer[self.start..];
        let next = unread
            .windows(HEADER_NAME.len())
            .skip(1)
            .position(|window| window.eq_ignore_ascii_case(HEADER_NAME))
            .map(|position| position + 1)
            .unwrap_or_else(|| unread.len().saturating_sub(HEADER_NAME.len() - 1).max(1));
        self.start += next.min(unread.len());
    }
}

/// Parses a header block at the start of `bytes`: `None` when it has not ended yet; else the
/// header's length and the body's, or an error with the length of the whole frame when the
/// frame can be skipped whole (a charset other than UTF-8).
fn parse_header(bytes: &[u8]) -> Option<Result<(usize, usize), Option<usize>>> {
    let end = bytes.windows(4).position(|window| window == b"\r\n\r\n")?;
    let mut length = None;
    let mut foreign_charset = false;
    for line in bytes[..end].split(|&byte| byte == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&byte| byte == b':') else {
            return Some(Err(None));
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let Ok(value) = std::str::from_utf8(value) else {
            return Some(Err(None));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case(HEADER_NAME) {
            match value.parse::<usize>() {
                Ok(parsed) if parsed <= MAX_BODY => length = Some(parsed),
                _ => return Some(Err(None)),
            }
        } else if name.eq_ignore_ascii_case(b"content-type") {
            // The charset, when given, must be UTF-8; the body is read as such.
            let charset = value
                .split(';')
                .skip(1)
                .filter_map(|parameter| parameter.trim().strip_prefix("charset="))
                .next();
            if let Some(charset) = charset {
                let charset = charset.trim_matches('"');
                foreign_charset |=
                    !charset.eq_ignore_ascii_case("utf-8") && !charset.eq_ignore_ascii_case("utf8");
            }
        } else if name.is_empty() || name.iter().any(|byte| !is_token_byte(*byte)) {
            return Some(Err(None));
        }
    }
    Some(match length {
        Some(length) if foreign_charset => Err(Some(end + 4 + length)),
        Some(length) => Ok((end + 4, length)),
        None => Err(None),
    })
}

/// A byte allowed in a header name (RFC 9110 token).
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// A body tower-lsp-server can decode passes; anything else gets its error answer.
fn check_body(body: Vec<u8>) -> Frame {
    let Ok(text) = std::str::from_utf8(&body) else {
        return Frame::Broken(error_answer(
            Value::Null,
            -32700,
            "Parse error: the message is not UTF-8",
        ));
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            return Frame::Broken(error_answer(
                Value::Null,
                -32700,
                &format!("Parse error: {error}"),
            ))
        }
    };
    if serde_json::from_value::<Response>(value.clone()).is_ok()
        || serde_json::from_value::<Request>(value.clone()).is_ok()
    {
        return Frame::Message(body);
    }
    // Valid JSON but no JSON-RPC 2.0 message: answer it under its own id when it has one.
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Frame::Broken(error_answer(
        id,
        -32600,
        "Invalid request: not a JSON-RPC 2.0 message",
    ))
}

fn error_answer(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        super::frame(body.as_bytes())
    }

    /// Every frame of `input` fed at once and byte by byte, described: the body of a message,
    /// or the error code of a broken frame.
    fn frames(input: &[u8]) -> Vec<String> {
        let describe = |frame: Frame| match frame {
            Frame::Message(body) => String::from_utf8(body).expect("test bodies are text"),
            Frame::Broken(answer) => {
                format!("error {} id {}", answer["error"]["code"], answer["id"])
            }
        };
        let mut whole = Frames::default();
        whole.push(input);
        let all: Vec<String> = std::iter::from_fn(|| whole.next_frame())
            .map(describe)
            .collect();
        let mut trickle = Frames::default();
        let mut trickled = Vec::new();
        for byte in input {
            trickle.push(std::slice::from_ref(byte));
            while let Some(frame) = trickle.next_frame() {
                trickled.push(describe(frame));
            }
        }
        // Garbage may be reported in more pieces when it arrives slowly; messages never differ.
        let messages = |frames: &[String]| -> Vec<String> {
            frames
                .iter()
                .filter(|frame| !frame.starts_with("error -32700 id null"))
                .cloned()
                .collect()
        };
        assert_eq!(
            messages(&all),
            messages(&trickled),
            "fed at once vs byte by byte"
        );
        all
    }

    const EXIT: &str = r#"{"jsonrpc":"2.0","method":"exit"}"#;

    #[test]
    fn well_formed_messages_pass_whatever_the_header_case_and_extra_headers() {
        let mut input = frame(EXIT);
        input.extend(format!(
            "content-length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{EXIT}",
            EXIT.len()
        ).into_bytes());
        assert_eq!(frames(&input), vec![EXIT, EXIT]);
    }

    #[test]
    fn broken_bodies_are_answered_and_the_next_message_still_passes() {
        let mut input = frame(r#"{"jsonrpc": "2.0", "id": 2, "method": "#);
        input.extend(b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc");
        input.extend(frame(r#"[1, 2, 3]"#));
        input.extend(frame(
            r#"{"jsonrpc": "1.0", "id": 6, "method": "shutdown"}"#,
        ));
        input.extend(frame(r#"{"jsonrpc": "2.0", "id": "x", "method": 7}"#));
        input.extend(frame(EXIT));
        assert_eq!(
            frames(&input),
            vec![
                "error -32700 id null",
                "error -32700 id null",
                "error -32600 id null",
                "error -32600 id 6",
                "error -32600 id \"x\"",
                EXIT,
            ]
        );
    }

    #[test]
    fn malformed_headers_are_skipped_to_the_next_content_length() {
        let mut input = b"Content-Length: banana\r\n\r\n{}".to_vec();
        input.extend(b"garbage without any header\r\n\r\n");
        input.extend(b"Content-Length: 99999999999999999999999\r\n\r\n");
        input.extend(format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1).into_bytes());
        input.extend(frame(EXIT));
        let frames = frames(&input);
        assert_eq!(frames.last().map(String::as_str), Some(EXIT), "{frames:?}");
        assert!(frames[..frames.len() - 1]
            .iter()
            .all(|frame| frame == "error -32700 id null"));
    }

    #[test]
    fn a_foreign_charset_skips_its_whole_frame() {
        let mut input = frame(EXIT);
        input.extend(b"Content-Type: text/plain; charset=latin1\r\nContent-Length: 2\r\n\r\n{}");
        input.extend(frame(EXIT));
        assert_eq!(frames(&input), vec![EXIT, "error -32700 id null", EXIT]);
    }

    #[test]
    fn an_empty_body_is_skipped_and_a_partial_one_waits() {
        let mut input = b"Content-Length: 0\r\n\r\n".to_vec();
        input.extend(frame(EXIT));
        assert_eq!(frames(&input), vec![EXIT]);
        let mut partial = Frames::default();
        partial.push(&frame(EXIT)[..30]);
        assert!(partial.next_frame().is_none());
        assert!(partial.has_partial());
    }

    #[test]
    fn a_header_that_never_ends_is_garbage() {
        let mut input = vec![b'x'; MAX_HEADER + 10];
        input.extend(frame(EXIT));
        let mut frames = Frames::default();
        frames.push(&input);
        let mut out = Vec::new();
        while let Some(frame) = frames.next_frame() {
            out.push(matches!(frame, Frame::Message(_)));
        }
        assert_eq!(out, vec![false, true]);
    }

    #[test]
    fn output_is_cut_at_whole_frames_only() {
        let mut output = frame(EXIT);
        let one = output.len();
        output.extend(&frame(EXIT)[..10]);
        assert_eq!(complete_frames(&output), one);
        assert_eq!(complete_frames(&output[..one - 1]), 0);
    }
}
