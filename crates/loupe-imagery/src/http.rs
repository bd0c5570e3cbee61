//! Blocking HTTP GET of one image with explicit timeouts, bounded retries on `429`/`503`
//! (honouring `Retry-After`), cancellation between chunks, and errors mapped to one clear,
//! token-free line.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::secret::mask_secrets;
use crate::sniff::describe_body;
use crate::{CancelToken, ChipError, ImageFormat};

/// Longest URL (after masking) quoted in an error line.
const MAX_URL_IN_ERROR: usize = 160;

/// Most bytes of an error body read to find the server's message.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Timeouts, retries and limits for chip downloads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpConfig {
    /// Whole request including the body; a chip is useless after this long.
    pub timeout: Duration,
    /// TCP + TLS connection setup.
    pub connect_timeout: Duration,
    /// Extra attempts after a `429`, `502`, `503` or `504`.
    pub max_retries: u32,
    /// Longest wait before a retry; a `Retry-After` beyond it ends the retries at once.
    pub max_retry_wait: Duration,
    /// Largest body accepted (a chip is well under 1 MiB; this stops a runaway server).
    pub max_body_bytes: u64,
    /// `User-Agent` header; tile servers ask clients to identify themselves.
    pub user_agent: String,
}

impl Default for HttpConfig {
    /// 30 s per request, 10 s to connect, 3 retries waiting at most a minute, 32 MiB bodies.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 3,
            max_retry_wait: Duration::from_mins(1),
            max_body_bytes: 32 * 1024 * 1024,
            user_agent: concat!("loupe-imagery/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Which API a URL belongs to, so a status can be explained in its terms.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Service<'a> {
    /// Mapbox Static Images with this `{user}/{style}`.
    Mapbox { style: &'a str },
    /// An XYZ tile server.
    Tiles,
}

/// A connection-pooling HTTP client, cheap to clone and share between worker threads.
#[derive(Clone, Debug)]
pub struct HttpClient {
    agent: ureq::Agent,
    config: HttpConfig,
}

impl HttpClient {
    /// A client with `config`'s timeouts; proxies from the usual environment variables apply.
    pub fn new(config: HttpConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .timeout_connect(Some(config.connect_timeout))
            .http_status_as_error(false)
            .user_agent(config.user_agent.as_str())
            .build()
            .into();
        Self { agent, config }
    }

    /// The configuration in use.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// GETs `url` and returns its body if it is a JPEG, PNG or WebP image.
    pub(crate) fn get_image(
        &self,
        url: &str,
        service: Service<'_>,
        cancel: &CancelToken,
    ) -> Result<(Vec<u8>, ImageFormat), ChipError> {
        let host = host_of(url);
        let mut attempts = 0;
        loop {
            cancel.check()?;
            attempts += 1;
            let mut resp = self
                .agent
                .get(url)
                .call()
                .map_err(|e| transport_error(&host, e, false))?;
            let status = resp.status().as_u16();
            if resp.status().is_success() {
                let body = self.read_body(&mut resp, &host, cancel)?;
                let Some(format) = ImageFormat::sniff(&body) else {
                    let content_type = header(&resp, "content-type").unwrap_or("no content type");
                    return Err(ChipError::NotAnImage {
                        host,
                        detail: mask_secrets(&format!("{content_type}, {}", describe_body(&body))),
                    });
                };
                return Ok((body, format));
            }
            if matches!(status, 429 | 502 | 503 | 504) {
                let wait = header(&resp, "retry-after")
                    .and_then(parse_retry_after)
                    .unwrap_or_else(|| backoff(attempts));
                if attempts <= self.config.max_retries && wait <= self.config.max_retry_wait {
                    log::debug!("{host}: HTTP {status}, retry {attempts} in {wait:?}");
                    drop(resp);
                    sleep_cancellable(wait, cancel)?;
                    continue;
                }
                if status == 429 {
                    return Err(ChipError::RateLimited { host, attempts });
                }
            }
            return Err(status_error(status, &mut resp, url, &host, service));
        }
    }

    /// Reads the body in chunks, checking `cancel` and the size limit between them.
    fn read_body(
        &self,
        resp: &mut http_response::Response,
        host: &str,
        cancel: &CancelToken,
    ) -> Result<Vec<u8>, ChipError> {
        let limit = self.config.max_body_bytes;
        let too_large = || ChipError::BodyTooLarge {
            host: host.to_owned(),
            limit_bytes: limit,
        };
        let declared = resp.body().content_length();
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(declared.unwrap_or(0).min(limit) as usize);
        let mut chunk = vec![0u8; 64 * 1024];
        let mut reader = resp.body_mut().as_reader();
        loop {
            cancel.check()?;
            let n = match reader.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(transport_error(host, ureq::Error::from(e), true)),
            };
            if n == 0 {
                return Ok(body);
            }
            if body.len() as u64 + n as u64 > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
}

/// The response type of `ureq`, named once.
mod http_response {
    /// A response with a streaming body.
    pub type Response = ureq::http::Response<ureq::Body>;
}

/// A header's value as text.
fn header<'r>(resp: &'r http_response::Response, name: &str) -> Option<&'r str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

/// `Retry-After` in delay-seconds (RFC 9110 §10.2.3); an HTTP-date is not supported and falls
/// back to exponential backoff.
fn parse_retry_after(v: &str) -> Option<Duration> {
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// 1 s, 2 s, 4 s, … for the n-th attempt.
fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1 << attempt.saturating_sub(1).min(6))
}

/// Sleeps `wait` in short slices so a cancel is noticed within 50 ms.
fn sleep_cancellable(wait: Duration, cancel: &CancelToken) -> Result<(), ChipError> {
    let end = Instant::now() + wait;
    loop {
        cancel.check()?;
        let now = Instant::now();
        if now >= end {
            return Ok(());
        }
        std::thread::sleep((end - now).min(Duration::from_millis(50)));
    }
}

/// Explains a non-success status in the terms of the API that sent it.
fn status_error(
    status: u16,
    resp: &mut http_response::Response,
    url: &str,
    host: &str,
    service: Service<'_>,
) -> ChipError {
    match (status, service) {
        (401, Service::Mapbox { .. }) => ChipError::InvalidToken,
        (403, _) => ChipError::Forbidden {
            host: host.to_owned(),
        },
        (404, Service::Mapbox { style }) => ChipError::StyleNotFound {
            style: style.to_owned(),
        },
        (404, Service::Tiles) => ChipError::NotFound {
            url: short_masked(url),
        },
        (422, _) => ChipError::Unprocessable {
            message: server_message(resp),
        },
        _ => ChipError::HttpStatus {
            status,
            url: short_masked(url),
        },
    }
}

/// The `message` of a JSON error body (Mapbox's format), else its first line; scrubbed.
fn server_message(resp: &mut http_response::Response) -> String {
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_ERROR_BODY as u64)
        .read_to_vec()
        .unwrap_or_default();
    let message = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| {
            String::from_utf8_lossy(&body)
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("")
                .to_owned()
        });
    let message: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    let message = mask_secrets(message.trim());
    if message.is_empty() {
        "(no message)".to_owned()
    } else {
        message
    }
}

