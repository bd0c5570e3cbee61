//! [`FrameRenderer`]: positions and colours in, a composed frame out.

use std::path::Path;
use std::sync::Arc;

use egui_wgpu::wgpu;
use loupe_colour::Rgba;
use loupe_render::offscreen::OffscreenRenderer;
use loupe_render::{Camera, PointFrame};

use crate::layout::Layout;
use crate::legend::{LABEL, draw_legend};
use crate::text::Font;
use crate::{AnimateError, AnimationStyle, CameraMode, LegendEntry, RgbaImage};

/// Title and "epoch i / n" colour.
const TITLE: Rgba = [0xee, 0xee, 0xee, 0xff];
/// The progress bar's track and fill.
pub(crate) const BAR_TRACK: Rgba = [0x3a, 0x3a, 0x3a, 0xff];
pub(crate) const BAR_FILL: Rgba = [0xd0, 0xd0, 0xd0, 0xff];
/// Share of the scatter region left empty around the fitted points, per side.
const FIT_MARGIN: f32 = 0.03;

/// Composes frames in the seed's layout: the points drawn by Loupe's own wgpu renderer,
/// offscreen, then the title, the progress bar and the legend on the CPU.
///
/// Build it once per export: the pipelines, the render target and the static parts of the
/// frame (background, title, legend) are made here and reused, so a 200-frame video costs 200
/// draws and read-backs. Usable from the app (its egui-wgpu device) and from the command line
/// ([`loupe_render::offscreen::request_device`]).
pub struct FrameRenderer {
    style: AnimationStyle,
    layout: Layout,
    font: Font,
    template: RgbaImage,
    offscreen: OffscreenRenderer,
    camera: CameraMode,
    positions_generation: u64,
    colours: Arc<Vec<u32>>,
    colours_generation: u64,
}

