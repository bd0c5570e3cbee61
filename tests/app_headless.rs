//! End-to-end: the desktop app driven headless with `egui_kittest` — open the demo, watch t-SNE
//! run, hover and click a point, and check what the panels show.

use std::fmt::Write as _;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use loupe_app::app::{DataSource, LoupeApp};
use loupe_tsne::RunStatus;

mod common;
use common::step_until;

const DIGITS: usize = 2000;

/// Clicks the button labelled `button` and waits for the load it starts to be refused.
fn click_and_wait_for_error(harness: &mut Harness<'_, LoupeApp>, button: &str) -> String {
    harness.get_by_label(button).click();
    step_until(harness, Duration::from_secs(30), "the refusal", |app| {
        app.session.loading.is_none() && app.session.error.is_some()
    });
    harness.state().session.error.clone().unwrap_or_default()
}

fn click_at(harness: &Harness<'_, LoupeApp>, pos: egui::Pos2) {
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
}

#[test]
fn demo_runs_live_and_hover_click_show_the_label() {
    // Skips the GPU part (loudly) without an adapter, fails under LOUPE_REQUIRE_GPU=1.
    let gpu = loupe_render::testing::request_test_device().is_some();
    let mut builder = Harness::builder().with_size(egui::vec2(1280.0, 800.0));
    if gpu {
        builder = builder.wgpu();
    }
    let mut harness = builder.build_eframe(|cc| {
        LoupeApp::new(
            cc,
            Some(DataSource::Demo {
                limit: Some(DIGITS),
            }),
            true,
        )
    });
    assert_eq!(harness.state().has_renderer, gpu);

    // The demo loads and t-SNE starts by itself; snapshots stream in while the UI runs.
    let mut iterations_seen = Vec::new();
    step_until(
        &mut harness,
        Duration::from_mins(5),
        "50 iterations",
        |app| {
            if let Some(s) = &app.session.snapshot {
                iterations_seen.push(s.iteration);
            }
            app.session
                .snapshot
                .as_ref()
                .is_some_and(|s| s.iteration >= 50)
        },
    );
    assert_eq!(harness.state().session.n_rows(), DIGITS);
    let distinct: std::collections::BTreeSet<_> = iterations_seen.iter().collect();
    assert!(
        distinct.len() > 3,
        "the plot saw several layouts: {distinct:?}"
    );

    // Pause through the button; the status bar says so and iterations stop advancing.
    harness.get_by_label("Pause").click();
    step_until(&mut harness, Duration::from_secs(10), "pause", |app| {
        app.session
            .snapshot
            .as_ref()
            .is_some_and(|s| s.status == RunStatus::Paused)
    });
    let paused_at = harness.state().session.snapshot.as_ref().unwrap().iteration;
    harness.get_by_label("paused");
    std::thread::sleep(Duration::from_millis(200));
    harness.step();
    assert_eq!(
        harness.state().session.snapshot.as_ref().unwrap().iteration,
        paused_at
    );

    // Wait for the pick index of the paused layout.
    step_until(&mut harness, Duration::from_secs(10), "pick index", |app| {
        app.session.pick_index_generation() == Some(app.session.positions_generation)
    });

    // Find a point that is the nearest one to its own position (not hidden under another).
    let app = harness.state_mut();
    let positions = app.session.positions().unwrap().clone();
    let row = (0..DIGITS)
        .find(|&r| {
            let (x, y) = (positions[2 * r], positions[2 * r + 1]);
            app.session.pick(x, y, 1e-6) == Some(r)
        })
        .expect("some point is pickable");
    let screen = app.plot.screen_pos_of(&app.session, row).unwrap();
    assert!(app.plot.rect.contains(screen), "point {row} is on screen");
    let dataset = app.session.dataset.clone().unwrap();
    let label = dataset
        .row_text(row)
        .into_iter()
        .find(|(column, _)| column == "label")
        .map(|(_, value)| value)
        .unwrap();

    // Tooltips wait for the pointer to rest; the harness's clock does not run, so no delay.
    harness
        .ctx
        .global_style_mut(|style| style.interaction.tooltip_delay = 0.0);
    harness.hover_at(screen);
    harness.run_steps(3);
    assert_eq!(harness.state().session.hovered, Some(row));
    let title = format!("Row {row} · label {label}");
    assert!(
        harness.query_by_label(&title).is_some(),
        "tooltip shows {title:?}"
    );

    click_at(&harness, screen);
    harness.step();
    harness.step();
    assert_eq!(harness.state().session.selected, Some(row));
    // The inspector (and the tooltip) show the row's label; the inspector also lists the
    // column and draws the digit.
    assert!(harness.query_all_by_label(&title).count() >= 1);
    harness.get_by_label("label");

    if gpu {
        let image = harness.render().expect("render");
        let ppp = 1.0; // the harness renders at one pixel per point
        let px = image.get_pixel((screen.x * ppp) as u32, (screen.y * ppp) as u32);
        assert_ne!(
            [px[0], px[1], px[2]],
            [12, 12, 12],
            "a point is drawn under the cursor"
        );
        let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("app_headless.png");
        image.save(&out).expect("save snapshot");
        eprintln!("snapshot written to {}", out.display());
    }

    // Zoom with the wheel around the cursor: the point under it stays put.
    let zoom_before = harness.state().plot.camera.pixels_per_unit;
    harness.hover_at(screen);
    harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, 240.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    harness.run_steps(30);
    let app = harness.state();
    assert!(
        app.plot.camera.pixels_per_unit > zoom_before * 1.5,
        "zoomed in: {zoom_before} -> {}",
        app.plot.camera.pixels_per_unit
    );
    assert!(!app.plot.auto_fit, "manual zoom stops following the layout");
    let after = app.plot.screen_pos_of(&app.session, row).unwrap();
    assert!(
        after.distance(screen) < 2.0,
        "zoom keeps the point under the cursor: {screen:?} -> {after:?}"
    );

    // Drag to pan: the layout moves with the pointer.
    let to = screen + egui::vec2(-120.0, 80.0);
    harness.drag_at(screen);
    harness.step();
    harness.hover_at(screen + egui::vec2(-60.0, 40.0));
    harness.step();
    harness.hover_at(to);
    harness.step();
    harness.drop_at(to);
    harness.step();
    let app = harness.state();
    let moved = app.plot.screen_pos_of(&app.session, row).unwrap();
    assert!(
        moved.distance(to) < 2.0,
        "pan moves the point with the pointer: {to:?} vs {moved:?}"
    );

    // Resume, then stop: the run ends and keeps a finite layout.
    harness.get_by_label("Resume").click();
    harness.step();
    harness.get_by_label("Stop").click();
    step_until(&mut harness, Duration::from_secs(10), "stop", |app| {
        !app.session.is_running()
    });
    let positions = harness.state().session.positions().unwrap().clone();
    assert!(positions.iter().all(|v| v.is_finite()));
}

