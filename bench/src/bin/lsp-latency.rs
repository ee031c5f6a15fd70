//! Drives a language server as an editor would and prints how long each edit takes to come back as
//! published diagnostics.
//!
//! ```text
//! lsp-latency [--server-cmd "nixwise server"] [--file all-packages.nix] [--edits 60] [--only KIND]
//!             [--outline N]
//! ```
//! It opens the file, waits for its first diagnostics, then sends edits one at a time (typing a
//! character, deleting a line, pasting a block, each followed by its undo) and times each from the
//! `didChange` to the next `publishDiagnostics` for the file. Any server speaking LSP over stdio
//! works, so the same run can time nil (`--server-cmd nil`).
//!
//! `--outline N` times N `textDocument/documentSymbol` requests instead, each followed at once by
//! a hover: the hover's time shows how long a large answer holds back the messages behind it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(60);
/// How long `--outline` waits for the hovers once the outline has come.
const HOVER_WAIT: Duration = Duration::from_secs(2);

struct Options {
    server: Vec<String>,
    file: PathBuf,
    edits: usize,
    /// Only the edits of this kind (`break the syntax` for a server, such as nil, that publishes
    /// only when its findings change).
    only: Option<String>,
    /// Time this many document-symbol requests instead of edits.
    outline: Option<usize>,
}

fn options() -> anyhow::Result<Options> {
    let mut server = None;
    let mut file = None;
    let mut edits = 60;
    let mut only = None;
    let mut outline = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--server-cmd" => server = Some(value()?),
            "--file" => file = Some(PathBuf::from(value()?)),
            "--edits" => edits = value()?.parse().context("--edits takes a number")?,
            "--only" => only = Some(value()?),
            "--outline" => {
                outline = Some(value()?.parse().context("--outline takes a number")?);
            }
            "-h" | "--help" => {
                eprintln!(
                    "usage: lsp-latency [--server-cmd CMD] [--file PATH] [--edits N] [--only KIND] \
                     [--outline N]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}"),
        }
    }
    let server = server.unwrap_or_else(|| "nixwise server".to_owned());
    let file = match file {
        Some(file) => file,
        None => bench::all_packages_path().context("all-packages.nix not found; pass --file")?,
    };
    Ok(Options {
        server: server.split_whitespace().map(str::to_owned).collect(),
        file: std::fs::canonicalize(&file)
            .with_context(|| format!("cannot find {}", file.display()))?,
        edits,
        only,
        outline,
    })
}

