//! Loupe's video and image writers: RGBA frames in, MP4, GIF and PNG files out.
//!
//! Exports of a layout's run (the seed's animation: every recorded iteration as a frame) must
//! work on a fresh machine, so nothing here calls a system ffmpeg or codec library:
//!
//! * [`Mp4Writer`] encodes H.264 with OpenH264, compiled from the source the `openh264` crate
//!   bundles (BSD-2-Clause), converts RGBA to BT.709 I420 itself, and muxes one video track
//!   into MP4 with our own ISO base media writer ([`mp4`]); [`inspect_mp4`] reads the boxes
//!   back for tests.
//! * [`GifWriter`] writes an animated, endlessly looping GIF with one global [`Palette`],
//!   storing only the part of each frame that changed.
//! * [`PngWriter`] / [`write_png`] write one image.
//!
//! Frames come from the caller (Loupe renders them with its wgpu point renderer); this crate
//! must never depend on a GUI or GPU crate (egui, eframe, winit, wgpu) or on the engines, so
//! it stays a plain encoder anyone can test headless.

mod error;
mod gif_writer;
mod h264;
pub mod mp4;
mod palette;
mod pending;
mod png_writer;
mod yuv;

pub use error::VideoError;
pub use gif_writer::GifWriter;
pub use h264::Quality;
pub use mp4::{Mp4Options, Mp4Summary, Mp4Writer, inspect_mp4, nal_unit_types};
pub use palette::Palette;
pub use png_writer::{PngWriter, write_png};

/// Checks that `rgba` holds exactly one `width × height` frame.
pub(crate) fn check_frame(
    rgba: &[u8],
    width: u32,
    height: u32,
    frame: usize,
) -> Result<(), VideoError> {
    if rgba.len() == width as usize * height as usize * 4 {
        Ok(())
    } else {
        Err(VideoError::FrameSize {
            frame,
            len: rgba.len(),
            width,
            height,
        })
    }
}

#[cfg(test)]
mod tests {
    /// Exports run on worker threads; writers move there, errors come back.
    #[test]
    fn types_cross_threads() {
        fn is_send<T: Send>() {}
        fn is_send_sync<T: Send + Sync>() {}
        is_send::<crate::Mp4Writer>();
        is_send::<crate::GifWriter>();
        is_send_sync::<crate::Palette>();
        is_send_sync::<crate::VideoError>();
    }
}
