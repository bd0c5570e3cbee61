//! What can go wrong while composing or exporting frames.

use std::path::PathBuf;

/// An error from the frame composer or an export.
#[derive(Debug, thiserror::Error)]
pub enum AnimateError {
    /// Rendering the points offscreen failed (no adapter, a size the device cannot hold).
    #[error(transparent)]
    Render(#[from] loupe_render::offscreen::OffscreenError),
    /// Writing the video or image failed.
    #[error(transparent)]
    Video(#[from] loupe_video::VideoError),
    /// The style cannot be drawn (too small an image, a bad radius).
    #[error("{reason}")]
    BadStyle {
        /// Which setting is wrong and what would work.
        reason: String,
    },
    /// Positions and colours disagree, or positions are not `x, y` pairs.
    #[error(
        "{positions} position values (x, y pairs) and {colours} colours do not describe the same points"
    )]
    PointCount {
        /// Length of the interleaved positions.
        positions: usize,
        /// Number of colours.
        colours: usize,
    },
    /// The bundled font could not be read (a build problem, not a user's).
    #[error("the bundled font cannot be read: {reason}")]
    Font {
        /// What the font parser said.
        reason: String,
    },
    /// The output's extension names no format Loupe writes.
    #[error(
        "{}: cannot tell the format from the extension; use .mp4 (H.264 video), .gif \
         (animated GIF) or .png (the last frame)",
        path.display()
    )]
    UnknownFormat {
        /// The output path.
        path: PathBuf,
    },
}
