//! End-to-end: `loupe animate` turns trajectories (and t-SNE runs) into MP4, GIF and PNG files,
//! rendering every frame offscreen on the test machine's adapter (lavapipe on CI), and
//! refuses bad input with one clear line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use arrow_array::{ArrayRef, UInt32Array};
use loupe_data::TrajectoryWriter;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The built-in demo: the 10,000 MNIST test digits (28 × 28) with their labels.
fn mnist() -> PathBuf {
    repo_root().join("assets/t10k-images.idx3-ubyte.gz")
}

/// The binary, with its dataset cache in a folder of this test process (never the user's).
fn loupe() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
    command.env(
        "LOUPE_CACHE_DIR",
        std::env::temp_dir().join(format!("loupe-test-cache-{}", std::process::id())),
    );
    command
}

/// Whether this machine can render; without an adapter the rendering tests are skipped
/// (loudly), or fail when `LOUPE_REQUIRE_GPU` is set.
fn can_render() -> bool {
    loupe_render::testing::request_test_device().is_some()
}

/// Runs the command and returns its output, failing with its stderr when it fails.
fn run_ok(command: &mut Command) -> Output {
    let output = command.output().expect("loupe runs");
    assert!(
        output.status.success(),
        "loupe failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs a command that must fail and returns its message: the one stderr line that is not
/// the software Vulkan driver's harmless `XDG_RUNTIME_DIR` notice.
fn run_err(command: &mut Command) -> String {
    let output = command.output().expect("loupe runs");
    assert!(!output.status.success(), "loupe should have failed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.contains("XDG_RUNTIME_DIR") && !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one line of error, got: {stderr}");
    assert!(lines[0].starts_with("loupe: "), "{stderr}");
    lines[0].to_owned()
}

/// Three clusters of `per_class` points drifting apart over `epochs` recorded epochs
/// (0, 10, 20, …), labelled 0, 1, 2.
fn write_trajectory(path: &Path, per_class: usize, epochs: u32) {
    let n = 3 * per_class;
    let labels: ArrayRef = Arc::new(UInt32Array::from_iter_values(
        (0..n).map(|i| (i / per_class) as u32),
    ));
    let mut writer = TrajectoryWriter::create(path, n, Some(labels)).expect("create");
    for e in 0..epochs {
        let spread = 1.0 + e as f32;
        let xy: Vec<f32> = (0..n)
            .flat_map(|i| {
                let class = (i / per_class) as f32;
                let jitter = (i % per_class) as f32 / per_class as f32;
                [
                    (class - 1.0) * spread + jitter * 0.3,
                    (class - 1.0).abs() * spread - jitter * 0.3,
                ]
            })
            .collect();
        writer.append(e * 10, &xy).expect("append");
    }
    writer.finish().expect("finish");
}

/// The frames of a GIF composited to full pictures, with its size.
fn decode_gif(path: &Path) -> (u16, u16, Vec<Vec<u8>>) {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(std::fs::File::open(path).expect("gif exists"))
        .expect("a GIF");
    let (w, h) = (decoder.width(), decoder.height());
    let mut canvas = vec![0_u8; usize::from(w) * usize::from(h) * 4];
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().expect("a frame") {
        for row in 0..usize::from(frame.height) {
            let src = row * usize::from(frame.width) * 4;
            let dst =
                ((usize::from(frame.top) + row) * usize::from(w) + usize::from(frame.left)) * 4;
            let len = usize::from(frame.width) * 4;
            canvas[dst..dst + len].copy_from_slice(&frame.buffer[src..src + len]);
        }
        frames.push(canvas.clone());
    }
    (w, h, frames)
}

/// An RGBA PNG's size and pixels.
fn read_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let image = image::open(path).expect("a PNG").to_rgba8();
    (image.width(), image.height(), image.into_raw())
}

/// Pixels showing category `code` over the dark canvas: the class colour mixed over the
/// background at between half and full strength (one translucent point, or several on top
/// of each other), each channel within `tolerance`.
fn count_class(pixels: &[u8], code: usize, tolerance: u8) -> usize {
    let c = loupe_colour::category_colour(Some(code));
    let bg = loupe_animate::DARK_BACKGROUND;
    let shades: Vec<[u8; 3]> = (50..=100)
        .map(|t| {
            let t = t as f32 / 100.0;
            [0, 1, 2].map(|i| {
                (f32::from(bg[i]) + (f32::from(c[i]) - f32::from(bg[i])) * t).round() as u8
            })
        })
        .collect();
    pixels
        .chunks_exact(4)
        .filter(|p| {
            shades
                .iter()
                .any(|s| p.iter().zip(s).all(|(&a, &b)| a.abs_diff(b) <= tolerance))
        })
        .count()
}

/// How strongly (in hundredths) `pixel` mixes category colour `code` over the background,
/// when it is such a mix at all.
fn tint_level(pixel: &[u8], code: usize) -> Option<u32> {
    let c = loupe_colour::category_colour(Some(code));
    let bg = loupe_animate::DARK_BACKGROUND;
    let axis = (0..3).max_by_key(|&i| c[i].abs_diff(bg[i]))?;
    let t =
        (f32::from(pixel[axis]) - f32::from(bg[axis])) / (f32::from(c[axis]) - f32::from(bg[axis]));
    if !(0.05..=1.0).contains(&t) {
        return None;
    }
    let fits = (0..3).all(|i| {
        let expected = f32::from(bg[i]) + (f32::from(c[i]) - f32::from(bg[i])) * t;
        (f32::from(pixel[i]) - expected).abs() <= 2.0
    });
    fits.then_some((t * 100.0).round() as u32)
}

#[test]
fn trajectory_becomes_mp4_gif_and_png() {
    if !can_render() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let trajectory = dir.path().join("epochs.parquet");
    write_trajectory(&trajectory, 100, 6);

    // MP4: one H.264 sample per recorded epoch, the first an IDR picture.
    let mp4 = dir.path().join("run.mp4");
    run_ok(
        loupe()
            .arg("animate")
            .arg(&trajectory)
            .args(["--size", "256x192", "--fps", "10", "--quiet", "--out"])
            .arg(&mp4),
    );
    let bytes = std::fs::read(&mp4).expect("mp4 written");
    let info = loupe_video::inspect_mp4(&bytes).expect("a valid MP4");
    assert_eq!(info.tracks.len(), 1);
    let track = &info.tracks[0];
    assert_eq!((&track.handler, &track.codec), (b"vide", b"avc1"));
    assert_eq!(track.size, [256, 192]);
    assert_eq!(track.sample_count(), 6, "one frame per recorded epoch");
    let avc = track.avc.as_ref().expect("avcC");
    let ranges = track.sample_ranges().expect("sample offsets");
    assert_eq!(
        ranges.last().map(|r| r.end),
        info.mdat.first().map(|m| m.end)
    );
    let first = &bytes[ranges[0].start as usize..ranges[0].end as usize];
    let types = loupe_video::nal_unit_types(first, avc.length_size).expect("NAL units");
    assert!(
        types.contains(&5),
        "first sample is an IDR picture: {types:?}"
    );
    assert_eq!(info.movie_duration, (600, 1000), "6 frames at 10 fps");

    // GIF: every other epoch (0, 20, 40) and always the last (50).
    let gif_path = dir.path().join("run.gif");
    run_ok(
        loupe()
            .arg("animate")
            .arg(&trajectory)
            .args([
                "--size", "200x150", "--fps", "10", "--every", "2", "--quiet",
            ])
            .arg("--out")
            .arg(&gif_path),
    );
    let (w, h, frames) = decode_gif(&gif_path);
    assert_eq!((w, h), (200, 150));
    assert_eq!(frames.len(), 4);

    // PNG: the last epoch, points in their class colours, a swatch legend.
    let png = dir.path().join("last.png");
    let output = run_ok(
        loupe()
            .arg("animate")
            .arg(&trajectory)
            .args(["--size", "320x240", "--out"])
            .arg(&png),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("wrote 1 frame of 300 points"), "{stderr}");
    let (pw, ph, pixels) = read_png(&png);
    assert_eq!((pw, ph), (320, 240));
    for code in 0..3 {
        assert!(count_class(&pixels, code, 3) > 20, "class {code} is drawn");
    }
    // The last GIF frame shows the classes too, within its palette's precision.
    for code in 0..3 {
        assert!(
            count_class(&frames[3], code, 12) > 20,
            "class {code} in the GIF"
        );
    }
}

#[test]
fn tsne_run_with_an_image_legend() {
    if !can_render() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let gif_path = dir.path().join("run.gif");
    let kept = dir.path().join("run.parquet");
    let tsne = [
        "--method",
        "tsne",
        "--limit",
        "300",
        "--iterations",
        "20",
        "--early-exaggeration-iter",
        "10",
        "--perplexity",
        "10",
        "--every",
        "5",
    ];
    run_ok(
        loupe()
            .args(["animate"])
            .arg(mnist())
            .args(tsne)
            .args([
                "--size", "320x320", "--fps", "10", "--legend", "images", "--quiet",
            ])
            .arg("--trajectory")
            .arg(&kept)
            .arg("--out")
            .arg(&gif_path),
    );
    // Iterations 0, 5, …, 30: seven frames, and the same seven epochs in the kept run.
    let (w, h, frames) = decode_gif(&gif_path);
    assert_eq!((w, h), (320, 320));
    assert_eq!(frames.len(), 7);
    let trajectory = loupe_data::Trajectory::scan(&kept).expect("kept trajectory");
    assert_eq!(trajectory.points(), 300);
    assert_eq!(trajectory.epochs(), [0, 5, 10, 15, 20, 25, 30]);
    assert_eq!(trajectory.other_columns(), ["label"]);
    // N × recorded iterations rows, in the seed's long schema.
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(&kept).expect("open"),
    )
    .expect("Parquet");
    assert_eq!(reader.metadata().file_metadata().num_rows(), 300 * 7);
    let fields: Vec<(String, String)> = reader
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().to_string()))
        .collect();
    let expected = [
        ("index", "UInt32"),
        ("x", "Float32"),
        ("y", "Float32"),
        ("label", "UInt8"),
        ("epoch", "UInt32"),
    ];
    assert_eq!(
        fields,
        expected.map(|(n, t)| (n.to_owned(), t.to_owned())),
        "schema"
    );

    // The same run's last frame from the kept trajectory, with pictures from the dataset and
    // with swatches: the same scatter, different legend panels.
    let last_frame = |legend: &str| {
        let png = dir.path().join(format!("{legend}.png"));
        let mut command = loupe();
        command
            .arg("animate")
            .arg(&kept)
            .args(["--size", "320x320", "--quiet", "--legend", legend]);
        if legend == "images" {
            command
                .arg("--images")
                .arg(mnist())
                .args(["--limit", "300"]);
        }
        run_ok(command.arg("--out").arg(&png));
        read_png(&png)
    };
    let (width, _, pictures) = last_frame("images");
    let (_, _, swatches) = last_frame("swatches");
    // The panel is the right 18 % of the frame, inside a 3 % margin.
    let panel_from = (width as f32 * 0.78) as usize;
    let differ = |in_panel: bool| {
        pictures
            .chunks_exact(4)
            .zip(swatches.chunks_exact(4))
            .enumerate()
            .filter(|(i, (a, b))| (i % width as usize >= panel_from) == in_panel && a != b)
            .count()
    };
    assert_eq!(
        differ(false),
        0,
        "the scatter does not depend on the legend"
    );
    assert!(
        differ(true) > 300,
        "pictures replace the swatches: {}",
        differ(true)
    );
    // Every class appears in the legend in its colour, tinted by its picture.
    for code in 0..10 {
        let tinted = pictures
            .chunks_exact(4)
            .enumerate()
            .filter(|(i, p)| i % width as usize >= panel_from && tint_level(p, code).is_some())
            .count();
        assert!(tinted > 10, "class {code}: {tinted} tinted pixels");
    }
}

