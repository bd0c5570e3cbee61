//! `recall.png`: recall against iteration, one colour per strategy — a thin, faint line per
//! run and a thick line for the strategy's mean — with axes, the target, the ideal curve
//! (every candidate shown a positive), a legend and a title.
//!
//! Drawn on the CPU with `vello_cpu` and text from the Ubuntu font that egui bundles, turned
//! into outlines by `skrifa`: no display, GPU or system font is needed, so the plot comes out
//! the same on a fresh server as on a desktop. (egui renders its own text with the same two
//! crates, so they cost the build nothing.) The colours are the app's categorical palette on
//! the app's dark canvas, so a strategy looks the same here and in the app's plot.

use anyhow::Context as _;
use loupe_similar::Experiment;
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, MetadataProvider as _};
use vello_cpu::kurbo::{Affine, BezPath, Rect, Shape as _, Stroke};
use vello_cpu::peniko::Color;
use vello_cpu::{Pixmap, RenderContext, Resources};

/// Width of the picture in pixels.
pub const WIDTH_PX: u16 = 1200;
/// Height of the picture in pixels.
pub const HEIGHT_PX: u16 = 760;

/// The app's canvas colour.
pub const BACKGROUND: [u8; 3] = [0x1b, 0x1b, 0x1b];
/// Axes, ticks and text.
const INK: [u8; 3] = [0xdd, 0xdd, 0xdd];
/// Grid lines and the target line.
const GRID: [u8; 3] = [0x3a, 0x3a, 0x3a];
const TARGET: [u8; 3] = [0x9a, 0x9a, 0x9a];

/// Opacity of one run's line: twenty of them overlap into a visible band, each stays faint.
const RUN_ALPHA: u8 = 60;
/// Line widths in pixels.
const RUN_WIDTH_PX: f64 = 1.0;
const MEAN_WIDTH_PX: f64 = 3.5;

/// The plot area: left, top, right, bottom (pixels); the legend sits right of it.
const PLOT: [f64; 4] = [90.0, 78.0, 930.0, 680.0];

/// The colour of strategy number `index` (in the experiment's order): the app's categorical
/// palette, opaque.
pub fn strategy_colour(index: usize) -> [u8; 3] {
    let [r, g, b, _] = loupe_colour::category_colour(Some(index));
    [r, g, b]
}

/// Draws the experiment and returns the PNG file's bytes. `title` is the first line of the
/// heading; the second says how many positives, rows, runs and labels per iteration.
pub fn render_png(experiment: &Experiment, title: &str) -> anyhow::Result<Vec<u8>> {
    let font = Font::new()?;
    let mut ctx = RenderContext::new(WIDTH_PX, HEIGHT_PX);
    ctx.set_paint(colour(BACKGROUND, 255));
    ctx.fill_rect(&Rect::new(
        0.0,
        0.0,
        f64::from(WIDTH_PX),
        f64::from(HEIGHT_PX),
    ));

    let longest = experiment
        .curves
        .iter()
        .map(|c| c.recall.len())
        .max()
        .unwrap_or(1);
    let x_max = longest.saturating_sub(1).max(1) as f64;
    let frame = Frame { x_max };
    axes(&mut ctx, &font, &frame, experiment.params.target_recall);

    // The bound no ranking can beat: every candidate shown is a positive.
    let p = &experiment.params;
    let ideal: Vec<f64> = (0..longest)
        .map(|i| {
            ((p.start_pos + i * p.per_iteration) as f64 / experiment.positives.max(1) as f64)
                .min(1.0)
        })
        .collect();
    ctx.set_paint(colour(TARGET, 255));
    ctx.set_stroke(Stroke::new(1.5).with_dashes(0.0, [2.0, 4.0]));
    ctx.stroke_path(&frame.polyline(&ideal));

    // Runs first, faint, then the means on top.
    ctx.push_clip_layer(&Rect::new(PLOT[0], PLOT[1] - 4.0, PLOT[2], PLOT[3] + 4.0).to_path(0.1));
    for (index, (name, _)) in experiment.params.strategies.iter().enumerate() {
        ctx.set_paint(colour(strategy_colour(index), RUN_ALPHA));
        ctx.set_stroke(Stroke::new(RUN_WIDTH_PX));
        for curve in experiment.curves.iter().filter(|c| &c.strategy == name) {
            ctx.stroke_path(&frame.polyline(&curve.recall));
        }
    }
    for (index, (name, _)) in experiment.params.strategies.iter().enumerate() {
        ctx.set_paint(colour(strategy_colour(index), 255));
        ctx.set_stroke(Stroke::new(MEAN_WIDTH_PX));
        ctx.stroke_path(&frame.polyline(&experiment.mean_curve(name)));
    }
    ctx.pop_layer();

    legend(&mut ctx, &font, experiment);
    font.draw(
        &mut ctx,
        title,
        Anchor::Middle,
        (f64::from(WIDTH_PX) / 2.0, 32.0),
        20.0,
        0.0,
    );
    let subtitle = format!(
        "{} positives among {} rows · {} runs per strategy from {} positive + {} negative labels · {} labels per iteration",
        thousands(experiment.positives),
        thousands(experiment.rows),
        p.runs,
        p.start_pos,
        p.start_neg,
        p.per_iteration
    );
    font.draw(
        &mut ctx,
        &subtitle,
        Anchor::Middle,
        (f64::from(WIDTH_PX) / 2.0, 56.0),
        14.0,
        0.0,
    );

    let mut pixmap = Pixmap::new(WIDTH_PX, HEIGHT_PX);
    ctx.flush();
    ctx.render(&mut pixmap, &mut Resources::new());
    encode(&pixmap)
}

