//! End-to-end: "find more like this" in the app driven headless — mark a positive with the
//! P key, find candidates with the button, accept one with a key, reject the next, colour by
//! similarity and select by threshold, export the labels as a column, and get the labels
//! back after reopening the same data.

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use loupe_app::app::{ColourSource, Command, DataSource, Label, LoupeApp};

mod common;
use common::step_until;

/// Rows of the demo used here: enough for real neighbours, small enough to be quick.
const ROWS: usize = 800;

fn press(harness: &mut Harness<'_, LoupeApp>, key: egui::Key) {
    harness.key_down(key);
    harness.key_up(key);
    harness.run_steps(2);
}

/// An app with the demo's first `ROWS` digits loaded and a short t-SNE run finished, its
/// caches (and saved labels) in `cache`.
fn demo_app(cache: &std::path::Path) -> Harness<'static, LoupeApp> {
    let mut builder = Harness::builder().with_size(egui::vec2(1400.0, 1400.0));
    if loupe_render::testing::request_test_device().is_some() {
        builder = builder.wgpu();
    }
    let mut harness = builder.build_eframe(|cc| LoupeApp::new(cc, None, true));
    {
        let app = harness.state_mut();
        app.session.cache_policy = loupe_ingest::CachePolicy::Dir(cache.to_path_buf());
        app.session.params.early_exaggeration_iter = 50;
        app.session.params.iterations = 50;
        app.queue(Command::Open(DataSource::Demo { limit: Some(ROWS) }));
    }
    step_until(&mut harness, Duration::from_mins(2), "the layout", |app| {
        common::run_finished(app)
    });
    harness.run_steps(2);
    harness
}

/// Cosine of two rows, by brute force.
fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(&x, &y)| f64::from(x * y)).sum();
    let na: f64 = a.iter().map(|&x| f64::from(x * x)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|&x| f64::from(x * x)).sum::<f64>().sqrt();
    dot / (na * nb)
}

#[test]
fn mark_a_positive_find_candidates_accept_and_reject_with_keys() {
    let cache = tempfile::tempdir().unwrap();
    let mut harness = demo_app(cache.path());
    let query = 7;
    harness.state_mut().queue(Command::Select(Some(query)));
    harness.run_steps(2);

    // Nothing to rank before a positive: a message, no candidates, no panic.
    harness.state_mut().queue(Command::FindSimilar);
    harness.run_steps(2);
    let message = harness.state().session.similar.message.clone();
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("no positives")),
        "{message:?}"
    );

    press(&mut harness, egui::Key::P);
    assert_eq!(
        harness.state().session.similar.label(query),
        Label::Positive
    );
    assert_eq!(harness.state().session.similar.counts(), (1, 0));

    harness.get_by_label("Find similar").click();
    step_until(&mut harness, Duration::from_secs(30), "candidates", |app| {
        !app.session.similar.candidates.is_empty()
    });
    let dataset = harness.state().session.dataset.clone().unwrap();
    let candidates = harness.state().session.similar.candidates.clone();
    assert_eq!(candidates.len(), 25, "the default k");
    harness.run_steps(2);
    // Every control of the panel (strategy, count, candidate rows with their pictures and
    // buttons) has an accessible name.
    harness.check_accessibility();
    // The candidates are the brute-force cosine top 25 of the unlabelled rows.
    let mut expected: Vec<(usize, f64)> = (0..ROWS)
        .filter(|&r| r != query)
        .map(|r| (r, cosine(dataset.row(query), dataset.row(r))))
        .collect();
    expected.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    for (candidate, (row, score)) in candidates.iter().zip(&expected) {
        assert_eq!(candidate.row, *row);
        assert!((f64::from(candidate.score) - score).abs() < 1e-4);
    }

    // Judge with one key each: select the first candidate, P accepts it and moves on to the
    // second, N rejects that one.
    let (first, second) = (candidates[0].row, candidates[1].row);
    harness
        .get_by_label(&format!("#1 row {first} · {:.3}", candidates[0].score))
        .click();
    harness.run_steps(2);
    assert_eq!(harness.state().session.selected, Some(first));
    press(&mut harness, egui::Key::P);
    let state = &harness.state().session;
    assert_eq!(state.similar.label(first), Label::Positive);
    assert_eq!(
        state.selected,
        Some(second),
        "the next candidate is selected"
    );
    assert_eq!(state.similar.candidates.len(), 24);
    press(&mut harness, egui::Key::N);
    assert_eq!(
        harness.state().session.similar.label(second),
        Label::Negative
    );
    assert_eq!(harness.state().session.similar.counts(), (2, 1));

    // The heat map: every row scored, the threshold selects exactly the rows above it.
    harness
        .state_mut()
        .queue(Command::ColourBySource(ColourSource::SimilarityScore));
    step_until(&mut harness, Duration::from_secs(30), "scores", |app| {
        app.session.similar.scores.is_some()
    });
    let scores = harness.state().session.similar.scores.clone().unwrap();
    assert_eq!(scores.len(), ROWS);
    assert!(scores.iter().all(|s| s.is_finite()));
    let threshold = 0.8;
    harness.state_mut().queue(Command::SelectByScore(threshold));
    harness.run_steps(2);
    let selected = harness.state().session.selection.current.clone().unwrap();
    let above: Vec<usize> = (0..ROWS).filter(|&r| scores[r] >= threshold).collect();
    assert_eq!(selected.to_indices(), above);

    // The labels are a column of the export: "positive", "negative" or empty.
    let out = cache.path().join("layout.csv");
    harness
        .state_mut()
        .queue(Command::ExportLayout(out.clone()));
    step_until(&mut harness, Duration::from_secs(30), "the export", |app| {
        app.session.export.is_none() && out.exists()
    });
    let text = std::fs::read_to_string(&out).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let column = header
        .iter()
        .position(|&c| c == loupe_app::app::LABEL_COLUMN)
        .expect("a label column");
    let values: Vec<String> = text
        .lines()
        .skip(1)
        .map(|line| line.split(',').nth(column).unwrap_or("").to_owned())
        .collect();
    assert_eq!(values.len(), ROWS);
    assert_eq!(values[query], "positive");
    assert_eq!(values[first], "positive");
    assert_eq!(values[second], "negative");
    assert_eq!(values.iter().filter(|v| !v.is_empty()).count(), 3);
    assert!(header.contains(&loupe_app::app::SCORE_COLUMN));
    drop(harness);

    // Reopening the same data in a new app brings the labels back.
    let harness = demo_app(cache.path());
    let similar = &harness.state().session.similar;
    assert_eq!(similar.counts(), (2, 1));
    assert_eq!(similar.label(first), Label::Positive);
    assert_eq!(similar.label(second), Label::Negative);
}