#[test]
fn bad_input_gives_one_clear_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let trajectory = dir.path().join("epochs.parquet");
    write_trajectory(&trajectory, 5, 2);
    let animate = |out: &Path| {
        let mut command = loupe();
        command
            .arg("animate")
            .arg(&trajectory)
            .arg("--out")
            .arg(out);
        command
    };

    // An unknown extension, before anything is read.
    let err = run_err(&mut animate(&dir.path().join("run.avi")));
    assert!(err.contains("run.avi") && err.contains(".mp4"), "{err}");

    // An empty trajectory.
    let empty = dir.path().join("empty.parquet");
    TrajectoryWriter::create(&empty, 3, None)
        .expect("create")
        .finish()
        .expect("finish");
    let err = run_err(
        loupe()
            .arg("animate")
            .arg(&empty)
            .arg("--out")
            .arg(dir.path().join("e.mp4")),
    );
    assert!(
        err.contains("empty.parquet") && err.contains("no rows"),
        "{err}"
    );

    // A column that is not there.
    let err = run_err(animate(&dir.path().join("run.mp4")).args(["--color-by", "digit"]));
    assert!(err.contains("--color-by") && err.contains("digit"), "{err}");
    assert!(err.contains("label"), "lists the columns: {err}");

    // Pictures need vectors, which a trajectory does not hold.
    let err = run_err(animate(&dir.path().join("run.mp4")).args(["--legend", "images"]));
    assert!(err.contains("--images"), "{err}");

    // A dataset given as a trajectory.
    let err = run_err(
        loupe()
            .arg("animate")
            .arg(mnist())
            .arg("--out")
            .arg(dir.path().join("m.mp4")),
    );
    assert!(err.contains("not a") || err.contains("trajectory"), "{err}");

    if !can_render() {
        return;
    }
    // An output under a file, and a GIF faster than GIFs play: refused before any frame.
    let file = dir.path().join("plain.txt");
    std::fs::write(&file, b"x").expect("write");
    let err = run_err(&mut animate(&file.join("run.mp4")));
    assert!(err.contains("plain.txt/run.mp4"), "{err}");
    let err = run_err(animate(&dir.path().join("fast.gif")).args(["--fps", "60"]));
    assert!(err.contains("50 frames per second"), "{err}");
    let err = run_err(animate(&dir.path().join("odd.mp4")).args(["--size", "255x255"]));
    assert!(err.contains("even"), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(left.is_empty(), "no partial files: {left:?}");
}
