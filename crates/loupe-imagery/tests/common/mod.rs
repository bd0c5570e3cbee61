//! Test helpers: a tiny HTTP/1.1 server on 127.0.0.1, generated images, the Clay fixture.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Cursor, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use loupe_imagery::Outline;

/// What the server does with one request.
pub enum Reply {
    /// `200 OK` with a body.
    Ok {
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Any status with extra headers and a body.
    Status {
        code: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// `200 OK` declaring `declared_len` bytes, sending `body` (shorter), then closing.
    DieMidBody { declared_len: usize, body: Vec<u8> },
    /// `200 OK` without `Content-Length` (close-delimited), body cut short.
    CloseDelimited { body: Vec<u8> },
    /// Sleeps, then sends the inner reply.
    Delayed(Duration, Box<Reply>),
    /// Never answers (until the server is dropped, at most 10 s).
    Hang,
}

/// A server whose replies come from a closure of `(request target, request number)`.
pub struct TestServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

type Handler = dyn Fn(&str, usize) -> Reply + Send + Sync;

impl TestServer {
    /// Starts listening on an ephemeral port.
    pub fn start(handler: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let accept = {
            let (requests, stop) = (Arc::clone(&requests), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("test-http-accept".into())
                .spawn(move || {
                    for conn in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        let Ok(conn) = conn else { continue };
                        let (requests, stop, handler) = (
                            Arc::clone(&requests),
                            Arc::clone(&stop),
                            Arc::clone(&handler),
                        );
                        std::thread::Builder::new()
                            .name("test-http-conn".into())
                            .spawn(move || serve(conn, &requests, &stop, &*handler))
                            .expect("spawn connection thread");
                    }
                })
                .expect("spawn accept thread")
        };
        Self {
            addr,
            requests,
            stop,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Request targets (path and query) received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("request log").clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// Handles one connection: one request, one reply, close.
fn serve(conn: TcpStream, requests: &Mutex<Vec<String>>, stop: &AtomicBool, handler: &Handler) {
    let mut reader = BufReader::new(conn.try_clone().expect("clone stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() || request_line.is_empty() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_owned();
    let index = {
        let mut log = requests.lock().expect("request log");
        log.push(target.clone());
        log.len() - 1
    };
    let reply = handler(&target, index);
    respond(conn, reply, stop);
}

fn respond(mut conn: TcpStream, reply: Reply, stop: &AtomicBool) {
    let head = |code: u16, len: Option<usize>, headers: &[(&str, String)]| {
        let mut h = format!("HTTP/1.1 {code} {}\r\nConnection: close\r\n", reason(code));
        if let Some(len) = len {
            let _ = write!(h, "Content-Length: {len}\r\n");
        }
        for (k, v) in headers {
            let _ = write!(h, "{k}: {v}\r\n");
        }
        h.push_str("\r\n");
        h.into_bytes()
    };
    let _ = match reply {
        Reply::Ok { content_type, body } => conn
            .write_all(&head(
                200,
                Some(body.len()),
                &[("Content-Type", content_type.into())],
            ))
            .and_then(|()| conn.write_all(&body)),
        Reply::Status {
            code,
            headers,
            body,
        } => conn
            .write_all(&head(code, Some(body.len()), &headers))
            .and_then(|()| conn.write_all(&body)),
        Reply::DieMidBody { declared_len, body } => conn
            .write_all(&head(
                200,
                Some(declared_len),
                &[("Content-Type", "image/png".into())],
            ))
            .and_then(|()| conn.write_all(&body))
            .and_then(|()| conn.flush()),
        Reply::CloseDelimited { body } => conn
            .write_all(&head(200, None, &[("Content-Type", "image/png".into())]))
            .and_then(|()| conn.write_all(&body)),
        Reply::Delayed(d, inner) => {
            std::thread::sleep(d);
            respond(conn, *inner, stop);
            return;
        }
        Reply::Hang => {
            let end = Instant::now() + Duration::from_secs(10);
            while !stop.load(Ordering::SeqCst) && Instant::now() < end {
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(())
        }
    };
    let _ = conn.shutdown(std::net::Shutdown::Both);
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        _ => "Status",
    }
}

/// A `w × h` image filled by `f(x, y)`, encoded as PNG or JPEG.
pub fn encoded_image(w: u32, h: u32, jpeg: bool, f: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb(f(x, y)));
    let mut out = Cursor::new(Vec::new());
    let format = if jpeg {
        image::ImageFormat::Jpeg
    } else {
        image::ImageFormat::Png
    };
    img.write_to(&mut out, format).expect("encode test image");
    out.into_inner()
}

/// The first three polygons of the Clay 03WVN file (see the fixture's `source` field).
pub fn clay_rows() -> Vec<Vec<Vec<[f64; 2]>>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clay_03WVN_first3.json");
    let text = std::fs::read_to_string(path).expect("read fixture");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("fixture is JSON");
    doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| serde_json::from_value(row["rings"].clone()).expect("rings"))
        .collect()
}

/// Row `i` of the Clay fixture as an outline.
pub fn clay_outline(i: usize) -> Outline {
    Outline::from_rings(&clay_rows()[i]).expect("fixture rows are valid polygons")
}

/// Every file under `dir` (recursively), as (name, bytes).
pub fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(read) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in read.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_in(&p));
        } else {
            out.push((
                p.to_string_lossy().into_owned(),
                std::fs::read(&p).expect("read cache file"),
            ));
        }
    }
    out
}

/// Percent-decoding, for reading an encoded overlay back.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() + 1 {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// `encodeURIComponent` as ECMA-262 defines it: everything but `A–Z a–z 0–9 - _ . ! ~ * ' ( )`
/// becomes `%XX` (uppercase hex).
pub fn encode_uri_component(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
