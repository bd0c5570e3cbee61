//! The only place egui-wgpu's callback machinery meets [`PointRenderer`].
//!
//! egui draws custom wgpu content through paint callbacks: [`install`] stores one long-lived
//! [`PointRenderer`] in egui-wgpu's `callback_resources`, and [`points_paint_callback`] wraps a
//! [`PointFrame`] in a callback that egui runs while it renders. The app stays in egui points;
//! this file converts to the physical pixels the GPU works in.

use egui_wgpu::wgpu;

use crate::{Camera, PointFrame, PointRenderer};

/// Creates the [`PointRenderer`] for eframe's window (no MSAA: eframe's default
/// `multisampling: 0`) and stores it where [`points_paint_callback`] finds it.
///
/// Call once from the app's creation context (`cc.wgpu_render_state`).
pub fn install(render_state: &egui_wgpu::RenderState) {
    install_with_msaa(render_state, 1);
}

/// Like [`install`] for an app that set eframe's `multisampling` to `msaa_samples`; the
/// pipelines must match the sample count of egui's render pass.
pub fn install_with_msaa(render_state: &egui_wgpu::RenderState, msaa_samples: u32) {
    install_into(
        &mut render_state.renderer.write().callback_resources,
        &render_state.device,
        render_state.target_format,
        msaa_samples,
    );
}

/// Stores the renderers in any egui-wgpu renderer's `callback_resources` (a window's, or one
/// a test drives offscreen), for targets of `format` with `msaa_samples`.
pub fn install_into(
    resources: &mut egui_wgpu::CallbackResources,
    device: &wgpu::Device,
    format: wgpu::TextureFormat,
    msaa_samples: u32,
) {
    let first = PointRenderer::new(device, format, msaa_samples);
    resources.insert(PointRenderers {
        format,
        msaa_samples,
        views: std::collections::HashMap::from([(0, first)]),
    });
}

/// One renderer per plot on screen (each keeps its own GPU buffers, so two plots of different
/// layouts never re-upload each other's points every frame), made on first use.
struct PointRenderers {
    format: wgpu::TextureFormat,
    msaa_samples: u32,
    views: std::collections::HashMap<u64, PointRenderer>,
}

/// Wraps `frame` in an egui paint callback that draws it into `rect` (egui points), with the
/// window's main renderer.
pub fn points_paint_callback(rect: egui::Rect, frame: PointFrame) -> egui::PaintCallback {
    points_paint_callback_for(0, rect, frame)
}

/// [`points_paint_callback`] for plot `view` of several on screen (side-by-side comparison):
/// each view id gets a renderer of its own.
pub fn points_paint_callback_for(
    view: u64,
    rect: egui::Rect,
    frame: PointFrame,
) -> egui::PaintCallback {
    egui_wgpu::Callback::new_paint_callback(rect, PointsCallback { view, rect, frame })
}

struct PointsCallback {
    view: u64,
    rect: egui::Rect,
    frame: PointFrame,
}

impl egui_wgpu::CallbackTrait for PointsCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        screen_descriptor: &egui_wgpu::ScreenDescriptor,
        _egui_encoder: &mut wgpu::CommandEncoder,
        callback_resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        if let Some(renderers) = callback_resources.get_mut::<PointRenderers>() {
            let physical = frame_in_physical_pixels(
                &self.frame,
                self.rect,
                screen_descriptor.size_in_pixels,
                screen_descriptor.pixels_per_point,
            );
            let (format, msaa) = (renderers.format, renderers.msaa_samples);
            renderers
                .views
                .entry(self.view)
                .or_insert_with(|| PointRenderer::new(device, format, msaa))
                .prepare(device, queue, &physical);
        } else {
            log::warn!("loupe_render::install was not called; points are not drawn");
        }
        Vec::new()
    }

    fn paint(
        &self,
        info: egui::PaintCallbackInfo,
        render_pass: &mut wgpu::RenderPass<'static>,
        callback_resources: &egui_wgpu::CallbackResources,
    ) {
        let Some(renderer) = callback_resources
            .get::<PointRenderers>()
            .and_then(|r| r.views.get(&self.view))
        else {
            return;
        };
        // The uniforms map onto the whole target (see `frame_in_physical_pixels`), so the
        // viewport is the whole target and the scissor cuts out the callback's rect. egui's
        // default viewport is the rect clamped to the screen, which would squash the plot when
        // the rect is partly off-screen (e.g. inside a scroll area).
        let [width_px, height_px] = info.screen_size_px;
        render_pass.set_viewport(0.0, 0.0, width_px as f32, height_px as f32, 0.0, 1.0);
        let viewport = info.viewport_in_pixels();
        let clip = info.clip_rect_in_pixels();
        let left = viewport.left_px.max(clip.left_px);
        let top = viewport.top_px.max(clip.top_px);
        let right = (viewport.left_px + viewport.width_px).min(clip.left_px + clip.width_px);
        let bottom = (viewport.top_px + viewport.height_px).min(clip.top_px + clip.height_px);
        if right <= left || bottom <= top {
            return;
        }
        render_pass.set_scissor_rect(
            left as u32,
            top as u32,
            (right - left) as u32,
            (bottom - top) as u32,
        );
        renderer.paint(render_pass);
    }
}