#[test]
fn a_stopped_layout_refines_and_takes_projected_points() {
    use loupe_app::app::Command;

    let gpu = loupe_render::testing::request_test_device().is_some();
    let mut builder = Harness::builder().with_size(egui::vec2(1280.0, 800.0));
    if gpu {
        builder = builder.wgpu();
    }
    let n = 1_500;
    let mut harness = builder
        .build_eframe(|cc| LoupeApp::new(cc, Some(DataSource::Demo { limit: Some(n) }), true));
    step_until(
        &mut harness,
        Duration::from_mins(5),
        "40 iterations",
        |app| {
            app.session
                .snapshot
                .as_ref()
                .is_some_and(|s| s.iteration >= 40)
        },
    );
    harness.get_by_label("Stop").click();
    step_until(
        &mut harness,
        Duration::from_secs(30),
        "a kept layout",
        |app| !app.session.is_running() && app.session.layout.is_some(),
    );
    let stopped_at = harness.state().session.snapshot.as_ref().unwrap().iteration;

    // Refine: 30 more iterations at exaggeration 1 through the side panel's button.
    harness.state_mut().session.refine_phases.0[0].n_iter = 30;
    harness.get_by_label("Refine this layout").click();
    harness.run_steps(2);
    // Every input in the side panel (parameters, schedule, refine table) is reachable by name;
    // kittest checks this only when the ui settles, which a live run rarely lets it do.
    harness.check_accessibility();
    harness.get_by_label("Refine").click();
    step_until(&mut harness, Duration::from_mins(2), "the refine", |app| {
        common::run_finished(app)
    });
    let refined = harness.state().session.snapshot.clone().unwrap();
    assert_eq!(refined.iteration, stopped_at + 30, "iterations continue");
    assert!(harness.state().session.layout.is_some());
    let reference = refined.positions.clone();

    // Vectors of the wrong length are refused with a message; nothing else changes.
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/03WVN_20220610_20220610_v001.gpq"
    );
    // (through the side panel's path field and its Add points button).
    harness.state_mut().session.path_text = fixture.to_owned();
    harness.run_steps(2);
    let error = click_and_wait_for_error(&mut harness, "Add points");
    assert!(error.contains("768-dimensional"), "{error}");
    assert_eq!(harness.state().session.n_rows(), n);

    // Add 200 digits that are copies of the first 200: each lands on its twin, drawn hollow.
    let m = 200;
    harness
        .state_mut()
        .queue(Command::AddPoints(DataSource::Demo { limit: Some(m) }));
    step_until(
        &mut harness,
        Duration::from_mins(2),
        "the projection",
        |app| {
            app.session.loading.is_none()
                && !app.session.is_running()
                && app
                    .session
                    .positions()
                    .is_some_and(|p| p.len() == 2 * (n + m))
        },
    );
    let app = harness.state();
    assert_eq!(app.session.n_rows(), n + m);
    assert_eq!(app.session.hollow_from(), Some(n as u32));
    let positions = app.session.positions().unwrap().clone();
    assert_eq!(
        positions[..2 * n],
        reference[..],
        "the reference stayed put"
    );
    let spread = reference.iter().fold(0.0_f32, |s, v| s.max(v.abs()));
    let mut gaps: Vec<f32> = (0..m)
        .map(|i| {
            let (p, q) = (&positions[2 * (n + i)..], &positions[2 * i..]);
            ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt()
        })
        .collect();
    gaps.sort_by(f32::total_cmp);
    assert!(
        gaps[m / 2] < 0.05 * spread,
        "median distance to the twin {} of spread {spread}",
        gaps[m / 2]
    );
    let dataset = app.session.dataset.clone().unwrap();
    let projected = dataset.categories("projected").expect("a projected column");
    assert_eq!(projected.names, ["false", "true"]);
    assert_eq!(projected.counts, [n, m]);
    harness.get_by_label(&format!(
        "{m} rows from MNIST test digits (demo) projected into the layout (hollow)"
    ));
    if gpu {
        let image = harness.render().expect("render");
        let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("app_projected.png");
        image.save(&out).expect("save snapshot");
        eprintln!("snapshot written to {}", out.display());
    }

    // Remove them again: back to the reference rows and layout.
    harness.get_by_label("Remove projected rows").click();
    harness.run_steps(2);
    let app = harness.state();
    assert_eq!(app.session.n_rows(), n);
    assert_eq!(app.session.hollow_from(), None);
    assert_eq!(app.session.positions().unwrap()[..], reference[..]);
}

