//! Loupe's frame composer: a layout (or every recorded iteration of a run) drawn the way the
//! seed's animation looked — the scatter on a dark background, an iteration progress bar with
//! "epoch i / n", a legend panel (one sample picture per class for image-like vectors, colour
//! swatches otherwise) — and written as MP4, GIF or PNG.
//!
//! The points are drawn by the app's own wgpu [`loupe_render::PointRenderer`], offscreen
//! ([`loupe_render::offscreen`]), so an export looks like the app at any resolution and needs
//! no window; text and the legend are drawn on the CPU with a bundled font, so no system font
//! is needed either. [`FrameRenderer`] composes frames; [`VideoSink`] writes them through
//! `loupe-video`'s encoders.
//!
//! This crate sits beside `loupe-render` in the layering: it may use wgpu (through
//! `egui_wgpu`), `loupe-colour` and `loupe-video`, but never the app, eframe or winit, and no
//! engine depends on it.

mod canvas;
mod error;
mod export;
mod layout;
mod legend;
mod palette;
mod renderer;
mod style;
mod text;

pub use canvas::RgbaImage;
pub use error::AnimateError;
pub use export::{ExportFormat, SinkOptions, VideoSink};
pub use loupe_video::{Palette, Quality};
pub use palette::gif_palette;
pub use renderer::{FrameRenderer, finite_bounds};
pub use style::{AnimationStyle, CameraMode, DARK_BACKGROUND, Legend, LegendEntry, LegendImage};

#[cfg(test)]
mod tests {
    /// Exports run on a worker thread of the app.
    #[test]
    fn types_cross_threads() {
        fn is_send<T: Send>() {}
        is_send::<crate::FrameRenderer>();
        is_send::<crate::VideoSink>();
        is_send::<crate::AnimateError>();
    }
}
