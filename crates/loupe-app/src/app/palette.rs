//! Colours for categories: distinct, colour-blind-aware hues on a dark background.

use loupe_render::pack_rgba;

/// Twenty hues in the spirit of Tableau 20 / Glasbey, reordered so the first ten (MNIST's
/// digits) are maximally distinct; categories beyond twenty reuse them.
const CATEGORY_RGB: [[u8; 3]; 20] = [
    [0x4e, 0x9a, 0xe8],
    [0xf2, 0x8e, 0x2b],
    [0x59, 0xc1, 0x4f],
    [0xe1, 0x4b, 0x4b],
    [0xb0, 0x7a, 0xe0],
    [0xa8, 0x6b, 0x4c],
    [0xf0, 0x7a, 0xc0],
    [0xb8, 0xb8, 0xb8],
    [0xd9, 0xd0, 0x3a],
    [0x2e, 0xd1, 0xd1],
    [0x9e, 0xc9, 0xf5],
    [0xff, 0xc0, 0x80],
    [0xa6, 0xe3, 0x9a],
    [0xff, 0x9d, 0x9a],
    [0xd1, 0xb8, 0xf0],
    [0xd4, 0xa5, 0x8f],
    [0xf7, 0xb6, 0xd2],
    [0x7f, 0x7f, 0x7f],
    [0xdb, 0xdb, 0x8d],
    [0x9e, 0xda, 0xe5],
];

/// The colour of points in a dataset without a categorical column (or with colouring off).
pub const DEFAULT_RGB: [u8; 3] = [0x6f, 0xb8, 0xff];

/// The colour of rows whose category is null.
pub const MISSING_RGB: [u8; 3] = [0x55, 0x55, 0x55];

/// RGB of category `code`.
pub fn category_rgb(code: usize) -> [u8; 3] {
    CATEGORY_RGB[code % CATEGORY_RGB.len()]
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
