//! What can go wrong while writing a video or an image.

use std::path::PathBuf;

/// An error from one of this crate's writers or from the MP4 inspector.
///
/// Errors name the file last, so a one-line message reads "what went wrong … path".
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    /// The output could not be created, written or moved into place.
    ///
    /// The reason is part of the message rather than the error's `source()`, so a report that
    /// prints the whole chain does not say it twice.
    #[error("cannot write {}: {error}", path.display())]
    Io {
        /// The operating system's reason.
        error: std::io::Error,
        /// The file being written.
        path: PathBuf,
    },
    /// The frame size does not suit the format.
    #[error("{width} × {height} is not a valid {format} size: {reason}")]
    BadSize {
        /// "MP4", "GIF" or "PNG".
        format: &'static str,
        /// Requested width in pixels.
        width: u32,
        /// Requested height in pixels.
        height: u32,
        /// Which limit it breaks.
        reason: &'static str,
    },
    /// The frame rate does not suit the format.
    #[error("{fps} frames per second is not possible in {format}: {reason}")]
    BadFrameRate {
        /// "MP4" or "GIF".
        format: &'static str,
        /// The requested rate.
        fps: u32,
        /// Which limit it breaks.
        reason: &'static str,
    },
    /// The quality setting is out of range.
    #[error("{reason}")]
    BadQuality {
        /// Which limit it breaks.
        reason: String,
    },
    /// A frame's byte count does not match the writer's size.
    #[error(
        "frame {frame} has {len} bytes; a {width} × {height} RGBA frame has {expected}",
        expected = *width as usize * *height as usize * 4
    )]
    FrameSize {
        /// Index of the frame (0-based).
        frame: usize,
        /// Bytes given.
        len: usize,
        /// The writer's width.
        width: u32,
        /// The writer's height.
        height: u32,
    },
    /// The H.264 encoder refused a frame or its settings.
    #[error("the H.264 encoder failed on frame {frame}: {message} ({})", path.display())]
    Encoder {
        /// Index of the frame (0-based).
        frame: usize,
        /// OpenH264's description.
        message: String,
        /// The file being written.
        path: PathBuf,
    },
    /// The GIF or PNG encoder failed (normally an IO error underneath).
    #[error("{format} encoding failed: {message} ({})", path.display())]
    Encoding {
        /// "GIF" or "PNG".
        format: &'static str,
        /// The encoder's description.
        message: String,
        /// The file being written.
        path: PathBuf,
    },
    /// `finish` was called before any frame was written.
    #[error("no frames were written, so there is no video to save at {}", path.display())]
    NoFrames {
        /// The file that would have been written.
        path: PathBuf,
    },
    /// A palette has no colours or more than 256.
    #[error("a GIF palette holds 1 to 256 colours, not {count}")]
    BadPalette {
        /// Colours given.
        count: usize,
    },
    /// Bytes that should be an MP4 file are not one (from [`crate::inspect_mp4`]).
    #[error("not a valid MP4 file: {reason}")]
    BadMp4 {
        /// What is wrong, naming the box.
        reason: String,
    },
}

impl VideoError {
    pub(crate) fn io(error: std::io::Error, path: &std::path::Path) -> Self {
        Self::Io {
            error,
            path: path.to_path_buf(),
        }
    }
}
