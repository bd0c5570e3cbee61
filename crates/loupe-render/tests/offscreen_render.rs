//! Renders known points offscreen and reads the pixels back.
//!
//! Runs on whatever adapter `loupe_render::testing::request_test_device` finds; on a machine
//! without a GPU that is Mesa's lavapipe (software Vulkan). Without any adapter the tests are
//! skipped loudly, or fail when `LOUPE_REQUIRE_GPU` is set.

mod common;

use std::sync::Arc;

use common::{CLEAR, FORMAT, GREEN, Image, RED, SIZE, Target, YELLOW};
use egui_wgpu::wgpu;
use loupe_render::testing::request_test_device;
use loupe_render::{Camera, Highlight, PointFrame, PointRenderer, UploadStats, pack_rgba};

fn packed(c: [u8; 4]) -> u32 {
    pack_rgba(c[0], c[1], c[2], c[3])
}

/// Camera mapping data (x, y) to pixel (64 + x, 64 − y): data (−31.5, 31.5) lands on the centre
/// of pixel (32, 32).
fn pixel_camera() -> Camera {
    Camera {
        center: [0.0, 0.0],
        pixels_per_unit: 1.0,
    }
}

/// Data position whose screen position is the centre of pixel `(x, y)` under `pixel_camera`.
fn data_at_pixel(x: u32, y: u32) -> [f32; 2] {
    [x as f32 + 0.5 - 64.0, 64.0 - (y as f32 + 0.5)]
}

fn three_point_frame() -> PointFrame {
    let red = data_at_pixel(32, 32);
    let green = data_at_pixel(96, 95);
    let half_blue = data_at_pixel(64, 63);
    PointFrame {
        positions: Arc::new(vec![
            red[0],
            red[1],
            green[0],
            green[1],
            half_blue[0],
            half_blue[1],
        ]),
        positions_generation: 1,
        colors: Arc::new(vec![packed(RED), packed(GREEN), pack_rgba(0, 0, 255, 128)]),
        colors_generation: 1,
        camera: pixel_camera(),
        viewport_px: [SIZE as f32, SIZE as f32],
        point_radius_px: 5.0,
        opacity: 1.0,
        hollow_from: None,
        highlights: vec![Highlight {
            index: 0,
            color: packed(YELLOW),
            radius_px: 12.0,
        }],
    }
}

/// Prepares `frame`, draws it over `CLEAR` into a `SIZE`² texture and reads it back.
fn render(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    renderer: &mut PointRenderer,
    frame: &PointFrame,
    msaa_samples: u32,
) -> Image {
    renderer.prepare(device, queue, frame);
    let target = Target::new(device, msaa_samples);
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
    {
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("test pass"),
            color_attachments: &[Some(target.attachment())],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        renderer.paint(&mut pass);
    }
    target.read_back(device, queue, encoder, Vec::new())
}

/// Checks the picture of `three_point_frame`.
fn assert_three_points(image: &Image) {
    image.assert_pixel(32, 32, RED, 0, "red point centre");
    image.assert_pixel(96, 95, GREEN, 0, "green point centre");
    // Premultiplied blending of 50 % blue over the clear colour.
    let half = |c: u8, over: u8| ((f32::from(c) * 128.0 + f32::from(over) * 127.0) / 255.0) as u8;
    image.assert_pixel(
        64,
        63,
        [
            half(0, CLEAR[0]),
            half(0, CLEAR[1]),
            half(255, CLEAR[2]),
            255,
        ],
        3,
        "translucent blue point",
    );
    // Anti-aliased rim: the pixel centred exactly on the radius is half covered.
    let rim = image.at(37, 32);
    assert!(
        rim[0] > CLEAR[0] + 60 && rim[0] < 255 - 60,
        "disc edge should be partially covered, got {rim:?}"
    );
    // Highlight ring of radius 12 around the red point, hollow inside.
    for (x, y) in [(43, 32), (21, 32), (32, 21), (32, 43)] {
        image.assert_pixel(x, y, YELLOW, 0, "highlight ring");
    }
    image.assert_pixel(40, 32, CLEAR, 0, "gap between disc and ring");
    // Background well away from every point.
    for (x, y) in [(0, 0), (127, 127), (5, 120), (120, 5), (64, 20), (100, 60)] {
        image.assert_pixel(x, y, CLEAR, 0, "background");
    }
}

