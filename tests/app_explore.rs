//! End-to-end: exploring a finished layout in the app driven headless — drag a lasso and a
//! box on the plot (with the modifier keys' modes), isolate and clear, keep a named
//! selection, and cluster with k-means into a column that colours the plot.

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use loupe_app::app::{
    ClusterSpace, ColourSource, Command, DataSource, LoupeApp, PlotTool, Structure,
};

mod common;
use common::step_until;

/// Presses the primary button at the first point, moves through the rest, releases at the
/// last, with `modifiers` held: what a user's drag sends.
fn drag(harness: &mut Harness<'_, LoupeApp>, path: &[egui::Pos2], modifiers: egui::Modifiers) {
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers,
    };
    harness.event(egui::Event::ModifiersChanged(modifiers));
    harness.event(egui::Event::PointerMoved(path[0]));
    harness.step();
    harness.event(button(path[0], true));
    harness.step();
    for &pos in &path[1..] {
        harness.event(egui::Event::PointerMoved(pos));
        harness.step();
    }
    harness.event(button(path[path.len() - 1], false));
    harness.step();
    harness.step();
    harness.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
    harness.step();
}

/// Points along a closed polygon's edges, a few per edge, as a mouse would report them.
fn along(corners: &[egui::Pos2]) -> Vec<egui::Pos2> {
    let mut path = Vec::new();
    for (i, &a) in corners.iter().enumerate() {
        let b = corners[(i + 1) % corners.len()];
        for step in 0..8 {
            path.push(a + (b - a) * (step as f32 / 8.0));
        }
    }
    path
}

/// Rows whose screen position lies strictly inside the axis-aligned rectangle.
fn rows_inside(app: &LoupeApp, rect: egui::Rect) -> Vec<usize> {
    (0..app.session.n_rows())
        .filter(|&row| {
            app.plot
                .screen_pos_of(&app.session, row)
                .is_some_and(|p| rect.contains(p))
        })
        .collect()
}

