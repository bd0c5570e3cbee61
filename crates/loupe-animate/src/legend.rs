//! The legend panel: one row per class, a tinted sample picture or a colour swatch, and the
//! class name.

use loupe_colour::Rgba;

use crate::layout::Layout;
use crate::text::Font;
use crate::{Legend, LegendEntry, RgbaImage};

/// Rows shorter than this are unreadable; the rest are summarised as "+ k more".
const MIN_ROW_PX: f32 = 11.0;
/// Label colour: light grey, quieter than the title.
pub(crate) const LABEL: Rgba = [0xc8, 0xc8, 0xc8, 0xff];

/// Draws the legend into `canvas` (the frame's static template).
pub(crate) fn draw_legend(
    canvas: &mut RgbaImage,
    font: &Font,
    layout: &Layout,
    kind: Legend,
    title: Option<&str>,
    entries: &[LegendEntry],
) {
    let [x, y, width, height] = layout.legend;
    if width <= 0.0 || entries.is_empty() && title.is_none() {
        return;
    }
    let title_px = layout.header_px;
    let title_height = if title.is_some() { title_px * 1.6 } else { 0.0 };
    let room = height - title_height;
    let side = layout.scatter[2].min(layout.scatter[3]) as f32;
    let fits = ((room / MIN_ROW_PX).floor() as usize).max(1);
    let (shown, more) = if entries.len() > fits {
        (
            fits.saturating_sub(1),
            entries.len() - fits.saturating_sub(1),
        )
    } else {
        (entries.len(), 0)
    };
    let rows = shown + usize::from(more > 0);
    let row = (room / rows.max(1) as f32)
        .min(0.085 * side)
        .max(MIN_ROW_PX);
    // The heading and the rows form one block, centred vertically in the panel.
    let block = title_height + row * rows as f32;
    let mut top = y + (height - block).max(0.0) / 2.0;
    if let Some(title) = title {
        let baseline = top + font.ascent(title_px);
        let text = ellipsis(font, title, title_px, width);
        font.draw(canvas, &text, [x, baseline], title_px, LABEL);
        top += title_height;
    }
    let text_px = (row * 0.42).clamp(9.0, layout.header_px);
    for entry in &entries[..shown] {
        let marker = row * 0.82;
        let marker_top = top + (row - marker) / 2.0;
        if let (Some(image), Legend::Images) = (&entry.image, kind) {
            canvas.tint_picture(image, [x, marker_top], marker, entry.colour);
        } else {
            let radius = (row * 0.22).min(marker / 2.0);
            canvas.fill_disc([x + marker / 2.0, top + row / 2.0], radius, entry.colour);
        }
        let text_x = x + marker + 0.25 * row;
        let baseline = top + row / 2.0 + font.ascent(text_px) * 0.38;
        let label = ellipsis(font, &entry.label, text_px, x + width - text_x);
        font.draw(canvas, &label, [text_x, baseline], text_px, LABEL);
        top += row;
    }
    if more > 0 {
        let baseline = top + row / 2.0 + font.ascent(text_px) * 0.38;
        font.draw(
            canvas,
            &format!("+ {more} more"),
            [x, baseline],
            text_px,
            LABEL,
        );
    }
}

/// `text`, shortened with "…" until it fits in `room` pixels.
fn ellipsis(font: &Font, text: &str, px: f32, room: f32) -> String {
    if font.width(text, px) <= room {
        return text.to_owned();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().chain(['…'].iter()).collect();
        if font.width(&candidate, px) <= room {
            return candidate;
        }
    }
    String::new()
}