#[test]
fn draws_points_and_highlight_ring() {
    let Some((device, queue, _info)) = request_test_device() else {
        return;
    };
    let mut renderer = PointRenderer::new(&device, FORMAT, 1);
    let image = render(&device, &queue, &mut renderer, &three_point_frame(), 1);
    assert_three_points(&image);
}

#[test]
fn draws_with_msaa() {
    let Some((device, queue, _info)) = request_test_device() else {
        return;
    };
    let mut renderer = PointRenderer::new(&device, FORMAT, 4);
    let image = render(&device, &queue, &mut renderer, &three_point_frame(), 4);
    image.assert_pixel(32, 32, RED, 0, "red point centre (MSAA)");
    image.assert_pixel(43, 32, YELLOW, 0, "highlight ring (MSAA)");
    image.assert_pixel(5, 120, CLEAR, 0, "background (MSAA)");
}

#[test]
fn uploads_only_changed_arrays() {
    let Some((device, queue, _info)) = request_test_device() else {
        return;
    };
    let mut renderer = PointRenderer::new(&device, FORMAT, 1);
    let mut frame = three_point_frame();
    let uploads = |renderer: &PointRenderer| {
        let UploadStats {
            position_uploads,
            color_uploads,
            ..
        } = renderer.uploads();
        (position_uploads, color_uploads)
    };

    renderer.prepare(&device, &queue, &frame);
    assert_eq!(uploads(&renderer), (1, 1), "first frame uploads both");
    assert_eq!(renderer.uploads().position_bytes, 3 * 8);

    // Same generations, moved camera, new highlight: uniforms only.
    frame.camera.pan_by_px([3.0, 0.0]);
    frame.highlights.clear();
    renderer.prepare(&device, &queue, &frame);
    renderer.prepare(&device, &queue, &frame);
    assert_eq!(
        uploads(&renderer),
        (1, 1),
        "unchanged generations upload nothing"
    );

    // New positions only.
    frame.positions_generation += 1;
    renderer.prepare(&device, &queue, &frame);
    assert_eq!(uploads(&renderer), (2, 1), "new positions generation");

    // New colours only.
    frame.colors_generation += 1;
    renderer.prepare(&device, &queue, &frame);
    assert_eq!(uploads(&renderer), (2, 2), "new colours generation");

    // Restoring the original frame still renders correctly after the re-uploads.
    let mut original = three_point_frame();
    original.positions_generation = 7;
    original.colors_generation = 7;
    let image = render(&device, &queue, &mut renderer, &original, 1);
    assert_three_points(&image);
    assert_eq!(uploads(&renderer), (3, 3));
}