impl FrameRenderer {
    /// Checks the style, lays the frame out and draws its static parts.
    ///
    /// `legend` lists the classes in the order shown (ignored with [`crate::Legend::None`]).
    /// The camera starts as [`CameraMode::FollowEachFrame`]; set a fixed one with
    /// [`Self::set_camera`].
    pub fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        style: AnimationStyle,
        legend: &[LegendEntry],
    ) -> Result<Self, AnimateError> {
        check_style(&style)?;
        let font = Font::new()?;
        let layout = Layout::new(&style, &font)?;
        let [w, h] = style.size;
        let mut template = RgbaImage::filled(w, h, opaque(style.background));
        if let Some(title) = &style.title {
            font.draw(
                &mut template,
                title,
                [layout.margin, layout.header_baseline],
                layout.header_px,
                TITLE,
            );
        }
        draw_legend(
            &mut template,
            &font,
            &layout,
            style.legend,
            style.legend_title.as_deref(),
            legend,
        );
        Ok(Self {
            offscreen: OffscreenRenderer::new(device, queue),
            style,
            layout,
            font,
            template,
            camera: CameraMode::FollowEachFrame,
            positions_generation: 0,
            colours: Arc::new(Vec::new()),
            colours_generation: 0,
        })
    }

    /// Which part of the layout the next frames show.
    pub fn set_camera(&mut self, camera: CameraMode) {
        self.camera = camera;
    }

    /// The style frames are drawn in.
    pub fn style(&self) -> &AnimationStyle {
        &self.style
    }

    /// The scatter's place in the frame: left, top, width, height in pixels.
    pub fn scatter_rect(&self) -> [u32; 4] {
        self.layout.scatter
    }

    /// The progress bar's place in the frame: left, top, width, height in pixels.
    pub fn progress_bar_rect(&self) -> [f32; 4] {
        self.layout.bar
    }

    /// Where a data position lands in the frame, in pixels (for tests and overlays); `None`
    /// when the camera cannot be fitted (no finite positions in follow mode).
    pub fn frame_from_data(&self, positions: &[f32], p: [f32; 2]) -> Option<[f32; 2]> {
        let camera = self.camera_for(positions)?;
        let [left, top, w, h] = self.layout.scatter.map(|v| v as f32);
        let viewport = egui::Rect::from_min_size(egui::pos2(0.0, 0.0), egui::vec2(w, h));
        let [x, y] = camera.screen_from_data(p, viewport);
        Some([left + x, top + y])
    }

    /// Draws one frame: `positions` interleaved `x, y` per point, `colours` one packed RGBA
    /// ([`loupe_render::pack_rgba`]) per point, at `iteration` of `total` (for the progress
    /// bar and its "epoch i / n").
    pub fn render(
        &mut self,
        positions: &[f32],
        colours: &[u32],
        iteration: usize,
        total: usize,
    ) -> Result<RgbaImage, AnimateError> {
        if positions.len() != 2 * colours.len() {
            return Err(AnimateError::PointCount {
                positions: positions.len(),
                colours: colours.len(),
            });
        }
        let [left, top, w, h] = self.layout.scatter;
        let camera = self.camera_for(positions).unwrap_or_default();
        if self.colours.as_slice() != colours {
            self.colours = Arc::new(colours.to_vec());
            self.colours_generation += 1;
        }
        self.positions_generation += 1;
        let frame = PointFrame {
            positions: Arc::new(positions.to_vec()),
            positions_generation: self.positions_generation,
            colors: Arc::clone(&self.colours),
            colors_generation: self.colours_generation,
            camera,
            viewport_px: [w as f32, h as f32],
            point_radius_px: self.style.radius_for(colours.len()),
            opacity: self.style.opacity,
            highlights: Vec::new(),
            hollow_from: None,
        };
        let scatter = self
            .offscreen
            .render(&frame, [w, h], opaque(self.style.background))?;
        let mut canvas = self.template.clone();
        canvas.paste(
            &RgbaImage {
                width: w,
                height: h,
                pixels: scatter,
            },
            left,
            top,
        );
        if self.style.progress_bar {
            self.draw_progress(&mut canvas, iteration, total);
        }
        Ok(canvas)
    }

    /// Renders one frame and writes it as a PNG (e.g. "export PNG of the current view").
    pub fn render_png(
        &mut self,
        path: &Path,
        positions: &[f32],
        colours: &[u32],
        iteration: usize,
        total: usize,
    ) -> Result<(), AnimateError> {
        let [w, h] = self.style.size;
        let writer = loupe_video::PngWriter::create(path, w, h)?;
        let image = self.render(positions, colours, iteration, total)?;
        writer.write(&image.pixels)?;
        Ok(())
    }

    /// A GIF palette for frames of points in `colours` ([`crate::gif_palette`] with this
    /// style's background, text, bar and opacity).
    pub fn gif_palette(&self, colours: &[u32]) -> Result<loupe_video::Palette, AnimateError> {
        crate::palette::gif_palette(&self.style, &[TITLE, LABEL, BAR_TRACK, BAR_FILL], colours)
    }

    fn camera_for(&self, positions: &[f32]) -> Option<Camera> {
        let (min, max) = match self.camera {
            CameraMode::Fixed { min, max } => (min, max),
            CameraMode::FollowEachFrame => finite_bounds(positions)?,
        };
        let [_, _, w, h] = self.layout.scatter.map(|v| v as f32);
        let viewport = egui::Rect::from_min_size(egui::pos2(0.0, 0.0), egui::vec2(w, h));
        let mut camera = Camera::default();
        camera.fit(min, max, viewport, FIT_MARGIN);
        Some(camera)
    }

    fn draw_progress(&self, canvas: &mut RgbaImage, iteration: usize, total: usize) {
        let layout = &self.layout;
        let text = format!("epoch {iteration} / {total}");
        let [bx, by, bw, bh] = layout.bar;
        let text_width = self.font.width(&text, layout.header_px);
        // Right-aligned above the bar when there is a title at the left, else at the left.
        let x = if self.style.title.is_some() {
            bx + bw - text_width
        } else {
            bx
        };
        self.font.draw(
            canvas,
            &text,
            [x, layout.header_baseline],
            layout.header_px,
            TITLE,
        );
        let done = if total == 0 {
            1.0
        } else {
            (iteration as f32 / total as f32).clamp(0.0, 1.0)
        };
        canvas.fill_rect([bx, by], [bx + bw, by + bh], BAR_TRACK);
        canvas.fill_rect([bx, by], [bx + bw * done, by + bh], BAR_FILL);
    }
}

/// The background without transparency: videos have no alpha.
fn opaque(c: Rgba) -> Rgba {
    [c[0], c[1], c[2], 255]
}

/// The bounding box of the finite positions; `None` when there are none.
pub fn finite_bounds(positions: &[f32]) -> Option<([f32; 2], [f32; 2])> {
    let mut lo = [f32::INFINITY; 2];
    let mut hi = [f32::NEG_INFINITY; 2];
    for p in positions.chunks_exact(2) {
        if p[0].is_finite() && p[1].is_finite() {
            lo = [lo[0].min(p[0]), lo[1].min(p[1])];
            hi = [hi[0].max(p[0]), hi[1].max(p[1])];
        }
    }
    lo[0].is_finite().then_some((lo, hi))
}

fn check_style(style: &AnimationStyle) -> Result<(), AnimateError> {
    let bad = |reason: String| Err(AnimateError::BadStyle { reason });
    let [w, h] = style.size;
    if !(64..=8192).contains(&w) || !(64..=8192).contains(&h) {
        return bad(format!(
            "a frame of {w} × {h} pixels: each side must be 64 to 8192 pixels"
        ));
    }
    if style.fps == 0 {
        return bad("the frame rate must be at least 1 frame per second".to_owned());
    }
    if let Some(r) = style.point_radius_px
        && !(r.is_finite() && r > 0.0 && r <= 100.0)
    {
        return bad(format!("a point radius of {r} px: give 0.1 to 100 pixels"));
    }
    if !(style.opacity.is_finite() && style.opacity > 0.0 && style.opacity <= 1.0) {
        return bad(format!(
            "an opacity of {}: give a number above 0 and at most 1",
            style.opacity
        ));
    }
    Ok(())
}
