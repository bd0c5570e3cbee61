//! Drives the paint callback through a real `egui_wgpu::Renderer`, the way eframe does, with a
//! high-DPI scale and a plot rect that hangs off the screen edge.

mod common;

use std::sync::Arc;

use common::{CLEAR, FORMAT, RED, SIZE, Target, YELLOW};
use egui::{Rect, pos2};
use egui_wgpu::wgpu;
use loupe_render::testing::request_test_device;
use loupe_render::{Camera, Highlight, PointFrame, pack_rgba, points_paint_callback};

#[test]
fn callback_draws_in_physical_pixels_and_clips_to_its_rect() {
    let Some((device, queue, _info)) = request_test_device() else {
        return;
    };
    let mut egui_renderer =
        egui_wgpu::Renderer::new(&device, FORMAT, egui_wgpu::RendererOptions::default());
    loupe_render::install_into(&mut egui_renderer.callback_resources, &device, FORMAT, 1);

    // 128 px = 64 points at 2 physical pixels per point. The plot rect starts left of the
    // screen and ends below it; its centre is at (16, 40) points.
    let pixels_per_point = 2.0;
    let rect = Rect::from_min_max(pos2(-16.0, 8.0), pos2(48.0, 72.0));
    let frame = PointFrame {
        // (0, 0) → (16, 40) pt → (32, 80) px; (40, 0) → (56, 40) pt: on screen but outside rect.
        positions: Arc::new(vec![0.0, 0.0, 40.0, 0.0]),
        positions_generation: 1,
        colors: Arc::new(vec![pack_rgba(255, 0, 0, 255); 2]),
        colors_generation: 1,
        camera: Camera {
            center: [0.0, 0.0],
            pixels_per_unit: 1.0,
        },
        viewport_px: [rect.width(), rect.height()],
        point_radius_px: 3.0,
        opacity: 1.0,
        hollow_from: None,
        highlights: vec![Highlight {
            index: 0,
            color: pack_rgba(255, 255, 0, 255),
            radius_px: 8.0,
        }],
    };
    let screen = egui_wgpu::ScreenDescriptor {
        size_in_pixels: [SIZE, SIZE],
        pixels_per_point,
    };
    let jobs = [egui::ClippedPrimitive {
        clip_rect: Rect::from_min_max(pos2(0.0, 0.0), pos2(64.0, 64.0)),
        primitive: egui::epaint::Primitive::Callback(points_paint_callback(rect, frame)),
    }];

    let target = Target::new(&device, 1);
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
    let user_buffers = egui_renderer.update_buffers(&device, &queue, &mut encoder, &jobs, &screen);
    {
        let mut pass = encoder
            .begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("egui pass"),
                color_attachments: &[Some(target.attachment())],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            })
            .forget_lifetime();
        egui_renderer.render(&mut pass, &jobs, &screen);
    }
    let image = target.read_back(&device, &queue, encoder, user_buffers);

    // The point centre sits on the corner shared by pixels (31..=32, 79..=80).
    for (x, y) in [(31, 79), (32, 80), (31, 80), (32, 79)] {
        image.assert_pixel(x, y, RED, 0, "point centre");
    }
    // Radius 3 pt = 6 px: covered 4.5 px out, empty 7.5 px out.
    image.assert_pixel(36, 80, RED, 0, "inside the 6 px radius");
    image.assert_pixel(39, 80, CLEAR, 0, "outside the 6 px radius");
    // Ring of 8 pt = 16 px outer radius, 3.2 px thick.
    image.assert_pixel(46, 80, YELLOW, 0, "highlight ring");
    image.assert_pixel(32, 66, YELLOW, 0, "highlight ring");
    // The second point is on screen but outside the callback rect: scissored away.
    image.assert_pixel(112, 80, CLEAR, 0, "point outside the rect");
    image.assert_pixel(100, 20, CLEAR, 0, "background");
}