/// Re-expresses a frame given in egui points over `rect` as one in physical pixels over the
/// whole render target.
///
/// Mapping onto the whole target (rather than onto `rect`) keeps the transform exact when `rect`
/// is fractional or partly off-screen; the centre moves to the data point under the screen
/// centre and the zoom and radii scale by `pixels_per_point`.
fn frame_in_physical_pixels(
    frame: &PointFrame,
    rect: egui::Rect,
    screen_size_px: [u32; 2],
    pixels_per_point: f32,
) -> PointFrame {
    let ppp = if pixels_per_point.is_finite() && pixels_per_point > 0.0 {
        pixels_per_point
    } else {
        1.0
    };
    let screen_px = screen_size_px.map(|v| v as f32);
    let screen_center_points = [0.5 * screen_px[0] / ppp, 0.5 * screen_px[1] / ppp];
    let mut physical = frame.clone();
    physical.camera = Camera {
        center: frame.camera.data_from_screen(screen_center_points, rect),
        pixels_per_unit: frame.camera.pixels_per_unit * ppp,
    };
    physical.viewport_px = screen_px;
    physical.point_radius_px = frame.point_radius_px * ppp;
    for highlight in &mut physical.highlights {
        highlight.radius_px *= ppp;
    }
    physical
}

#[cfg(test)]
mod tests {
    use super::frame_in_physical_pixels;
    use crate::{Camera, PointFrame};
    use egui::{Rect, pos2};

    /// A data point must land on the same physical pixel whichever way it is mapped.
    #[test]
    fn physical_frame_maps_points_to_the_same_pixels() {
        let rect = Rect::from_min_max(pos2(40.5, -20.0), pos2(400.0, 300.0));
        let frame = PointFrame {
            camera: Camera {
                center: [2.0, -1.0],
                pixels_per_unit: 12.0,
            },
            viewport_px: [rect.width(), rect.height()],
            point_radius_px: 3.0,
            ..PointFrame::default()
        };
        let ppp = 1.5;
        let screen_px = [800_u32, 600];
        let physical = frame_in_physical_pixels(&frame, rect, screen_px, ppp);
        let whole = Rect::from_min_max(pos2(0.0, 0.0), pos2(800.0, 600.0));
        for p in [[0.0, 0.0], [2.0, -1.0], [-7.0, 4.5]] {
            let points = frame.camera.screen_from_data(p, rect);
            let px = physical.camera.screen_from_data(p, whole);
            assert!(
                (points[0] * ppp - px[0]).abs() < 1e-3,
                "{points:?} vs {px:?}"
            );
            assert!(
                (points[1] * ppp - px[1]).abs() < 1e-3,
                "{points:?} vs {px:?}"
            );
        }
        assert!((physical.point_radius_px - 4.5).abs() < f32::EPSILON);
        assert!(
            (physical.viewport_px[0] - 800.0).abs() < f32::EPSILON
                && (physical.viewport_px[1] - 600.0).abs() < f32::EPSILON
        );
    }
}
