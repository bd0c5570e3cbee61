//! A small HTTP/1.1 server on 127.0.0.1 for the chip tests: every request gets one answer
//! from a closure and the connection closes. Nothing in these tests reaches the internet.

#![allow(
    dead_code,
    reason = "the CLI and app tests use different parts of this helper"
)]

use std::io::{BufRead as _, BufReader, Cursor, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One answer.
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
}

impl Answer {
    /// `200 OK` with a PNG body.
    pub fn png(body: Vec<u8>) -> Self {
        Self {
            status: 200,
            content_type: "image/png",
            body,
            delay: Duration::ZERO,
        }
    }

    /// An error status with a text body.
    pub fn status(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: "application/json",
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    /// The same answer after `delay`.
    #[must_use]
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Handler = dyn Fn(&str) -> Answer + Send + Sync;

/// The server; stops when dropped.
pub struct ChipServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl ChipServer {
    /// Listens on an ephemeral port of 127.0.0.1; `handler` maps a request target (path and
    /// query) to its answer.
    pub fn start(handler: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let addr = listener.local_addr().expect("its address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (thread_seen, thread_stop) = (Arc::clone(&seen), Arc::clone(&stop));
        let accept = std::thread::Builder::new()
            .name("chip-test-server".to_owned())
            .spawn(move || {
                for stream in listener.incoming() {
                    if thread_stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (seen, handler) = (Arc::clone(&thread_seen), Arc::clone(&handler));
                    let _ = std::thread::Builder::new()
                        .name("chip-test-conn".to_owned())
                        .spawn(move || answer(stream, &seen, &*handler));
                }
            })
            .expect("start the server thread");
        Self {
            addr,
            seen,
            stop,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request target received so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().expect("request log").clone()
    }
}

impl Drop for ChipServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.accept.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request head, logs its target, writes the answer and closes.
fn answer(stream: TcpStream, seen: &Mutex<Vec<String>>, handler: &Handler) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut first = String::new();
    if reader.read_line(&mut first).unwrap_or(0) == 0 {
        return;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 2 {
        line.clear();
    }
    let target = first.split(' ').nth(1).unwrap_or_default().to_owned();
    seen.lock().expect("request log").push(target.clone());
    let reply = handler(&target);
    std::thread::sleep(reply.delay);
    let head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reply.status,
        reply.content_type,
        reply.body.len()
    );
    let mut stream = stream;
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(&reply.body))
        .and_then(|()| stream.flush());
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// A 256 × 256 PNG tile filled with a colour that depends on its `x`, `y` (never red, so the
/// burned outline stands out).
pub fn tile_png(x: u32, y: u32) -> Vec<u8> {
    let colour = [30, 60 + (x % 5) as u8 * 35, 60 + (y % 5) as u8 * 35];
    let image = image::RgbImage::from_fn(256, 256, |px, py| {
        // A faint grid so tile seams are visible in screenshots.
        if px % 64 == 0 || py % 64 == 0 {
            image::Rgb([colour[0] + 40, colour[1], colour[2]])
        } else {
            image::Rgb(colour)
        }
    });
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode a PNG tile");
    out.into_inner()
}

/// Parses `/tiles/{z}/{x}/{y}.png`.
pub fn tile_xyz(target: &str) -> Option<(u32, u32, u32)> {
    let rest = target.strip_prefix("/tiles/")?.strip_suffix(".png")?;
    let mut parts = rest.split('/').map(str::parse::<u32>);
    Some((
        parts.next()?.ok()?,
        parts.next()?.ok()?,
        parts.next()?.ok()?,
    ))
}

/// A tile server answering `/tiles/{z}/{x}/{y}.png`; anything else is a 404.
pub fn tile_server() -> ChipServer {
    ChipServer::start(|target| match tile_xyz(target) {
        Some((_, x, y)) => Answer::png(tile_png(x, y)),
        None => Answer::status(404, "no such tile"),
    })
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
