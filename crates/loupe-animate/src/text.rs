//! Text without a system font: egui's bundled Ubuntu Light, outlines from skrifa, coverage
//! from `ab_glyph`'s rasteriser, blended onto the canvas.
//!
//! Labels are short (a class name, "epoch 120 / 200"), so there is no shaping or kerning:
//! glyphs follow their advance widths, which is what a legend needs.

use ab_glyph_rasterizer::{Rasterizer, point};
use loupe_colour::Rgba;
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, MetadataProvider};

use crate::{AnimateError, RgbaImage};

/// The bundled font, parsed once.
pub(crate) struct Font {
    font: FontRef<'static>,
}

/// A glyph outline in pixels, y down, relative to the pen position on the baseline.
#[derive(Default)]
struct Path {
    segments: Vec<Segment>,
    start: [f32; 2],
    at: [f32; 2],
}

#[derive(Clone, Copy)]
enum Segment {
    Line([f32; 2], [f32; 2]),
    Quad([f32; 2], [f32; 2], [f32; 2]),
    Cubic([f32; 2], [f32; 2], [f32; 2], [f32; 2]),
}

impl OutlinePen for Path {
    fn move_to(&mut self, x: f32, y: f32) {
        self.start = [x, -y];
        self.at = self.start;
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let to = [x, -y];
        self.segments.push(Segment::Line(self.at, to));
        self.at = to;
    }

    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        let to = [x, -y];
        self.segments.push(Segment::Quad(self.at, [cx0, -cy0], to));
        self.at = to;
    }

    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        let to = [x, -y];
        self.segments
            .push(Segment::Cubic(self.at, [cx0, -cy0], [cx1, -cy1], to));
        self.at = to;
    }

    fn close(&mut self) {
        // A zero-length closing line adds no coverage, so it needs no test.
        self.segments.push(Segment::Line(self.at, self.start));
        self.at = self.start;
    }
}

impl Font {
    pub(crate) fn new() -> Result<Self, AnimateError> {
        let font =
            FontRef::new(epaint_default_fonts::UBUNTU_LIGHT).map_err(|e| AnimateError::Font {
                reason: e.to_string(),
            })?;
        Ok(Self { font })
    }

    /// Distance from the baseline to the top of capitals, in pixels at `px`.
    pub(crate) fn ascent(&self, px: f32) -> f32 {
        self.font
            .metrics(Size::new(px), LocationRef::default())
            .ascent
    }

    /// Width of `text` in pixels at size `px`.
    pub(crate) fn width(&self, text: &str, px: f32) -> f32 {
        let metrics = self
            .font
            .glyph_metrics(Size::new(px), LocationRef::default());
        let charmap = self.font.charmap();
        text.chars()
            .map(|c| {
                let glyph = charmap.map(c).unwrap_or_default();
                metrics.advance_width(glyph).unwrap_or(0.0)
            })
            .sum()
    }

    /// Draws `text` with its baseline starting at `origin`, in `colour`, at size `px`.
    pub(crate) fn draw(
        &self,
        canvas: &mut RgbaImage,
        text: &str,
        origin: [f32; 2],
        px: f32,
        colour: Rgba,
    ) {
        let size = Size::new(px);
        let metrics = self.font.glyph_metrics(size, LocationRef::default());
        let charmap = self.font.charmap();
        let outlines = self.font.outline_glyphs();
        let mut pen_x = origin[0];
        for c in text.chars() {
            let glyph = charmap.map(c).unwrap_or_default();
            if let Some(outline) = outlines.get(glyph) {
                let mut path = Path::default();
                let settings = DrawSettings::unhinted(size, LocationRef::default());
                if outline.draw(settings, &mut path).is_ok() {
                    fill(canvas, &path, [pen_x, origin[1]], colour);
                }
            }
            pen_x += metrics.advance_width(glyph).unwrap_or(0.0);
        }
    }
}

/// Rasterises one glyph's path at `origin` (pen position on the baseline) onto the canvas.
fn fill(canvas: &mut RgbaImage, path: &Path, origin: [f32; 2], colour: Rgba) {
    let mut lo = [f32::INFINITY; 2];
    let mut hi = [f32::NEG_INFINITY; 2];
    for segment in &path.segments {
        let ends: &[[f32; 2]] = match segment {
            Segment::Line(a, b) => &[*a, *b],
            Segment::Quad(a, b, c) => &[*a, *b, *c],
            Segment::Cubic(a, b, c, d) => &[*a, *b, *c, *d],
        };
        for p in ends {
            lo = [lo[0].min(p[0]), lo[1].min(p[1])];
            hi = [hi[0].max(p[0]), hi[1].max(p[1])];
        }
    }
    if !(lo[0].is_finite() && hi[0].is_finite()) {
        return; // a space
    }
    // The glyph's box in canvas pixels, whole pixels so the coverage lines up with them.
    let left = (origin[0] + lo[0]).floor();
    let top = (origin[1] + lo[1]).floor();
    let width = ((origin[0] + hi[0]).ceil() - left).max(1.0) as usize + 1;
    let height = ((origin[1] + hi[1]).ceil() - top).max(1.0) as usize + 1;
    let (dx, dy) = (origin[0] - left, origin[1] - top);
    let at = |p: [f32; 2]| point(p[0] + dx, p[1] + dy);
    let mut raster = Rasterizer::new(width, height);
    for segment in &path.segments {
        match *segment {
            Segment::Line(a, b) => raster.draw_line(at(a), at(b)),
            Segment::Quad(a, b, c) => raster.draw_quad(at(a), at(b), at(c)),
            Segment::Cubic(a, b, c, d) => raster.draw_cubic(at(a), at(b), at(c), at(d)),
        }
    }
    raster.for_each_pixel_2d(|x, y, coverage| {
        canvas.blend(
            left as i64 + i64::from(x),
            top as i64 + i64::from(y),
            colour,
            coverage,
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_drawn_where_it_is_measured() {
        let font = Font::new().expect("bundled font");
        let px = 32.0;
        let width = font.width("epoch 7 / 200", px);
        assert!((100.0..300.0).contains(&width), "{width}");
        assert!(font.ascent(px) > 20.0);
        let mut canvas = RgbaImage::filled(400, 60, [0, 0, 0, 255]);
        font.draw(
            &mut canvas,
            "epoch 7 / 200",
            [10.0, 45.0],
            px,
            [255, 255, 255, 255],
        );
        let lit: Vec<u32> = (0..400)
            .filter(|&x| (0..60).any(|y| canvas.pixel(x, y).is_some_and(|p| p[0] > 128)))
            .collect();
        let first = *lit.first().expect("some ink");
        let last = *lit.last().expect("some ink");
        assert!((9..16).contains(&first), "ink starts at {first}");
        assert!(
            (last as f32 - (10.0 + width)).abs() < 6.0,
            "ink ends at {last}, advance ends at {}",
            10.0 + width
        );
        // Nothing below the descender or above the ascender.
        assert!((0..400).all(|x| canvas.pixel(x, 59).is_some_and(|p| p[0] == 0)));
    }
}