#[test]
fn a_folder_opens_with_its_load_report() {
    let folder = tempfile::tempdir().unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let clay = fixtures.join("03WVN_20220610_20220610_v001.gpq");
    std::fs::copy(
        &clay,
        folder.path().join("03WVN_20220610_20220610_v001.gpq"),
    )
    .unwrap();
    let bytes = std::fs::read(&clay).unwrap();
    std::fs::write(folder.path().join("broken.gpq"), &bytes[..1000]).unwrap();
    let cache = tempfile::tempdir().unwrap();

    // Built without a source (so the cache can be pointed at a temporary folder first): the
    // empty app settles at once, so kittest checks every input of its first frame by name.
    let mut builder = Harness::builder().with_size(egui::vec2(1280.0, 800.0));
    if loupe_render::testing::request_test_device().is_some() {
        builder = builder.wgpu();
    }
    let mut harness = builder.build_eframe(|cc| LoupeApp::new(cc, None, false));
    let app = harness.state_mut();
    app.session.cache_policy = loupe_ingest::CachePolicy::Dir(cache.path().to_path_buf());
    app.queue(loupe_app::app::Command::Open(DataSource::File {
        path: folder.path().to_path_buf(),
        read: loupe_data::ReadOptions::default(),
    }));
    step_until(&mut harness, Duration::from_mins(1), "the folder", |app| {
        app.session.loading.is_none() && app.session.dataset.is_some()
    });
    harness.run_steps(2);
    let session = &harness.state().session;
    assert_eq!(session.n_rows(), 417);
    let report = session.load_report.as_ref().expect("a load report");
    assert_eq!(report.failed.len(), 1);
    assert!(
        session
            .dataset
            .as_ref()
            .unwrap()
            .categories("mgrs")
            .is_some()
    );
    harness.get_by_label("1 of 2 files could not be loaded");
    // The report is open and names the broken file.
    assert!(
        harness
            .query_all_by_label_contains("broken.gpq")
            .next()
            .is_some(),
        "the failed file is listed"
    );
}