#[test]
fn lasso_box_isolate_and_kmeans_on_a_finished_layout() {
    // Tall enough that the side panel's Selection and Clusters sections need no scrolling.
    let mut builder = Harness::builder().with_size(egui::vec2(1280.0, 2000.0));
    if loupe_render::testing::request_test_device().is_some() {
        builder = builder.wgpu();
    }
    let n = 600;
    let mut harness = builder.build_eframe(|cc| LoupeApp::new(cc, None, true));
    {
        let app = harness.state_mut();
        app.session.params.early_exaggeration_iter = 50;
        app.session.params.iterations = 50;
        app.queue(Command::Open(DataSource::Demo { limit: Some(n) }));
    }
    step_until(&mut harness, Duration::from_mins(2), "the layout", |app| {
        common::run_finished(app)
    });
    harness.run_steps(3);

    // A lasso around the left half of the plot (drawn clear of the tool bar).
    harness.get_by_label("lasso").click();
    harness.step();
    assert_eq!(harness.state().plot.tool, PlotTool::Lasso);
    let plot = harness.state().plot.rect;
    let left = egui::Rect::from_min_max(
        plot.min + egui::vec2(20.0, 60.0),
        egui::pos2(plot.center().x, plot.max.y - 20.0),
    );
    let corners = [
        left.left_top(),
        left.right_top(),
        left.right_bottom(),
        left.left_bottom(),
    ];
    let expected_left = rows_inside(harness.state(), left);
    assert!(
        !expected_left.is_empty() && expected_left.len() < n,
        "the lasso should catch some points, not all: {}",
        expected_left.len()
    );
    drag(&mut harness, &along(&corners), egui::Modifiers::NONE);
    let selected = harness.state().session.selection.current.clone().unwrap();
    assert_eq!(selected.to_indices(), expected_left, "the lasso's rows");

    // Shift + box over the top band adds; Alt + box over it again subtracts.
    harness.get_by_label("box").click();
    harness.step();
    let band = egui::Rect::from_min_max(
        plot.min + egui::vec2(20.0, 60.0),
        egui::pos2(plot.max.x - 20.0, plot.min.y + 60.0 + plot.height() / 3.0),
    );
    let expected_band = rows_inside(harness.state(), band);
    drag(
        &mut harness,
        &[band.left_top(), band.center(), band.right_bottom()],
        egui::Modifiers::SHIFT,
    );
    let union: std::collections::BTreeSet<usize> = expected_left
        .iter()
        .chain(&expected_band)
        .copied()
        .collect();
    let selected = harness.state().session.selection.current.clone().unwrap();
    assert_eq!(selected.count(), union.len(), "Shift adds");
    drag(
        &mut harness,
        &[band.left_top(), band.center(), band.right_bottom()],
        egui::Modifiers::ALT,
    );
    let selected = harness.state().session.selection.current.clone().unwrap();
    let expected: Vec<usize> = expected_left
        .iter()
        .copied()
        .filter(|r| !expected_band.contains(r))
        .collect();
    assert_eq!(selected.to_indices(), expected, "Alt subtracts");
    harness.get_by_label(&format!("{} of {n} points selected", expected.len()));

    // Export the selection: the selected rows with x, y, as GeoJSON and CSV.
    let dir = tempfile::tempdir().unwrap();
    for name in ["selection.geojson", "selection.csv"] {
        let path = dir.path().join(name);
        harness.state_mut().session.selection.export_path = path.display().to_string();
        harness.run_steps(2);
        harness.get_by_label("Export selection").click();
        step_until(&mut harness, Duration::from_secs(30), "the export", |app| {
            app.session.export.is_none() && path.exists()
        });
        let text = std::fs::read_to_string(&path).unwrap();
        if name.ends_with(".geojson") {
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(json["type"], "FeatureCollection");
            assert_eq!(json["features"].as_array().unwrap().len(), expected.len());
        } else {
            assert_eq!(
                text.lines().count(),
                expected.len() + 1,
                "a header and the rows"
            );
        }
    }

    // Re-run t-SNE on the selection alone, then go back to the full layout as it was.
    let before = harness.state().session.positions().unwrap().clone();
    harness.get_by_label("Re-run t-SNE on selection").click();
    step_until(
        &mut harness,
        Duration::from_mins(1),
        "the sub-layout",
        |app| app.session.n_rows() == expected.len() && common::run_finished(app),
    );
    assert_eq!(harness.state().session.views.len(), 1);
    harness.state_mut().queue(Command::BackToParentView);
    harness.run_steps(3);
    let app = harness.state();
    assert_eq!(app.session.n_rows(), n);
    assert!(app.session.views.is_empty());
    assert_eq!(
        app.session.positions().unwrap(),
        &before,
        "the parent layout is back"
    );
    assert!(app.session.layout.is_some(), "and can still be refined");
    harness.state_mut().queue(Command::SelectRows(
        loupe_core::Selection::from_indices(n, &expected).unwrap(),
        loupe_core::SelectionMode::Replace,
    ));
    harness.run_steps(2);

    // Keep it, isolate it (hidden points are transparent), then clear with the button.
    harness.state_mut().session.selection.name_text = "left".to_owned();
    harness.run_steps(2);
    harness.get_by_label("Keep").click();
    harness.run_steps(2);
    harness.get_by_label("isolate").click();
    harness.run_steps(2);
    let app = harness.state();
    assert!(app.session.selection.isolated);
    let outside = (0..n).find(|r| !expected.contains(r)).unwrap();
    assert_eq!(app.session.colors[outside] >> 24, 0, "hidden when isolated");
    assert!(!app.session.is_visible(outside));
    assert_eq!(
        app.session
            .selection
            .named
            .get("left")
            .map(loupe_core::Selection::count),
        Some(expected.len())
    );
    harness.get_by_label("Clear").click();
    harness.run_steps(2);
    assert!(harness.state().session.selection.current.is_none());
    assert!(harness.state().session.is_visible(outside));

    // The legend: clicking "3 (count)" selects the threes; unticking its box hides them.
    let (threes, label_3) = {
        let categories = harness.state().session.categories.clone().unwrap();
        let code = categories.names.iter().position(|n| n == "3").unwrap();
        let rows: Vec<usize> = (0..n)
            .filter(|&r| categories.codes[r] == Some(code as u32))
            .collect();
        (rows, format!("3  ({})", categories.counts[code]))
    };
    harness.get_by_label(&label_3).click();
    harness.run_steps(2);
    assert_eq!(
        harness
            .state()
            .session
            .selection
            .current
            .as_ref()
            .unwrap()
            .to_indices(),
        threes
    );
    harness.state_mut().queue(Command::ToggleCategory(3));
    harness.run_steps(2);
    assert!(!harness.state().session.is_visible(threes[0]));
    assert_eq!(harness.state().session.hidden_categories(), vec![3]);
    harness.state_mut().queue(Command::RemoveFilter(0));
    harness.state_mut().queue(Command::ClearSelection);
    harness.run_steps(2);

    // A filter on the digit label keeping 0–4: filtered rows are greyed, never hovered or
    // selected, and a select-all picks exactly the passing rows.
    harness
        .state_mut()
        .queue(Command::AddFilter("label".to_owned()));
    harness.run_steps(2);
    {
        let app = harness.state_mut();
        let filter = &mut app.session.filters.filters[0];
        let loupe_app::app::FilterKind::Categories { names, keep, .. } = &mut filter.kind else {
            panic!("labels filter by category");
        };
        for (name, kept) in names.iter().zip(keep.iter_mut()) {
            *kept = name.parse::<u32>().is_ok_and(|d| d < 5);
        }
        app.queue(Command::FiltersChanged);
    }
    harness.run_steps(2);
    let app = harness.state();
    let labels = app
        .session
        .dataset
        .as_ref()
        .unwrap()
        .categories("label")
        .unwrap();
    let low: Vec<usize> = (0..n)
        .filter(|&r| {
            labels.codes[r].is_some_and(|c| labels.names[c as usize].parse::<u32>().unwrap() < 5)
        })
        .collect();
    let passing = app.session.filters.passing.clone().unwrap();
    assert_eq!(passing.to_indices(), low);
    let filtered_out = (0..n).find(|r| !low.contains(r)).unwrap();
    assert!(!app.session.is_visible(filtered_out));
    harness.state_mut().queue(Command::SelectRows(
        loupe_core::Selection::full(n),
        loupe_core::SelectionMode::Replace,
    ));
    harness.run_steps(2);
    assert_eq!(
        harness
            .state()
            .session
            .selection
            .current
            .as_ref()
            .unwrap()
            .count(),
        low.len()
    );
    harness.state_mut().queue(Command::RemoveFilter(0));
    harness.state_mut().queue(Command::ClearSelection);
    harness.run_steps(2);
    assert!(harness.state().session.filters.passing.is_none());

    // Structure colourings run in the background, then colour every point.
    for source in [
        ColourSource::Structure(Structure::PcaRgb),
        ColourSource::Structure(Structure::TrustMap),
        ColourSource::Numeric {
            column: "label".to_owned(),
            range: None,
        },
        ColourSource::Structure(Structure::ArgmaxStandardised),
    ] {
        harness
            .state_mut()
            .queue(Command::ColourBySource(source.clone()));
        step_until(
            &mut harness,
            Duration::from_mins(1),
            "the colouring",
            |app| app.session.colouring.job.is_none() && app.session.colouring.painted.is_some(),
        );
        let app = harness.state();
        assert_eq!(app.session.colouring.source.as_ref(), Some(&source));
        let distinct: std::collections::BTreeSet<u32> =
            app.session.colors.iter().copied().collect();
        assert!(distinct.len() > 5, "{source:?} paints structure");
        let sequential = matches!(
            source,
            ColourSource::Numeric { .. } | ColourSource::Structure(Structure::TrustMap)
        );
        assert_eq!(
            app.session
                .colouring
                .painted
                .as_ref()
                .unwrap()
                .bar
                .is_some(),
            sequential
        );
    }
    assert!(
        harness.state().session.categories.is_some(),
        "argmax colourings come with a legend"
    );

    // k-means with k = 10 on the layout: a column that colours the plot; exemplars marked.
    harness
        .state_mut()
        .queue(Command::KMeans(ClusterSpace::Layout, 10));
    step_until(&mut harness, Duration::from_mins(1), "k-means", |app| {
        app.session.clusters.job.is_none()
            && app.session.color_by.as_deref() == Some("kmeans_2d_10")
    });
    let app = harness.state();
    let dataset = app.session.dataset.as_ref().unwrap();
    assert!(dataset.column_names().contains(&"kmeans_2d_10".to_owned()));
    let categories = app.session.categories.as_ref().unwrap();
    assert_eq!(categories.names.len(), 10);
    assert_eq!(categories.counts.iter().sum::<usize>(), n);
    assert_eq!(app.session.clusters.exemplars.len(), 10);

    // The elbow curve: inertia for each k, falling from the smallest k to the largest.
    harness
        .state_mut()
        .queue(Command::Elbow(ClusterSpace::Layout));
    step_until(
        &mut harness,
        Duration::from_mins(1),
        "the elbow curve",
        |app| app.session.clusters.job.is_none() && app.session.clusters.elbow.is_some(),
    );
    harness.run_steps(2);
    let elbow = harness.state().session.clusters.elbow.clone().unwrap();
    assert_eq!(elbow.len(), 12);
    assert!(elbow[0].inertia > elbow[11].inertia, "{elbow:?}");

    // k = 100 exceeds the categorical limit of ordinary columns but still colours.
    harness
        .state_mut()
        .queue(Command::KMeans(ClusterSpace::Vectors, 100));
    step_until(
        &mut harness,
        Duration::from_mins(1),
        "k-means on vectors",
        |app| {
            app.session.clusters.job.is_none()
                && app.session.color_by.as_deref() == Some("kmeans_hd_100")
        },
    );
    assert_eq!(
        harness
            .state()
            .session
            .categories
            .as_ref()
            .unwrap()
            .names
            .len(),
        100
    );
}

