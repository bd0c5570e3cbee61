//! End-to-end: the timeline records every iteration of a run in the app, replays any of them
//! (within the stated quantisation error of what the run published, as written to a
//! trajectory file by the same observer), marks the phase boundary, plays to the end, lets
//! hover and selection work on a replayed frame, and exports the recorded frames as Parquet.

use std::collections::HashMap;
use std::time::Duration;

use arrow_array::{Array, Float64Array};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use loupe_app::app::{Command, DataSource, LoupeApp};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

mod common;
use common::step_until;

const ROWS: usize = 500;
const EARLY: usize = 40;
const LATE: usize = 40;

/// Reads a trajectory Parquet into epoch → interleaved positions.
fn read_trajectory(path: &std::path::Path) -> HashMap<u32, Vec<f32>> {
    let file = std::fs::File::open(path).expect("the trajectory file");
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(ParquetRecordBatchReaderBuilder::build)
        .expect("a Parquet file");
    let mut epochs: HashMap<u32, Vec<f32>> = HashMap::new();
    for batch in reader {
        let batch = batch.expect("a record batch");
        let column = |name: &str| {
            let array = batch.column_by_name(name).expect("the trajectory schema");
            arrow_cast::cast(array, &arrow_schema::DataType::Float64).expect("numbers")
        };
        let floats = |name: &str| {
            let array = column(name);
            array
                .as_any()
                .downcast_ref::<Float64Array>()
                .expect("f64")
                .values()
                .to_vec()
        };
        let (index, x, y, epoch) = (floats("index"), floats("x"), floats("y"), floats("epoch"));
        for row in 0..batch.num_rows() {
            let positions = epochs
                .entry(epoch[row] as u32)
                .or_insert_with(|| vec![f32::NAN; 2 * ROWS]);
            let i = index[row] as usize;
            positions[2 * i] = x[row] as f32;
            positions[2 * i + 1] = y[row] as f32;
        }
    }
    epochs
}