#[test]
fn grows_buffers_and_handles_empty_frames() {
    let Some((device, queue, _info)) = request_test_device() else {
        return;
    };
    let mut renderer = PointRenderer::new(&device, FORMAT, 1);

    // No points at all, and a highlight pointing past the end: draws only the background.
    let empty = PointFrame {
        camera: pixel_camera(),
        viewport_px: [SIZE as f32, SIZE as f32],
        point_radius_px: 5.0,
        opacity: 1.0,
        hollow_from: None,
        highlights: vec![Highlight {
            index: 3,
            color: packed(YELLOW),
            radius_px: 10.0,
        }],
        ..PointFrame::default()
    };
    let image = render(&device, &queue, &mut renderer, &empty, 1);
    assert_eq!(renderer.instance_count(), 0);
    assert!(
        image.pixels.iter().all(|&p| p == CLEAR),
        "empty frame is all background"
    );

    // Far more points than the initial capacity: 100 000 points, all far off-screen except the
    // last one, which must still be drawn (proves the grown buffer holds every point).
    let n = 100_000;
    let mut positions = vec![1.0e6_f32; 2 * n];
    let last = data_at_pixel(32, 32);
    positions[2 * n - 2] = last[0];
    positions[2 * n - 1] = last[1];
    let big = PointFrame {
        positions: Arc::new(positions),
        positions_generation: 1,
        colors: Arc::new(vec![packed(RED); n]),
        colors_generation: 1,
        hollow_from: None,
        highlights: vec![Highlight {
            index: n as u32 - 1,
            color: packed(YELLOW),
            radius_px: 12.0,
        }],
        ..empty.clone()
    };
    let image = render(&device, &queue, &mut renderer, &big, 1);
    assert_eq!(renderer.instance_count(), n as u32);
    image.assert_pixel(32, 32, RED, 0, "last of 100 000 points");
    image.assert_pixel(43, 32, YELLOW, 0, "ring around the last point");
    image.assert_pixel(96, 95, CLEAR, 0, "background");

    // More colours than positions: only complete points are drawn.
    let mismatched = PointFrame {
        colors: Arc::new(vec![packed(GREEN); n + 10]),
        colors_generation: 2,
        ..big.clone()
    };
    let image = render(&device, &queue, &mut renderer, &mismatched, 1);
    assert_eq!(renderer.instance_count(), n as u32);
    image.assert_pixel(32, 32, GREEN, 0, "recoloured last point");

    // Back to empty after having points.
    let image = render(&device, &queue, &mut renderer, &empty, 1);
    assert_eq!(renderer.instance_count(), 0);
    assert!(image.pixels.iter().all(|&p| p == CLEAR));
}

/// The design target: 10 M points in one buffer each (80 MB positions, 40 MB colours), within
/// wgpu's default 256 MiB `max_buffer_size`.
#[test]
fn ten_million_points() {
    let Some((device, queue, _info)) = request_test_device() else {
        return;
    };
    let n: usize = 10_000_000;
    assert!(
        device.limits().max_buffer_size >= (n * 8) as u64,
        "default limits must hold 10 M positions"
    );
    // A grid of points covering the left half of the target, so every pixel there is painted.
    let positions: Vec<f32> = (0..n)
        .flat_map(|i| {
            let x = (i % 4096) as f32 / 4096.0 * 64.0;
            let y = (i / 4096) as f32 / (n / 4096) as f32 * 128.0;
            let p = data_at_pixel(0, 0);
            [p[0] + x, p[1] - y]
        })
        .collect();
    let frame = PointFrame {
        positions: Arc::new(positions),
        positions_generation: 1,
        colors: Arc::new(vec![packed(GREEN); n]),
        colors_generation: 1,
        camera: pixel_camera(),
        viewport_px: [SIZE as f32, SIZE as f32],
        point_radius_px: 1.0,
        opacity: 1.0,
        highlights: Vec::new(),
        hollow_from: None,
    };
    let mut renderer = PointRenderer::new(&device, FORMAT, 1);
    let start = std::time::Instant::now();
    let image = render(&device, &queue, &mut renderer, &frame, 1);
    eprintln!(
        "10 M points: upload + draw + readback in {:?}",
        start.elapsed()
    );
    assert_eq!(renderer.instance_count(), n as u32);
    assert_eq!(renderer.uploads().position_bytes, (n * 8) as u64);
    image.assert_pixel(30, 64, GREEN, 0, "inside the 10 M point grid");
    image.assert_pixel(100, 64, CLEAR, 0, "right of the grid");
}