/// Maps a client error to our enum; `in_body` tells a broken download from a failed connect.
fn transport_error(host: &str, e: ureq::Error, in_body: bool) -> ChipError {
    use std::io::ErrorKind as K;
    let host = host.to_owned();
    match e {
        ureq::Error::Timeout(t) => ChipError::Timeout {
            host,
            phase: t.to_string(),
        },
        ureq::Error::Io(io) if matches!(io.kind(), K::TimedOut | K::WouldBlock) => {
            ChipError::Timeout {
                host,
                phase: if in_body { "receive body" } else { "io" }.to_owned(),
            }
        }
        ureq::Error::Io(io)
            if !in_body
                && matches!(
                    io.kind(),
                    K::ConnectionRefused
                        | K::NetworkUnreachable
                        | K::HostUnreachable
                        | K::AddrNotAvailable
                        | K::NetworkDown
                ) =>
        {
            ChipError::Connect {
                host,
                reason: mask_secrets(&io.to_string()),
            }
        }
        ureq::Error::Io(io) if in_body && io.kind() == K::UnexpectedEof => ChipError::Network {
            host,
            reason: "the connection closed before the body was complete".to_owned(),
        },
        ureq::Error::HostNotFound => ChipError::Connect {
            host,
            reason: "host not found (no network, or DNS failure)".to_owned(),
        },
        ureq::Error::ConnectionFailed => ChipError::Connect {
            host,
            reason: "connection failed".to_owned(),
        },
        other => ChipError::Network {
            host,
            reason: mask_secrets(&other.to_string()),
        },
    }
}

/// `host[:port]` of a URL, for error lines.
pub(crate) fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    mask_secrets(&rest[..end])
}

/// The URL with the token masked and long overlays shortened, for error lines.
fn short_masked(url: &str) -> String {
    let masked = mask_secrets(url);
    if masked.chars().count() <= MAX_URL_IN_ERROR {
        return masked;
    }
    let head: String = masked.chars().take(MAX_URL_IN_ERROR - 40).collect();
    let tail: String = {
        let t: Vec<char> = masked.chars().rev().take(39).collect();
        t.into_iter().rev().collect()
    };
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(
            host_of("https://api.mapbox.com/styles/v1/x?a=1"),
            "api.mapbox.com"
        );
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(4));
        let long = format!(
            "https://h/{}?access_token=pk.secret&padding=10",
            "a".repeat(500)
        );
        let s = short_masked(&long);
        assert!(
            s.chars().count() <= MAX_URL_IN_ERROR && !s.contains("secret"),
            "{s}"
        );
        assert!(s.ends_with("access_token=***&padding=10"), "{s}");
    }
}