#[test]
fn simulate_a_class_in_the_app_and_open_a_cli_result() {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 1400.0))
        .build_eframe(|cc| LoupeApp::new(cc, None, false));
    harness
        .state_mut()
        .queue(Command::Open(DataSource::Demo { limit: Some(ROWS) }));
    step_until(&mut harness, Duration::from_mins(1), "the demo", |app| {
        app.session.n_rows() == ROWS
    });
    {
        let simulation = &mut harness.state_mut().session.simulation;
        simulation.column = "label".to_owned();
        simulation.positive = "3".to_owned();
        simulation.strategies = [true, true, false, false, false];
        simulation.runs = 2;
    }
    harness
        .get_by_label("Simulate: which strategy finds a class fastest?")
        .click();
    harness.run_steps(2);
    harness.get_by_label("Run simulation").click();
    step_until(
        &mut harness,
        Duration::from_mins(1),
        "the simulation",
        |app| app.session.simulation.result.is_some(),
    );
    harness.run_steps(2);
    let experiment = harness.state().session.simulation.result.clone().unwrap();
    assert_eq!(experiment.curves.len(), 4, "2 strategies × 2 runs");
    assert!(experiment.positives > 0 && experiment.positives < ROWS);
    for curve in &experiment.curves {
        assert!(
            curve.recall.windows(2).all(|w| w[1] >= w[0]),
            "recall never drops"
        );
        assert!(
            curve.final_recall() > 0.5,
            "{}: {:?}",
            curve.strategy,
            curve.recall
        );
    }
    // The plot window is open with its summary.
    harness.get_by_label("Recall per iteration");
    harness.get_by_label("final recall");

    // What `loupe simulate` writes opens in the same view.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("recall.csv");
    loupe_app::simulate::files::write_recall_csv(&csv, &experiment).unwrap();
    let source = loupe_app::simulate::files::Source {
        input: "demo".to_owned(),
        label_column: "label".to_owned(),
        positive: "3".to_owned(),
    };
    loupe_app::simulate::files::write_params_csv(
        &dir.path().join("params.csv"),
        &experiment,
        &source,
    )
    .unwrap();
    harness.state_mut().session.simulation.result = None;
    harness
        .state_mut()
        .queue(Command::OpenSimulation(dir.path().to_path_buf()));
    harness.run_steps(2);
    let opened = harness.state().session.simulation.result.clone().unwrap();
    assert_eq!(opened.curves.len(), experiment.curves.len());
    for (a, b) in opened.curves.iter().zip(&experiment.curves) {
        assert_eq!((&a.strategy, a.run), (&b.strategy, b.run));
        assert_eq!(a.recall.len(), b.recall.len());
        assert!(
            a.recall
                .iter()
                .zip(&b.recall)
                .all(|(x, y)| (x - y).abs() < 1e-6)
        );
    }

    // A value no row has is a clear error, not a run.
    harness.state_mut().session.simulation.positive = "cat".to_owned();
    harness.state_mut().queue(Command::RunSimulation);
    harness.run_steps(2);
    let error = harness.state().session.error.clone().unwrap_or_default();
    assert!(error.contains("cat"), "{error}");
}
