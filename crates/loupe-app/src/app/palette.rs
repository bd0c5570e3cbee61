//! Colours for categories and the dimming of points, on the renderer's packed `u32`.

use loupe_render::pack_rgba;

/// The colour of points in a dataset without a categorical column (or with colouring off).
pub const DEFAULT_RGB: [u8; 3] = [0x6f, 0xb8, 0xff];

/// The colour of rows whose category is null.
pub const MISSING_RGB: [u8; 3] = [0x55, 0x55, 0x55];

/// RGB of category `code`: `loupe-colour`'s palette (20 colours picked for distinctness in
/// Oklab, also under simulated colour-vision deficiency, then low-discrepancy hues), so the
/// legend matches the argmax colourings computed there.
pub fn category_rgb(code: usize) -> [u8; 3] {
    let [r, g, b, _] = loupe_colour::category_colour(Some(code));
    [r, g, b]
}

/// The same colour as egui wants it for legends and labels.
pub fn to_egui([r, g, b]: [u8; 3]) -> egui::Color32 {
    egui::Color32::from_rgb(r, g, b)
}

/// A packed colour faded to a fifth of its opacity: points shown but not yet part of the
/// optimisation (a multi-stage run's non-sample points).
pub fn dimmed(packed: u32) -> u32 {
    let alpha = (packed >> 24) / 5;
    (packed & 0x00ff_ffff) | (alpha << 24)
}

/// A packed colour turned to a faint grey: points a filter leaves out, still shown for context.
pub fn greyed(packed: u32) -> u32 {
    (pack_rgba(90, 90, 90, 0) & 0x00ff_ffff) | (((packed >> 24) / 4) << 24)
}

/// Packed per-point colours for the renderer.
pub fn point_colors(codes: Option<&[Option<u32>]>, n_rows: usize) -> Vec<u32> {
    let pack = |[r, g, b]: [u8; 3]| pack_rgba(r, g, b, 255);
    match codes {
        Some(codes) => codes
            .iter()
            .map(|c| pack(c.map_or(MISSING_RGB, |c| category_rgb(c as usize))))
            .collect(),
        None => vec![pack(DEFAULT_RGB); n_rows],
    }
}