/// The axes, grid, ticks, axis titles and the dashed target line.
fn axes(ctx: &mut RenderContext, font: &Font, frame: &Frame, target: f64) {
    let [left, top, right, bottom] = PLOT;
    ctx.set_stroke(Stroke::new(1.0));
    for i in 0..=5 {
        let recall = f64::from(i) / 5.0;
        let y = Frame::y(recall);
        ctx.set_paint(colour(GRID, 255));
        ctx.stroke_path(&line((left, y), (right, y)));
        font.draw(
            ctx,
            &format!("{recall:.1}"),
            Anchor::End,
            (left - 10.0, y + 5.0),
            14.0,
            0.0,
        );
    }
    let step = nice_step(frame.x_max);
    let mut tick = 0.0;
    while tick <= frame.x_max + 1e-9 {
        let x = frame.x(tick);
        ctx.set_paint(colour(GRID, 255));
        ctx.stroke_path(&line((x, top), (x, bottom)));
        font.draw(
            ctx,
            &format!("{tick}"),
            Anchor::Middle,
            (x, bottom + 22.0),
            14.0,
            0.0,
        );
        tick += step;
    }
    ctx.set_paint(colour(INK, 255));
    ctx.stroke_path(&line((left, top), (left, bottom)));
    ctx.stroke_path(&line((left, bottom), (right, bottom)));
    font.draw(
        ctx,
        "iteration (labels given = start + iteration × per iteration)",
        Anchor::Middle,
        (f64::midpoint(left, right), bottom + 52.0),
        16.0,
        0.0,
    );
    font.draw(
        ctx,
        "recall",
        Anchor::Middle,
        (left - 52.0, f64::midpoint(top, bottom)),
        16.0,
        -std::f64::consts::FRAC_PI_2,
    );

    let y = Frame::y(target);
    ctx.set_paint(colour(TARGET, 255));
    ctx.set_stroke(Stroke::new(1.5).with_dashes(0.0, [8.0, 6.0]));
    ctx.stroke_path(&line((left, y), (right, y)));
    font.draw(
        ctx,
        &format!("target {target}"),
        Anchor::End,
        (right - 6.0, y - 7.0),
        13.0,
        0.0,
    );
}

/// One entry per strategy right of the plot: a swatch of the mean line's colour, the name.
fn legend(ctx: &mut RenderContext, font: &Font, experiment: &Experiment) {
    let x = PLOT[2] + 30.0;
    let mut y = PLOT[1] + 10.0;
    for (index, (name, _)) in experiment.params.strategies.iter().enumerate() {
        ctx.set_paint(colour(strategy_colour(index), 255));
        ctx.fill_rect(&Rect::new(x, y, x + 28.0, y + 14.0));
        font.draw(ctx, name, Anchor::Start, (x + 38.0, y + 12.0), 16.0, 0.0);
        y += 30.0;
    }
    ctx.set_paint(colour(TARGET, 255));
    ctx.set_stroke(Stroke::new(1.5).with_dashes(0.0, [2.0, 4.0]));
    ctx.stroke_path(&line((x, y + 7.0), (x + 28.0, y + 7.0)));
    font.draw(ctx, "ideal", Anchor::Start, (x + 38.0, y + 12.0), 16.0, 0.0);
    y += 40.0;
    font.draw(
        ctx,
        "thick: mean of the runs",
        Anchor::Start,
        (x, y),
        13.0,
        0.0,
    );
    font.draw(
        ctx,
        "thin: one run each",
        Anchor::Start,
        (x, y + 20.0),
        13.0,
        0.0,
    );
    font.draw(
        ctx,
        "ideal: every candidate",
        Anchor::Start,
        (x, y + 40.0),
        13.0,
        0.0,
    );
    font.draw(
        ctx,
        "shown is a positive",
        Anchor::Start,
        (x, y + 60.0),
        13.0,
        0.0,
    );
}

/// Data → pixel coordinates of the plot area (recall 0–1 upwards, iterations rightwards).
struct Frame {
    x_max: f64,
}

impl Frame {
    fn x(&self, iteration: f64) -> f64 {
        PLOT[0] + (PLOT[2] - PLOT[0]) * iteration / self.x_max
    }

