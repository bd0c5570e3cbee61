//! The one error type of the crate: every variant prints as one line a user can act on.

use std::path::PathBuf;

/// Everything that can go wrong while making a chip.
///
/// Each `Display` is a single line (the CLI prints one per failed row, the app shows it under
/// the chip). No variant ever holds the access token: URLs are masked (`access_token=***`)
/// before they are put in an error, and server messages are scrubbed the same way.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChipError {
    /// HTTP 401 from Mapbox: the token is missing, mistyped or revoked.
    #[error("Mapbox rejected the access token (401 Unauthorized): check the MAPBOX_token value")]
    InvalidToken,
    /// HTTP 403: the token lacks a scope / URL restriction, or the server refuses us.
    #[error("forbidden (403) by {host}: the token or account is not allowed to use this resource")]
    Forbidden {
        /// Host that refused.
        host: String,
    },
    /// HTTP 404 from the Mapbox Static Images API: the `{user}/{style}` does not exist.
    #[error("Mapbox style not found (404): {style}")]
    StyleNotFound {
        /// The `{user}/{style}` id that was asked for.
        style: String,
    },
    /// HTTP 404 for a tile (or any other non-Mapbox URL).
    #[error("not found (404): {url}")]
    NotFound {
        /// The URL, token masked.
        url: String,
    },
    /// HTTP 422: Mapbox understood the request but cannot render it; its own message says why.
    #[error("Mapbox could not render the chip (422): {message}")]
    Unprocessable {
        /// Mapbox's `message` field (or the body's first line), scrubbed of any token.
        message: String,
    },
    /// HTTP 429 on every attempt: the bounded retries (honouring `Retry-After`) ran out.
    #[error("rate limited (429) by {host}: gave up after {attempts} attempt(s)")]
    RateLimited {
        /// Host that throttled us.
        host: String,
        /// How many requests were sent.
        attempts: u32,
    },
    /// Any other unexpected HTTP status.
    #[error("unexpected HTTP status {status} from {url}")]
    HttpStatus {
        /// The status code.
        status: u16,
        /// The URL, token masked and shortened.
        url: String,
    },
    /// The request or body took longer than the configured timeout.
    #[error("timed out ({phase}) waiting for {host}")]
    Timeout {
        /// Host we waited for.
        host: String,
        /// Which timeout fired (connect, global, …).
        phase: String,
    },
    /// No connection: refused, unreachable, DNS failure (often: no network).
    #[error("cannot connect to {host}: {reason}")]
    Connect {
        /// Host we tried.
        host: String,
        /// What the OS / client said.
        reason: String,
    },
    /// The connection broke after the response started (e.g. the server died mid-body).
    #[error("download from {host} failed: {reason}")]
    Network {
        /// Host we were reading from.
        host: String,
        /// What the OS / client said.
        reason: String,
    },
    /// A successful response whose body is not a JPEG, PNG or WebP image.
    #[error("response from {host} is not an image ({detail})")]
    NotAnImage {
        /// Host that sent it.
        host: String,
        /// Content type and first bytes, to tell an HTML error page from garbage.
        detail: String,
    },
    /// A body larger than `HttpConfig::max_body_bytes`.
    #[error("response from {host} is larger than {limit_bytes} bytes")]
    BodyTooLarge {
        /// Host that sent it.
        host: String,
        /// The configured limit.
        limit_bytes: u64,
    },
    /// The body looked like an image but did not decode (truncated or corrupt).
    #[error("cannot decode the {format} image from {host}: {reason}")]
    Decode {
        /// Host that sent it.
        host: String,
        /// The sniffed format.
        format: String,
        /// Decoder message.
        reason: String,
    },
    /// The outline is unusable (empty, non-finite, out of range).
    #[error("invalid outline: {reason}")]
    InvalidGeometry {
        /// What is wrong.
        reason: String,
    },
    /// Chip settings out of range (size, stroke, padding, style, template, token).
    #[error("invalid chip settings: {reason}")]
    InvalidSpec {
        /// What is wrong.
        reason: String,
    },
    /// The Mapbox URL stays over 8,192 characters even after simplifying the outline.
    #[error(
        "the Mapbox URL is {len} characters even after simplifying the outline (limit {limit})"
    )]
    UrlTooLong {
        /// Shortest length reached.
        len: usize,
        /// The API's limit.
        limit: usize,
    },
    /// The caller cancelled the request (a newer click, or shutdown).
    #[error("cancelled")]
    Cancelled,
    /// The fetcher's queue is full; try again later.
    #[error("the chip fetcher is busy ({queued} requests queued)")]
    Busy {
        /// Queue capacity.
        queued: usize,
    },
    /// Encoding the locally burned chip failed.
    #[error("cannot encode the chip image: {reason}")]
    Encode {
        /// Encoder message.
        reason: String,
    },
    /// The disk cache could not be read or written.
    #[error("chip cache: {action} failed ({source}): {path}")]
    Cache {
        /// What we were doing (create, write, rename, read, …).
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
        /// The file or directory involved.
        path: PathBuf,
    },
}

impl ChipError {
    /// Shorthand for an invalid-settings error.
    pub(crate) fn spec(reason: impl Into<String>) -> Self {
        Self::InvalidSpec {
            reason: reason.into(),
        }
    }

    /// Shorthand for an invalid-geometry error.
    pub(crate) fn geometry(reason: impl Into<String>) -> Self {
        Self::InvalidGeometry {
            reason: reason.into(),
        }
    }

    /// Shorthand for a cache IO error.
    pub(crate) fn cache(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Cache {
            action,
            source,
            path: path.into(),
        }
    }
}