#[test]
fn pin_a_layout_and_compare_two_seeds_with_linked_hover_and_selection() {
    let mut builder = Harness::builder().with_size(egui::vec2(1400.0, 1000.0));
    if loupe_render::testing::request_test_device().is_some() {
        builder = builder.wgpu();
    }
    let n = 400;
    let mut harness = builder.build_eframe(|cc| LoupeApp::new(cc, None, true));
    {
        let app = harness.state_mut();
        app.session.params.early_exaggeration_iter = 40;
        app.session.params.iterations = 40;
        app.session.params.seed = 5;
        app.queue(Command::Open(DataSource::Demo { limit: Some(n) }));
    }
    step_until(&mut harness, Duration::from_mins(2), "the layout", |app| {
        common::run_finished(app)
    });
    let first = harness.state().session.positions().unwrap().clone();

    // Pin it and run the next seed beside it.
    harness.get_by_label("Pin + next seed").click();
    harness.run_steps(2);
    assert_eq!(harness.state().session.params.seed, 6);
    step_until(
        &mut harness,
        Duration::from_mins(2),
        "the second layout",
        |app| {
            common::run_finished(app)
                && app
                    .session
                    .snapshot
                    .as_ref()
                    .is_some_and(|s| s.iteration == 80)
        },
    );
    harness.run_steps(3);
    let app = harness.state();
    let pinned = app.session.comparison.as_ref().expect("a pinned layout");
    assert_eq!(
        *pinned.positions, *first,
        "the pinned plot keeps the first layout"
    );
    assert!(pinned.title.contains("seed 5"), "{}", pinned.title);
    let second = app.session.positions().unwrap().clone();
    assert_ne!(*second, *first, "another seed, another layout");
    assert!(
        app.compare_plot.rect.min.x >= app.plot.rect.max.x,
        "side by side: {:?} then {:?}",
        app.plot.rect,
        app.compare_plot.rect
    );

    // Hover a point on the pinned plot: the same row is hovered (ringed on both plots).
    common::wait_for_pick_index(&mut harness);
    let row = (0..n)
        .max_by(|&a, &b| {
            // A point far from the others on the pinned plot, so the pick is unambiguous.
            let isolation = |r: usize| {
                (0..n)
                    .filter(|&o| o != r)
                    .map(|o| {
                        let dx = first[2 * r] - first[2 * o];
                        let dy = first[2 * r + 1] - first[2 * o + 1];
                        dx * dx + dy * dy
                    })
                    .fold(f32::INFINITY, f32::min)
            };
            isolation(a).total_cmp(&isolation(b))
        })
        .unwrap();
    let at = harness
        .state()
        .compare_plot
        .screen_pos_of(&harness.state().session, row)
        .unwrap();
    harness.event(egui::Event::PointerMoved(at));
    harness.run_steps(2);
    assert_eq!(harness.state().session.hovered, Some(row));
    assert!(harness.state().compare_plot.rect.contains(at));

    // A box on the pinned plot selects by the pinned positions.
    harness.state_mut().compare_plot.tool = PlotTool::Box;
    let rect = harness.state().compare_plot.rect;
    let band = egui::Rect::from_min_max(
        rect.min + egui::vec2(20.0, 80.0),
        egui::pos2(rect.center().x, rect.max.y - 20.0),
    );
    let expected: Vec<usize> = (0..n)
        .filter(|&r| {
            harness
                .state()
                .compare_plot
                .screen_pos_of(&harness.state().session, r)
                .is_some_and(|p| band.contains(p))
        })
        .collect();
    assert!(!expected.is_empty() && expected.len() < n);
    drag(
        &mut harness,
        &[band.left_top(), band.center(), band.right_bottom()],
        egui::Modifiers::NONE,
    );
    let selected = harness.state().session.selection.current.clone().unwrap();
    assert_eq!(selected.to_indices(), expected);

    harness.get_by_label("close").click();
    harness.run_steps(2);
    assert!(harness.state().session.comparison.is_none());
}
