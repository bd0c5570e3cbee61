//! What the app hands the renderer each frame.

use std::sync::Arc;

use crate::Camera;

/// Packs straight (not premultiplied) sRGB-encoded RGBA8 into the `u32` layout the shader
/// unpacks with `unpack4x8unorm`: `r` in the lowest byte, `a` in the highest.
///
/// This is the same byte order as `egui::Color32::to_array`, so
/// `pack_rgba(c.r(), c.g(), c.b(), c.a())` round-trips an unmultiplied egui colour.
pub const fn pack_rgba(r: u8, g: u8, b: u8, a: u8) -> u32 {
    u32::from_le_bytes([r, g, b, a])
}

/// A point drawn as a ring on top of all others (hover, selection).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Highlight {
    /// Index of the point in [`PointFrame::positions`] (point index, not float index).
    /// Out-of-range indices are skipped rather than panicking, because the highlight may come
    /// from a pick made against an older snapshot of a different size.
    pub index: u32,
    /// Ring colour, packed with [`pack_rgba`].
    pub color: u32,
    /// Outer ring radius in the same screen units as the camera (egui points in the app).
    pub radius_px: f32,
}

/// Everything needed to draw one frame of the scatter plot.
///
/// The big arrays are behind `Arc`s so building a frame is cheap, and each carries a generation
/// counter: the renderer re-uploads an array only when its generation changes (or its length
/// does), so a static embedding costs no bandwidth per frame while a running t-SNE uploads once
/// per published snapshot.
///
/// Screen quantities (`camera`, `viewport_px`, radii) are all in one unit. When the frame goes
/// through [`crate::points_paint_callback`] that unit is egui points and the bridge converts to
/// physical pixels; when it goes straight to [`crate::PointRenderer::prepare`] it is the render
/// target's pixels.
#[derive(Clone, Debug, Default)]
pub struct PointFrame {
    /// Interleaved `x, y` data-space positions, `N × 2` floats.
    pub positions: Arc<Vec<f32>>,
    /// Bumped by the producer whenever `positions` holds new values.
    pub positions_generation: u64,
    /// `N` colours packed with [`pack_rgba`]. If the lengths disagree, `min(N_pos, N_col)` points
    /// are drawn.
    pub colors: Arc<Vec<u32>>,
    /// Bumped by the producer whenever `colors` holds new values.
    pub colors_generation: u64,
    /// Which part of data space is visible.
    pub camera: Camera,
    /// Size of the viewport the camera maps into.
    pub viewport_px: [f32; 2],
    /// Radius of every point's disc.
    pub point_radius_px: f32,
    /// Global opacity multiplier in `0..=1`; lower values reveal density in crowded regions.
    pub opacity: f32,
    /// Hovered and selected points, drawn as rings on top in this order.
    pub highlights: Vec<Highlight>,
    /// Points from this index on are drawn hollow (rings, not discs): the app appends rows
    /// projected into a finished layout after its reference rows, so one index marks them
    /// all without a per-point buffer. `None` draws every point filled.
    pub hollow_from: Option<u32>,
}

impl PointFrame {
    /// Number of points in `positions`.
    pub fn position_count(&self) -> usize {
        self.positions.len() / 2
    }
}

#[cfg(test)]
mod tests {
    use super::pack_rgba;

    #[test]
    fn pack_puts_red_in_the_lowest_byte() {
        assert_eq!(pack_rgba(0x11, 0x22, 0x33, 0x44), 0x4433_2211);
        assert_eq!(pack_rgba(255, 0, 0, 255) & 0xff, 255);
    }
}