#[test]
fn points_from_hollow_from_on_are_rings() {
    let Some((device, queue, _info)) = request_test_device() else {
        return;
    };
    let mut renderer = PointRenderer::new(&device, FORMAT, 1);
    let filled = data_at_pixel(32, 32);
    let hollow = data_at_pixel(96, 32);
    let frame = PointFrame {
        positions: Arc::new(vec![filled[0], filled[1], hollow[0], hollow[1]]),
        positions_generation: 1,
        colors: Arc::new(vec![packed(RED), packed(GREEN)]),
        colors_generation: 1,
        camera: pixel_camera(),
        viewport_px: [SIZE as f32, SIZE as f32],
        point_radius_px: 9.0,
        opacity: 1.0,
        highlights: Vec::new(),
        hollow_from: Some(1),
    };
    let image = render(&device, &queue, &mut renderer, &frame, 1);
    // Point 0 is a disc; point 1 a ring: clear in the middle, green on its rim (radius 9,
    // thickness 3, so 7.5 px from the centre is inside the ring).
    image.assert_pixel(32, 32, RED, 0, "filled point centre");
    image.assert_pixel(35, 32, RED, 0, "filled point body");
    image.assert_pixel(96, 32, CLEAR, 0, "hollow point centre");
    image.assert_pixel(99, 32, CLEAR, 0, "hollow point inside");
    for (x, y) in [(103, 32), (89, 32), (96, 25), (96, 39)] {
        image.assert_pixel(x, y, GREEN, 0, "hollow point ring");
    }
}

/// The exporters' path: `OffscreenRenderer` reads frames back tightly packed, for any width
/// (rows of a texture copy are padded to 256 bytes on the GPU side), and reuses its pipelines
/// across sizes.
#[test]
fn offscreen_renderer_returns_packed_rows_of_any_size() {
    use loupe_render::offscreen::{OffscreenError, OffscreenRenderer, render_points};
    let Some((device, queue, _info)) = request_test_device() else {
        return;
    };
    let mut offscreen = OffscreenRenderer::new(&device, &queue);
    for (generation, size) in [(1, [70_u32, 50_u32]), (2, [128, 96])] {
        // One red point at pixel (10, 20), one green at (size − 12, size − 8).
        let camera = Camera {
            center: [size[0] as f32 / 2.0, size[1] as f32 / 2.0],
            pixels_per_unit: 1.0,
        };
        let at = |x: u32, y: u32| [x as f32 + 0.5, size[1] as f32 - (y as f32 + 0.5)];
        let (red, green) = (at(10, 20), at(size[0] - 12, size[1] - 8));
        let frame = PointFrame {
            positions: Arc::new(vec![red[0], red[1], green[0], green[1]]),
            // New positions need a new generation, or the renderer keeps the old upload.
            positions_generation: generation,
            colors: Arc::new(vec![packed(RED), packed(GREEN)]),
            colors_generation: 1,
            camera,
            viewport_px: [size[0] as f32, size[1] as f32],
            point_radius_px: 3.0,
            opacity: 1.0,
            highlights: Vec::new(),
            hollow_from: None,
        };
        let pixels = offscreen.render(&frame, size, CLEAR).expect("rendered");
        assert_eq!(pixels.len(), (size[0] * size[1] * 4) as usize);
        let px = |x: u32, y: u32| {
            let i = ((y * size[0] + x) * 4) as usize;
            [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]]
        };
        assert_eq!(px(10, 20), RED, "{size:?}");
        assert_eq!(px(size[0] - 12, size[1] - 8), GREEN, "{size:?}");
        assert_eq!(px(40, 4), CLEAR, "{size:?}");
        assert_eq!(px(size[0] - 1, size[1] - 1), CLEAR, "{size:?}");
        let once = render_points(&device, &queue, &frame, size, CLEAR).expect("one-off");
        assert_eq!(once, pixels);
    }
    let err = offscreen
        .render(&PointFrame::default(), [0, 10], CLEAR)
        .expect_err("empty image");
    assert!(matches!(err, OffscreenError::BadSize { .. }), "{err}");
}
