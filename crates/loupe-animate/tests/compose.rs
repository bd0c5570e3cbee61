//! Frames composed on whatever adapter `request_test_device` finds (lavapipe on CI): the
//! points' colours where the points are, the background elsewhere, the progress bar's fill and
//! the legend's colours; then the frames through each sink.

use loupe_animate::{
    AnimationStyle, CameraMode, ExportFormat, FrameRenderer, Legend, LegendEntry, LegendImage,
    Quality, SinkOptions, VideoSink,
};
use loupe_render::pack_rgba;
use loupe_render::testing::request_test_device;

const RED: [u8; 4] = [230, 40, 40, 255];
const BLUE: [u8; 4] = [40, 90, 240, 255];

fn packed(c: [u8; 4]) -> u32 {
    pack_rgba(c[0], c[1], c[2], c[3])
}

fn style(legend: Legend) -> AnimationStyle {
    AnimationStyle {
        size: [320, 240],
        legend,
        point_radius_px: Some(5.0),
        opacity: 1.0,
        title: Some("test".to_owned()),
        legend_title: Some("class".to_owned()),
        ..AnimationStyle::default()
    }
}

fn entries(with_images: bool) -> Vec<LegendEntry> {
    // A 4 × 4 picture lit on its left half.
    let picture =
        LegendImage::from_vector(&[1.0, 1.0, 0.0, 0.0].repeat(4), [4, 4]).expect("a 4 × 4 picture");
    [("red", RED), ("blue", BLUE)]
        .into_iter()
        .map(|(label, colour)| LegendEntry {
            label: label.to_owned(),
            colour,
            image: with_images.then(|| picture.clone()),
        })
        .collect()
}

fn is(pixel: Option<[u8; 4]>, expected: [u8; 4], tolerance: u8) -> bool {
    pixel.is_some_and(|p| {
        p.iter()
            .zip(expected)
            .all(|(&a, b)| a.abs_diff(b) <= tolerance)
    })
}

#[test]
fn points_are_drawn_in_their_colours_where_they_are() {
    let Some((device, queue, _)) = request_test_device() else {
        return;
    };
    let style = style(Legend::Swatches);
    let background = style.background;
    let mut renderer =
        FrameRenderer::new(&device, &queue, style.clone(), &entries(false)).expect("renderer");
    let positions = [-10.0, -5.0, 10.0, 5.0, 4.0, -3.0];
    let colours = [packed(RED), packed(BLUE), packed(RED)];
    renderer.set_camera(CameraMode::Fixed {
        min: [-10.0, -5.0],
        max: [10.0, 5.0],
    });
    let frame = renderer
        .render(&positions, &colours, 50, 100)
        .expect("frame");
    assert_eq!((frame.width, frame.height), (320, 240));
    if let Some(dump) = std::env::var_os("LOUPE_DUMP_FRAME") {
        loupe_video::write_png(std::path::Path::new(&dump), 320, 240, &frame.pixels).expect("dump");
    }
    assert_eq!(frame.pixels.len(), 320 * 240 * 4);
    for (p, colour) in positions.chunks_exact(2).zip([RED, BLUE, RED]) {
        let [x, y] = renderer
            .frame_from_data(&positions, [p[0], p[1]])
            .expect("fitted");
        let pixel = frame.pixel(x as u32, y as u32);
        assert!(
            is(pixel, colour, 2),
            "point at ({x}, {y}) is {pixel:?}, expected {colour:?}"
        );
        // 12 px away (radius 5): background.
        let away = frame.pixel(x as u32, (y as u32).saturating_sub(12).max(1));
        assert!(is(away, background, 0), "beside ({x}, {y}): {away:?}");
    }
    // The scatter's corners hold no point.
    let [left, top, w, h] = renderer.scatter_rect();
    assert!(is(frame.pixel(left + 2, top + 2), background, 0));
    assert!(is(frame.pixel(left + w / 2, top + h / 2), background, 0));

    // The progress bar is half full: light at its first quarter, dark at its last.
    let [_, bar_top, _, bar_height] = renderer.progress_bar_rect();
    let bar_y = (bar_top + bar_height / 2.0) as u32;
    let row: Vec<[u8; 4]> = (left..left + w)
        .filter_map(|x| frame.pixel(x, bar_y))
        .collect();
    let light = row.iter().filter(|p| p[0] > 150).count();
    let dark = row.iter().filter(|p| (40..80).contains(&p[0])).count();
    assert!(
        light.abs_diff(w as usize / 2) <= 3 && dark.abs_diff(w as usize / 2) <= 3,
        "bar row {bar_y}: {light} light and {dark} dark pixels of {w}"
    );

    // The legend panel shows both swatches in their colours.
    let legend: Vec<[u8; 4]> = (left + w..320)
        .flat_map(|x| (0..240).map(move |y| (x, y)))
        .filter_map(|(x, y)| frame.pixel(x, y))
        .collect();
    for colour in [RED, BLUE] {
        assert!(
            legend.contains(&colour),
            "no {colour:?} swatch in the legend"
        );
    }
    // Some text (light grey ink) in the legend and the header.
    assert!(
        legend
            .iter()
            .any(|p| p[0] > 150 && p[0] == p[1] && p[1] == p[2])
    );
}