fn main() -> anyhow::Result<()> {
    let options = options()?;
    let text = std::fs::read_to_string(&options.file)
        .with_context(|| format!("cannot read {}", options.file.display()))?;
    let (program, args) = options
        .server
        .split_first()
        .context("an empty --server-cmd")?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {program}"))?;
    let result = drive(&mut child, &options, &text);
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn drive(child: &mut Child, options: &Options, text: &str) -> anyhow::Result<()> {
    let stdout = child.stdout.take().context("no stdout")?;
    let mut server = Server {
        stdin: child.stdin.take().context("no stdin")?,
        messages: spawn_reader(stdout),
        next_id: 1,
    };
    let folder = options.file.parent().unwrap_or(&options.file);
    let uri = format!("file://{}", options.file.display());
    let started = Instant::now();
    server.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": format!("file://{}", folder.display()),
            "capabilities": {
                "textDocument": {
                    "publishDiagnostics": { "versionSupport": true },
                    "documentSymbol": { "hierarchicalDocumentSymbolSupport": true }
                },
                "workspace": { "configuration": true }
            }
        }),
    )?;
    server.notify("initialized", json!({}))?;
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "nix", "version": 1, "text": text } }),
    )?;
    server.wait_for_diagnostics(&uri, 1)?;
    let first = started.elapsed();
    if let Some(rounds) = options.outline {
        return time_outline(&mut server, options, &uri, rounds);
    }

    let mut current = text.to_owned();
    let mut version = 1;
    let mut latencies: Vec<(&'static str, Duration)> = Vec::new();
    let mut edits = bench::typical_edits(text);
    if let Some(only) = &options.only {
        edits.retain(|(name, _)| name == only);
        if edits.is_empty() {
            bail!("no edit of the kind `{only}`");
        }
    }
    let mut round = 0;
    while latencies.len() < options.edits {
        let (name, edit) = &edits[round % edits.len()];
        round += 1;
        // Each edit is followed by its undo, so the document stays the same from round to round.
        let undo = bench::Edit {
            start: edit.start,
            end: edit.start + edit.insert.len(),
            insert: current[edit.start..edit.end].to_owned(),
        };
        for (step, change) in [(*name, edit.clone()), ("undo", undo)] {
            version += 1;
            let range = lsp_range(&current, change.start, change.end);
            let sent = Instant::now();
            server.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "range": range, "text": change.insert }]
                }),
            )?;
            server.wait_for_diagnostics(&uri, version)?;
            latencies.push((step, sent.elapsed()));
            current = change.apply(&current);
            // A pause between keystrokes, so each edit is timed on its own.
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let memory = peak_memory(child.id());
    let _ = server.request("shutdown", Value::Null);
    let _ = server.notify("exit", Value::Null);

    println!("server: {}", options.server.join(" "));
    println!("file: {} ({} bytes)", options.file.display(), text.len());
    println!("open → first diagnostics: {:.1} ms", ms(first));
    let mut all: Vec<Duration> = latencies.iter().map(|(_, latency)| *latency).collect();
    print_percentiles("every edit", &mut all);
    for (name, _) in &edits {
        let mut some: Vec<Duration> = latencies
            .iter()
            .filter(|(step, _)| step == name)
            .map(|(_, latency)| *latency)
            .collect();
        print_percentiles(name, &mut some);
    }
    if let Some(kib) = memory {
        println!(
            "server peak resident memory: {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    Ok(())
}

/// Sends `rounds` document-symbol requests and, while each is under way, a hover every 5 ms;
/// prints the time to each answer and the size of the outline. The slowest hover is how long the
/// outline held back the messages behind it.
fn time_outline(
    server: &mut Server,
    options: &Options,
    uri: &str,
    rounds: usize,
) -> anyhow::Result<()> {
    let document = json!({ "textDocument": { "uri": uri } });
    let hover = json!({
        "textDocument": { "uri": uri },
        "position": { "line": 40, "character": 5 }
    });
    let mut outline_times = Vec::new();
    let mut hover_times = Vec::new();
    let mut slowest_hovers = Vec::new();
    let mut symbols = (0, 0);
    let mut unanswered = 0;
    for _ in 0..rounds {
        let sent = Instant::now();
        let outline_id = server.send_request("textDocument/documentSymbol", document.clone())?;
        let mut hovers: HashMap<i64, Instant> = HashMap::new();
        let mut slowest = Duration::ZERO;
        let mut outline = None;
        while outline.is_none() || !hovers.is_empty() {
            if outline.is_none() {
                let id = server.send_request("textDocument/hover", hover.clone())?;
                hovers.insert(id, Instant::now());
            }
            std::thread::sleep(Duration::from_millis(5));
            for message in server.pending()? {
                let Some(id) = message.get("id").and_then(Value::as_i64) else {
                    continue;
                };
                if message.get("method").is_some() {
                    continue;
                }
                if id == outline_id {
                    outline_times.push(sent.elapsed());
                    outline = Some(message);
                } else if let Some(hover_sent) = hovers.remove(&id) {
                    let took = hover_sent.elapsed();
                    hover_times.push(took);
                    slowest = slowest.max(took);
                }
            }
            if outline.is_none() && sent.elapsed() > WAIT {
                bail!("no outline within {WAIT:?}");
            }
            // Some servers (nil) leave requests that came in while they were busy unanswered.
            if outline.is_some() && hovers.values().all(|at| at.elapsed() > HOVER_WAIT) {
                unanswered += hovers.len();
                hovers.clear();
            }
        }
        slowest_hovers.push(slowest);
        if let Some(outline) = outline {
            let result = &outline["result"];
            symbols = (count_symbols(result), serde_json::to_string(result)?.len());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("server: {}", options.server.join(" "));
    println!("file: {}", options.file.display());
    println!(
        "document symbols: {} symbols, {} bytes of JSON",
        symbols.0, symbols.1
    );
    print_times("documentSymbol → answer", &mut outline_times);
    print_times("hovers sent meanwhile → answer", &mut hover_times);
    print_times("slowest hover of each request", &mut slowest_hovers);
    if unanswered > 0 {
        println!("hovers left unanswered after {HOVER_WAIT:?}: {unanswered}");
    }
    Ok(())
}

fn count_symbols(symbols: &Value) -> usize {
    symbols.as_array().map_or(0, |all| {
        all.iter()
            .map(|symbol| 1 + count_symbols(&symbol["children"]))
            .sum()
    })
}

fn print_times(name: &str, times: &mut [Duration]) {
    if times.is_empty() {
        return;
    }
    times.sort_unstable();
    let at = |percent: usize| times[(times.len() - 1) * percent / 100];
    println!(
        "{name} ({} requests): p50 {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        times.len(),
        ms(at(50)),
        ms(at(90)),
        ms(at(100)),
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn print_percentiles(name: &str, latencies: &mut [Duration]) {
    if latencies.is_empty() {
        return;
    }
    latencies.sort_unstable();
    let at = |percent: usize| latencies[(latencies.len() - 1) * percent / 100];
    println!(
        "edit → diagnostics, {name} ({} edits): p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        ms(at(50)),
        ms(at(90)),
        ms(at(99)),
        ms(at(100)),
    );
}

/// The peak resident set of a process, in KiB, from `/proc` (Linux only).
fn peak_memory(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// An LSP range (lines and UTF-16 columns) for byte offsets in `text`.
fn lsp_range(text: &str, start: usize, end: usize) -> Value {
    json!({ "start": lsp_position(text, start), "end": lsp_position(text, end) })
}

fn lsp_position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": column })
}

struct Server {
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Server {
    fn send(&mut self, message: &Value) -> anyhow::Result<()> {
        let body = serde_json::to_string(message)?;
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())?;
        self.stdin.flush()?;
        Ok(())
    }

    fn notify(&mut self, method: &str, params: Value) -> anyhow::Result<()> {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    fn send_request(&mut self, method: &str, params: Value) -> anyhow::Result<i64> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))?;
        Ok(id)
    }

    fn request(&mut self, method: &str, params: Value) -> anyhow::Result<Value> {
        let id = self.send_request(method, params)?;
        self.wait(|message| {
            message.get("id") == Some(&json!(id)) && message.get("method").is_none()
        })
    }

    /// The next diagnostics for `uri` at `version`: a server that says which version its
    /// diagnostics are for may still publish for an earlier one (a check that was under way), and
    /// those do not answer the edit. Diagnostics without a version count for any.
    fn wait_for_diagnostics(&mut self, uri: &str, version: i64) -> anyhow::Result<Value> {
        self.wait(|message| {
            message.get("method") == Some(&json!("textDocument/publishDiagnostics"))
                && message.pointer("/params/uri").and_then(Value::as_str) == Some(uri)
                && message
                    .pointer("/params/version")
                    .and_then(Value::as_i64)
                    .is_none_or(|published| published == version)
        })
    }

    /// The messages that have arrived, without waiting.
    fn pending(&mut self) -> anyhow::Result<Vec<Value>> {
        let mut arrived = Vec::new();
        loop {
            match self.messages.try_recv() {
                Ok(message) => {
                    self.answer(&message)?;
                    arrived.push(message);
                }
                Err(TryRecvError::Empty) => return Ok(arrived),
                Err(TryRecvError::Disconnected) => bail!("the server closed its output"),
            }
        }
    }

    /// Reads messages until one matches, answering the server's own requests on the way.
    fn wait(&mut self, wanted: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => bail!("no answer within {WAIT:?}"),
                Err(RecvTimeoutError::Disconnected) => bail!("the server closed its output"),
            };
            if wanted(&message) {
                return Ok(message);
            }
            self.answer(&message)?;
        }
    }

    /// Answers a request of the server's own.
    fn answer(&mut self, message: &Value) -> anyhow::Result<()> {
        let (Some(id), Some(method)) = (message.get("id"), message.get("method")) else {
            return Ok(());
        };
        // Configuration requests get one empty answer per item; the rest get `null`.
        let result = match method.as_str() {
            Some("workspace/configuration") => {
                let items = message
                    .pointer("/params/items")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                Value::Array(vec![Value::Null; items])
            }
            _ => Value::Null,
        };
        let reply = json!({ "jsonrpc": "2.0", "id": id, "result": result });
        self.send(&reply)
    }
}

fn spawn_reader(stdout: impl Read + Send + 'static) -> Receiver<Value> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(value) = line
                    .to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|value| value.trim().to_owned())
                {
                    length = value.parse::<usize>().ok();
                }
            }
            let Some(length) = length else {
                return;
            };
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            if let Ok(message) = serde_json::from_slice(&body) {
                if sender.send(message).is_err() {
                    return;
                }
            }
        }
    });
    receiver
}