#[test]
fn record_replay_scrub_play_and_export_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = Harness::builder().with_size(egui::vec2(1400.0, 2400.0));
    if loupe_render::testing::request_test_device().is_some() {
        builder = builder.wgpu();
    }
    let mut harness = builder.build_eframe(|cc| LoupeApp::new(cc, None, true));
    let published = dir.path().join("published.parquet");
    {
        let app = harness.state_mut();
        app.session.params.early_exaggeration_iter = EARLY;
        app.session.params.iterations = LATE;
        // The same observer writes every iteration to this file: what the run published.
        app.session.trajectory.enabled = true;
        app.session.trajectory.every = 1;
        app.session.trajectory.path = published.display().to_string();
        app.queue(Command::Open(DataSource::Demo { limit: Some(ROWS) }));
    }
    step_until(&mut harness, Duration::from_mins(2), "the layout", |app| {
        common::run_finished(app)
    });
    harness.run_steps(2);
    let published = read_trajectory(&published);
    assert_eq!(published.len(), EARLY + LATE);

    // Every iteration is kept (far under the default budget), and the phase start is marked.
    let (frames, marks) = {
        let guard = harness.state().session.timeline.recorded.lock().unwrap();
        let timeline = guard.as_ref().expect("a timeline");
        (timeline.len(), timeline.marks().to_vec())
    };
    assert_eq!(frames, EARLY + LATE);
    assert!(
        marks
            .iter()
            .any(|m| m.iteration == EARLY && m.label.contains("exaggeration 1")),
        "{marks:?}"
    );

    // Replaying iteration 30 shows what the run published then, within half a step.
    harness.state_mut().queue(Command::ReplayAt(30));
    harness.run_steps(2);
    let replayed = harness.state().session.positions().unwrap().clone();
    let expected = &published[&30];
    let extent = |axis: usize| {
        let values = expected.iter().skip(axis).step_by(2);
        let (lo, hi) = values.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
        hi - lo
    };
    let bound = [extent(0) / 65535.0, extent(1) / 65535.0];
    for (i, (&a, &b)) in replayed.iter().zip(expected).enumerate() {
        assert!((a - b).abs() <= bound[i % 2], "coordinate {i}: {a} vs {b}");
    }
    let live = harness
        .state()
        .session
        .snapshot
        .clone()
        .unwrap()
        .positions
        .clone();
    assert!(
        replayed
            .iter()
            .zip(live.iter())
            .any(|(a, b)| (a - b).abs() > 1.0),
        "iteration 30 differs from the final layout"
    );

    // Hover works on the replayed frame: the pick index follows it.
    common::wait_for_pick_index(&mut harness);
    let row = 123;
    let picked = harness
        .state_mut()
        .session
        .pick(replayed[2 * row], replayed[2 * row + 1], 1e-3);
    assert_eq!(picked, Some(row));

    // Selection on the replayed frame: a box in its coordinates takes its rows.
    let (x0, x1) = (replayed[2 * row] - 5.0, replayed[2 * row] + 5.0);
    let (y0, y1) = (replayed[2 * row + 1] - 5.0, replayed[2 * row + 1] + 5.0);
    let inside: Vec<usize> = (0..ROWS)
        .filter(|&r| {
            let (x, y) = (replayed[2 * r], replayed[2 * r + 1]);
            x >= x0 && x <= x1 && y >= y0 && y <= y1
        })
        .collect();
    let picked = loupe_core::select_box(&replayed, [x0, y0], [x1, y1]);
    harness.state_mut().queue(Command::SelectRows(
        picked,
        loupe_core::SelectionMode::Replace,
    ));
    harness.run_steps(2);
    let selection = harness.state().session.selection.current.clone().unwrap();
    assert_eq!(selection.to_indices(), inside);

    // Play runs to the last frame and stops there; the button says so.
    harness.get_by_label("play").click();
    step_until(
        &mut harness,
        Duration::from_secs(30),
        "the replay's end",
        |app| {
            app.session
                .timeline
                .replay
                .as_ref()
                .is_some_and(|r| !r.playing && r.iteration == EARLY + LATE)
        },
    );
    harness.run_steps(2);
    harness.check_accessibility();

    // Live returns to the run's own layout.
    harness.get_by_label("live").click();
    harness.run_steps(2);
    assert!(harness.state().session.timeline.replay.is_none());
    assert_eq!(**harness.state().session.positions().unwrap(), *live);

    // Export the recorded frames: N × frames rows in the trajectory schema.
    let out = dir.path().join("timeline.parquet");
    harness.state_mut().session.export_path = out.display().to_string();
    harness.run_steps(2);
    harness.get_by_label("Export timeline").click();
    step_until(&mut harness, Duration::from_secs(30), "the export", |app| {
        app.session.timeline.export.is_none() && out.exists()
    });
    let exported = read_trajectory(&out);
    assert_eq!(exported.len(), EARLY + LATE);
    assert!(exported.values().all(|p| p.iter().all(|v| v.is_finite())));

    // The recorded run as a film: one H.264 frame per recorded iteration, at the chosen size.
    harness.state_mut().session.video.settings = loupe_app::app::VideoSettings {
        size: [320, 240],
        fps: 10,
        image_legend: true,
    };
    let film = dir.path().join("run.mp4");
    harness.state_mut().session.export_path = film.display().to_string();
    harness.run_steps(2);
    harness.get_by_label("Export film").click();
    harness.run_steps(2);
    step_until(&mut harness, Duration::from_mins(2), "the film", |app| {
        app.session.video.job.is_none()
    });
    assert!(film.exists(), "{:?}", harness.state().session.error);
    let bytes = std::fs::read(&film).unwrap();
    let info = loupe_video::inspect_mp4(&bytes).expect("a valid MP4");
    assert_eq!(info.tracks[0].size, [320, 240]);
    assert_eq!(info.tracks[0].sample_count(), EARLY + LATE);

    // A picture of the current view at another size, drawn offscreen.
    let picture = dir.path().join("view.png");
    harness.state_mut().session.export_path = picture.display().to_string();
    harness.state_mut().session.video.settings.size = [640, 480];
    harness.run_steps(2);
    harness.get_by_label("Export picture").click();
    harness.run_steps(2);
    step_until(&mut harness, Duration::from_mins(1), "the picture", |app| {
        app.session.video.job.is_none()
    });
    assert!(picture.exists(), "{:?}", harness.state().session.error);
    let png = image::open(&picture).expect("a PNG").to_rgba8();
    assert_eq!(png.dimensions(), (640, 480));
    let coloured = png
        .pixels()
        .filter(|p| {
            let [r, g, b, _] = p.0;
            r.max(g).max(b) - r.min(g).min(b) > 60
        })
        .count();
    assert!(
        coloured > 100,
        "the points' colours are in the picture: {coloured}"
    );
}

#[test]
fn umap_runs_live_in_the_app_like_t_sne() {
    let mut builder = Harness::builder().with_size(egui::vec2(1400.0, 1000.0));
    if loupe_render::testing::request_test_device().is_some() {
        builder = builder.wgpu();
    }
    let mut harness = builder.build_eframe(|cc| LoupeApp::new(cc, None, false));
    harness
        .state_mut()
        .queue(Command::Open(DataSource::Demo { limit: Some(ROWS) }));
    step_until(&mut harness, Duration::from_mins(1), "the demo", |app| {
        app.session.n_rows() == ROWS
    });
    // Switch the method in the side panel, then Start.
    harness.get_by_label("UMAP").click();
    harness.run_steps(2);
    harness.state_mut().session.umap.epochs = Some(60);
    harness.get_by_label("neighbours");
    harness.get_by_label("Start").click();
    step_until(
        &mut harness,
        Duration::from_mins(2),
        "the UMAP layout",
        |app| common::run_finished(app),
    );
    harness.run_steps(2);
    let app = harness.state();
    let snapshot = app.session.snapshot.clone().unwrap();
    assert_eq!((snapshot.iteration, snapshot.total_iterations), (60, 60));
    let positions = app.session.positions().unwrap();
    assert_eq!(positions.len(), 2 * ROWS);
    assert!(positions.iter().all(|v| v.is_finite()));
    assert!(
        app.session.layout.is_none(),
        "Refine and Add points are t-SNE's"
    );
    let frames = app
        .session
        .timeline
        .recorded
        .lock()
        .unwrap()
        .as_ref()
        .map_or(0, loupe_core::Timeline::len);
    assert_eq!(frames, 60, "every epoch is recorded");
    harness.get_by_label("UMAP epoch 60 / 60");
    assert!(app.session.run_description.starts_with("UMAP"));
}