#[test]
fn image_legend_and_follow_camera() {
    let Some((device, queue, _)) = request_test_device() else {
        return;
    };
    let mut renderer = FrameRenderer::new(&device, &queue, style(Legend::Images), &entries(true))
        .expect("renderer");
    // Follow mode: a tiny layout (t-SNE's first iteration) still fills the scatter.
    let positions = [0.0, 0.0, 1e-4, 1e-4];
    let colours = [packed(RED), packed(BLUE)];
    let frame = renderer.render(&positions, &colours, 0, 10).expect("frame");
    let [left, top, w, h] = renderer.scatter_rect();
    let [x0, y0] = renderer
        .frame_from_data(&positions, [0.0, 0.0])
        .expect("fit");
    let [x1, y1] = renderer
        .frame_from_data(&positions, [1e-4, 1e-4])
        .expect("fit");
    assert!((x1 - x0).abs() > w as f32 * 0.8 || (y0 - y1).abs() > h as f32 * 0.8);
    assert!(is(frame.pixel(x0 as u32, y0 as u32), RED, 2));
    assert!(x0 >= left as f32 && y1 >= top as f32);
    // Tinted pictures: the left half of each picture is lit in its class colour.
    let legend: Vec<[u8; 4]> = (left + w..320)
        .flat_map(|x| (0..240).map(move |y| (x, y)))
        .filter_map(|(x, y)| frame.pixel(x, y))
        .collect();
    assert!(legend.contains(&RED) && legend.contains(&BLUE));

    // Mismatched inputs are errors, not panics.
    assert!(renderer.render(&[0.0; 3], &colours, 0, 1).is_err());
}

#[test]
fn frames_go_through_every_sink() {
    let Some((device, queue, _)) = request_test_device() else {
        return;
    };
    let style = style(Legend::Swatches);
    let mut renderer =
        FrameRenderer::new(&device, &queue, style.clone(), &entries(false)).expect("renderer");
    let dir = tempfile::tempdir().expect("tempdir");
    let colours = [packed(RED), packed(BLUE)];
    for name in ["run.mp4", "run.gif", "view.png"] {
        let path = dir.path().join(name);
        let format = ExportFormat::from_path(&path).expect("known format");
        let options = SinkOptions {
            size: style.size,
            fps: 10,
            quality: Quality::ConstantQp(26),
            gif_palette: Some(renderer.gif_palette(&colours).expect("palette")),
        };
        let mut sink = VideoSink::create(&path, format, options).expect("sink");
        for k in 0..5 {
            let t = k as f32;
            let positions = [-t, 0.0, t, 1.0];
            sink.push(renderer.render(&positions, &colours, k, 4).expect("frame"))
                .expect("push");
        }
        let bytes = sink.finish().expect("finish");
        assert_eq!(
            bytes,
            std::fs::metadata(&path).expect("written").len(),
            "{name}"
        );
    }
    let mp4 = std::fs::read(dir.path().join("run.mp4")).expect("mp4");
    let info = loupe_video::inspect_mp4(&mp4).expect("valid");
    assert_eq!(info.tracks[0].sample_count(), 5);
    assert_eq!(info.tracks[0].size, [320, 240]);
    let png = dir.path().join("view.png");
    renderer
        .render_png(&png, &[0.0, 0.0, 1.0, 1.0], &colours, 4, 4)
        .expect("png");
    assert!(png.exists());
}
