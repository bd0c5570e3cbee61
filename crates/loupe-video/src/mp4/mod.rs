//! MP4 (ISO base media file format) with one H.264 track: our own muxer and inspector.
//!
//! The muxer is ours rather than a crate's because a constant-frame-rate, single-track file
//! needs only a dozen boxes (about 200 lines), and writing them ourselves keeps the output
//! streamed to disk, the dependency tree small, and the exact layout under test; the inspector
//! reads the same boxes back so tests (ours and the app's) can check a file without ffmpeg.

mod boxes;
mod inspect;
mod writer;

pub use inspect::{AvcConfig, Mp4Info, TrackInfo, inspect_mp4, nal_unit_types};
pub use writer::{Mp4Options, Mp4Summary, Mp4Writer};