    fn y(recall: f64) -> f64 {
        PLOT[3] - (PLOT[3] - PLOT[1]) * recall.clamp(0.0, 1.0)
    }

    /// The recall values as a path over iterations 0, 1, 2, …
    fn polyline(&self, recall: &[f64]) -> BezPath {
        let mut path = BezPath::new();
        for (i, &r) in recall.iter().enumerate() {
            let point = (self.x(i as f64), Self::y(r));
            if i == 0 {
                path.move_to(point);
            } else {
                path.line_to(point);
            }
        }
        path
    }
}

fn line(a: (f64, f64), b: (f64, f64)) -> BezPath {
    let mut path = BezPath::new();
    path.move_to(a);
    path.line_to(b);
    path
}

fn colour([r, g, b]: [u8; 3], alpha: u8) -> Color {
    Color::from_rgba8(r, g, b, alpha)
}

/// A tick spacing of 1, 2 or 5 × 10ⁿ giving at most about ten ticks up to `max`.
fn nice_step(max: f64) -> f64 {
    let raw = (max / 10.0).max(1.0);
    let magnitude = 10_f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// `70000` → `70,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Where a text's anchor point sits along its baseline.
#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

/// The bundled Ubuntu Light font, laid out one glyph after another (no kerning: labels and
/// numbers only).
struct Font {
    font: FontRef<'static>,
}

impl Font {
    fn new() -> anyhow::Result<Self> {
        let font = FontRef::new(epaint_default_fonts::UBUNTU_LIGHT)
            .context("reading the bundled Ubuntu font")?;
        Ok(Self { font })
    }

    /// Fills `text` at `size_px` with its baseline anchored at `at`, turned by `angle`
    /// radians about that point (negative: counter-clockwise on screen).
    fn draw(
        &self,
        ctx: &mut RenderContext,
        text: &str,
        anchor: Anchor,
        at: (f64, f64),
        size_px: f32,
        angle: f64,
    ) {
        let size = Size::new(size_px);
        let location = LocationRef::default();
        let metrics = self.font.glyph_metrics(size, location);
        let charmap = self.font.charmap();
        let outlines = self.font.outline_glyphs();
        let mut pen = PathPen {
            path: BezPath::new(),
            x: 0.0,
        };
        for ch in text.chars() {
            let Some(glyph) = charmap.map(ch).or_else(|| charmap.map('?')) else {
                continue;
            };
            if let Some(outline) = outlines.get(glyph) {
                // A glyph that fails to draw is left out; the text stays readable.
                let _ = outline.draw(DrawSettings::unhinted(size, location), &mut pen);
            }
            pen.x += f64::from(metrics.advance_width(glyph).unwrap_or(size_px / 2.0));
        }
        let shift = match anchor {
            Anchor::Start => 0.0,
            Anchor::Middle => -pen.x / 2.0,
            Anchor::End => -pen.x,
        };
        ctx.set_paint(colour(INK, 255));
        ctx.set_transform(
            Affine::translate(at) * Affine::rotate(angle) * Affine::translate((shift, 0.0)),
        );
        ctx.fill_path(&pen.path);
        ctx.reset_transform();
    }
}

/// Collects glyph outlines into one path, each glyph moved right by the advance so far and
/// flipped (font units grow upwards, pixels downwards).
struct PathPen {
    path: BezPath,
    x: f64,
}

impl PathPen {
    fn point(&self, x: f32, y: f32) -> (f64, f64) {
        (self.x + f64::from(x), -f64::from(y))
    }
}

impl OutlinePen for PathPen {
    fn move_to(&mut self, x: f32, y: f32) {
        let p = self.point(x, y);
        self.path.move_to(p);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.point(x, y);
        self.path.line_to(p);
    }

    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        let (c, p) = (self.point(cx0, cy0), self.point(x, y));
        self.path.quad_to(c, p);
    }

    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        let (c0, c1, p) = (self.point(cx0, cy0), self.point(cx1, cy1), self.point(x, y));
        self.path.curve_to(c0, c1, p);
    }

    fn close(&mut self) {
        self.path.close_path();
    }
}

/// The rendered pixels (opaque, so premultiplied equals straight alpha) as a PNG file.
fn encode(pixmap: &Pixmap) -> anyhow::Result<Vec<u8>> {
    use image::ImageEncoder as _;
    let rgba: Vec<u8> = pixmap
        .data()
        .iter()
        .flat_map(|p| [p.r, p.g, p.b, 255])
        .collect();
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(
            &rgba,
            u32::from(WIDTH_PX),
            u32::from(HEIGHT_PX),
            image::ExtendedColorType::Rgba8,
        )
        .context("encoding recall.png")?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_and_numbers_read_well() {
        assert!((nice_step(814.0) - 100.0).abs() < 1e-9);
        assert!((nice_step(6.0) - 1.0).abs() < 1e-9);
        assert!((nice_step(30.0) - 5.0).abs() < 1e-9);
        assert_eq!(thousands(70_000), "70,000");
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