#[test]
fn reading_options_export_and_trajectory_from_the_side_panel() {
    let dir = tempfile::tempdir().unwrap();
    // Tall enough that the Export section needs no scrolling.
    let mut builder = Harness::builder().with_size(egui::vec2(1280.0, 2000.0));
    if loupe_render::testing::request_test_device().is_some() {
        builder = builder.wgpu();
    }
    let mut harness = builder.build_eframe(|cc| LoupeApp::new(cc, None, true));
    harness.state_mut().session.cache_policy = loupe_ingest::CachePolicy::Off;

    // A CSV whose row 2 holds NaN: refused by default, loaded without it once "drop" is chosen.
    let csv = dir.path().join("vectors.csv");
    let mut text = String::from("label,v0,v1,v2\n");
    for row in 0..40 {
        let first = if row == 2 {
            "NaN".to_owned()
        } else {
            format!("{}", row % 4)
        };
        writeln!(text, "c{},{first},{},{}", row % 4, row % 3, row % 5).unwrap();
    }
    std::fs::write(&csv, text).unwrap();
    harness.state_mut().session.path_text = csv.display().to_string();
    harness.state_mut().session.params.early_exaggeration_iter = 20;
    harness.state_mut().session.params.iterations = 30;
    harness.state_mut().session.params.perplexity = 5.0;
    harness.run_steps(2);
    let error = click_and_wait_for_error(&mut harness, "Open");
    assert!(error.contains("row 2"), "{error}");

    harness.get_by_label("Reading options").click();
    harness.run_steps(2);
    harness
        .get_by_label("drop them (counted in the load report)")
        .click();
    harness.run_steps(2);
    assert_eq!(
        harness.state().session.read_options.bad_rows,
        loupe_data::BadRows::Drop
    );

    // Record the next run's trajectory, every 10th iteration.
    let trajectory = dir.path().join("trajectory.parquet");
    harness.state_mut().session.trajectory.path = trajectory.display().to_string();
    harness.state_mut().session.trajectory.every = 10;
    harness.get_by_label("record runs' trajectories").click();
    harness.run_steps(2);
    harness.get_by_label("Open").click();
    step_until(&mut harness, Duration::from_mins(1), "the run", |app| {
        app.session.dataset.is_some() && common::run_finished(app)
    });
    assert_eq!(
        harness.state().session.n_rows(),
        39,
        "the NaN row was dropped"
    );
    let notice = harness.state().session.notice.clone().unwrap_or_default();
    assert!(notice.contains("trajectory: 5 iterations"), "{notice}");
    assert!(trajectory.exists());

    // Export the layout as CSV through the Export section.
    let layout = dir.path().join("layout.csv");
    harness.state_mut().session.export_path = layout.display().to_string();
    harness.run_steps(2);
    harness.get_by_label("Export layout").click();
    step_until(&mut harness, Duration::from_secs(30), "the export", |app| {
        app.session.export.is_none()
            && app
                .session
                .notice
                .as_ref()
                .is_some_and(|n| n.starts_with("wrote"))
    });
    let written = std::fs::read_to_string(&layout).unwrap();
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("label,x,y"));
    assert_eq!(lines.count(), 39);
}
