//! Where each part of a frame goes, from the style alone (so it is fixed for a whole video).

use crate::text::Font;
use crate::{AnimateError, AnimationStyle, Legend};

/// Smallest scatter region worth drawing, in pixels a side.
const MIN_SCATTER_PX: f32 = 16.0;

/// The parts of a frame, in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Layout {
    /// The scatter: left, top, width, height (whole pixels, the render target's size).
    pub(crate) scatter: [u32; 4],
    /// Baseline of the title / "epoch i / n" line, and the text size.
    pub(crate) header_baseline: f32,
    pub(crate) header_px: f32,
    /// The progress bar: left, top, width, height.
    pub(crate) bar: [f32; 4],
    /// The legend panel: left, top, width, height (zero width without a legend).
    pub(crate) legend: [f32; 4],
    /// Outer margin.
    pub(crate) margin: f32,
}

impl Layout {
    pub(crate) fn new(style: &AnimationStyle, font: &Font) -> Result<Self, AnimateError> {
        let [w, h] = style.size.map(|v| v as f32);
        let side = w.min(h);
        let margin = (0.03 * side).round().max(2.0);
        let header_px = (0.03 * side).max(9.0);
        let has_header = style.progress_bar || style.title.is_some();
        let (header_baseline, bar, top) = if has_header {
            let baseline = margin + font.ascent(header_px);
            let bar_top = baseline + 0.45 * header_px;
            let bar_height = if style.progress_bar {
                (0.01 * side).max(3.0)
            } else {
                0.0
            };
            (
                baseline,
                [margin, bar_top, 0.0, bar_height],
                bar_top + bar_height + margin * 0.7,
            )
        } else {
            (0.0, [0.0; 4], margin)
        };
        let legend_width = match style.legend {
            Legend::None => 0.0,
            Legend::Images | Legend::Swatches => (0.18 * w).round(),
        };
        let scatter_right = if legend_width > 0.0 {
            w - margin - legend_width - 0.5 * margin
        } else {
            w - margin
        };
        let scatter = [
            margin,
            top.round(),
            (scatter_right - margin).floor(),
            (h - margin - top.round()).floor(),
        ];
        if scatter[2] < MIN_SCATTER_PX || scatter[3] < MIN_SCATTER_PX {
            return Err(AnimateError::BadStyle {
                reason: format!(
                    "a {} × {} frame leaves no room for the scatter beside the title, progress \
                     bar and legend; use a larger size (e.g. 1080x1080) or --legend none",
                    style.size[0], style.size[1]
                ),
            });
        }
        let mut bar = bar;
        bar[2] = scatter[2];
        Ok(Self {
            scatter: scatter.map(|v| v as u32),
            header_baseline,
            header_px,
            bar,
            legend: [
                w - margin - legend_width,
                scatter[1],
                legend_width,
                scatter[3],
            ],
            margin,
        })
    }
}
