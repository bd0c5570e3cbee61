//! Per-point colours that reveal structure in a layout, for Loupe's "Colour by" menu.
//!
//! A t-SNE picture shows clusters but not what separates them or where the picture lies. The
//! colourings here (after the "Coloring t-SNE" notebook) paint every point from its original
//! vector or from the layout, so structure that the 2-D positions hide becomes visible:
//!
//! - [`Colormap`]: a perceptual sequential map ([`Colormap::Viridis`], viridis-like) and a
//!   diverging one ([`Colormap::CoolWarm`], after Moreland 2009); [`numeric_colours`] paints a
//!   numeric column with a robust (1st–99th percentile) range and reports the range for a bar.
//! - [`category_colour`]: a categorical palette of 20 colours chosen for distinctness in Oklab,
//!   also under simulated colour-vision deficiency, then golden-angle hues, plus null grey.
//! - Structure colourings of `N × D` vectors: [`pca_rgb`], [`pca_bits`], [`ica_rgb`]
//!   (`FastICA`, Hyvärinen & Oja 2000) and [`argmax_colours`]; and of a layout:
//!   [`trust_map`] (local distortion of the 2-D neighbourhoods).
//!
//! # Conventions
//! - Vectors are `&[f32]`, row-major `N × dim`; layout positions are interleaved
//!   `[x0, y0, x1, y1, …]`. Both must be finite, else [`ColourError`].
//! - A numeric column is `&[f64]`; NaN and ±∞ mean "missing" and are painted [`MISSING`].
//! - Output is one [`Rgba`] (`[r, g, b, a]`, sRGB-encoded, straight alpha) per point. Its
//!   byte order is the renderer's packed `u32` (`u32::from_le_bytes`), see [`pack`].
//! - Work that can be large takes a `progress` callback, called on the calling thread with
//!   the fraction done in `[0, 1]`; returning [`ControlFlow::Break`](std::ops::ControlFlow)
//!   abandons the work with [`ColourError::Cancelled`]. Parameters and input are checked
//!   before any work starts.
//! - Every colouring is deterministic for its seed and independent of the number of threads:
//!   parallel loops run over fixed-size chunks and floating-point sums add the chunks in order.
//!
//! This crate must never depend on a GUI, GPU or IO crate (egui, eframe, wgpu, winit, file
//! readers): it is pure computation on slices, run on the app's worker thread, the CLI and
//! tests. PCA comes from `loupe_tsne::Pca`, so the app has one PCA.

mod argmax;
mod colormap;
mod error;
mod fastica;
mod ica;
mod input;
mod kdtree;
mod numeric;
mod oklab;
mod palette;
mod pca_colours;
mod progress;
mod stats;
mod trust;

pub use argmax::{ArgmaxOf, Categories, argmax_colours};
pub use colormap::{Colormap, LUT_SIZE};
pub use error::ColourError;
pub use ica::{Ica, IcaParams, fast_ica, ica_rgb};
pub use numeric::{NumericColours, numeric_colours, percentile_range};
pub use palette::{MISSING, OTHER, category_colour, palette};
pub use pca_colours::{pca_bits, pca_rgb};
pub use progress::no_progress;
pub use trust::{TrustMap, TrustParams, trust_map};

/// One point's colour: `[r, g, b, a]`, sRGB-encoded with straight (unpremultiplied) alpha,
/// the layout the renderer uploads per point.
pub type Rgba = [u8; 4];

/// The colour packed as the renderer's `u32` (`loupe_render::pack_rgba` byte order: red in the
/// lowest byte), for callers that keep packed colours.
pub const fn pack(c: Rgba) -> u32 {
    u32::from_le_bytes(c)
}

/// An opaque colour from sRGB bytes.
pub(crate) const fn opaque(r: u8, g: u8, b: u8) -> Rgba {
    [r, g, b, 255]
}
