//! End-to-end: the inspector's chip of a geo row, driven headless with `egui_kittest` against a
//! local tile server — the chip and its attribution appear, a newer click supersedes a slow
//! request, a failing server becomes one line — and the vector of a non-geo row as a picture
//! or a line plot.

#[path = "support/chip_server.rs"]
mod chip_server;
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chip_server::{Answer, ChipServer, files_under, tile_png, tile_xyz};
use common::step_until;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use loupe_app::app::{Command, DataSource, LoupeApp, VectorView};
use loupe_app::cli::ImageryArgs;
use loupe_app::imagery::ImagerySettings;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/03WVN_20220610_20220610_v001.gpq")
}

/// The app without t-SNE, its dataset cache in `scratch`, chips from `server`'s tiles into
/// `chip_cache`, with the Clay fixture open.
fn clay_app(server: &ChipServer, scratch: &Path, chip_cache: &Path) -> Harness<'static, LoupeApp> {
    let mut builder = Harness::builder().with_size(egui::vec2(1280.0, 900.0));
    if loupe_render::testing::request_test_device().is_some() {
        builder = builder.wgpu();
    }
    let mut harness = builder.build_eframe(|cc| LoupeApp::new(cc, None, false));
    let args = ImageryArgs {
        tile_url: Some(format!("{}/tiles/{{z}}/{{x}}/{{y}}.png", server.url())),
        ..ImageryArgs::default()
    };
    let settings =
        ImagerySettings::from_args(&args, Some(chip_cache.to_path_buf())).expect("valid flags");
    let app = harness.state_mut();
    app.session.cache_policy = loupe_ingest::CachePolicy::Dir(scratch.to_path_buf());
    app.inspector.chips.configure(settings);
    app.queue(Command::Open(DataSource::File {
        path: fixture(),
        read: loupe_data::ReadOptions::default(),
    }));
    step_until(&mut harness, Duration::from_mins(1), "the fixture", |app| {
        app.session.loading.is_none() && app.session.dataset.is_some()
    });
    assert_eq!(harness.state().session.n_rows(), 417);
    harness
}

/// A token-shaped value that must only ever travel in a request's query string.
const TOKEN: &str = "pk.loupeAppSecret456.defUVW";

fn shown_row(app: &LoupeApp) -> Option<usize> {
    app.inspector.chips.shown().map(|c| c.row)
}

#[test]
fn a_geo_row_shows_its_chip_and_a_newer_click_supersedes_a_slow_one() {
    // While `slow` is set every tile takes 1.5 s, long enough to click elsewhere meanwhile.
    let slow = Arc::new(AtomicBool::new(true));
    let server_slow = Arc::clone(&slow);
    let server = ChipServer::start(move |target| match tile_xyz(target) {
        Some((_, x, y)) => {
            let answer = Answer::png(tile_png(x, y));
            if server_slow.load(Ordering::SeqCst) {
                answer.after(Duration::from_millis(1500))
            } else {
                answer
            }
        }
        None => Answer::status(404, "no such tile"),
    });
    let (scratch, chips) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut harness = clay_app(&server, scratch.path(), chips.path());

    // Row 0 while the server is slow: its tiles are in flight...
    harness.state_mut().queue(Command::Select(Some(0)));
    step_until(
        &mut harness,
        Duration::from_secs(10),
        "row 0's tiles",
        |app| app.inspector.chips.pending_row() == Some(0) && !server.requests().is_empty(),
    );
    harness.get_by_label("fetching the chip of row 0…");
    // ... when row 1 is clicked, with a fast server.
    slow.store(false, Ordering::SeqCst);
    harness.state_mut().queue(Command::Select(Some(1)));
    step_until(
        &mut harness,
        Duration::from_secs(30),
        "row 1's chip",
        |app| shown_row(app) == Some(1),
    );
    assert_eq!(harness.state().inspector.chips.request_counts(), (2, 1));
    // Row 0's answers arrive after that and change nothing: it was cancelled, never cached.
    let settle = Instant::now() + Duration::from_secs(2);
    while Instant::now() < settle {
        harness.step();
        assert_eq!(shown_row(harness.state()), Some(1));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(files_under(chips.path()).len(), 1, "only row 1 was cached");

    let app = harness.state();
    let chip = app.inspector.chips.shown().expect("a chip");
    assert_eq!(chip.size, [512, 512]);
    assert!(!chip.from_cache);
    assert!(
        chip.attribution.starts_with("Tiles: 127.0.0.1:"),
        "{}",
        chip.attribution
    );
    eprintln!(
        "row 1: decoded in {:?}, {:?} from click to texture",
        chip.decode_time, chip.total_time
    );
    let attribution = chip.attribution.clone();
    harness.get_by_label(&attribution);

    // Back to row 0: fetched fresh now, and its metadata is listed under the chip.
    harness.state_mut().queue(Command::Select(Some(0)));
    step_until(
        &mut harness,
        Duration::from_secs(30),
        "row 0's chip",
        |app| shown_row(app) == Some(0),
    );
    harness.get_by_label("source_url");
    assert_eq!(files_under(chips.path()).len(), 2);

    // The Imagery section opens, and all its inputs have names.
    harness.get_by_label("Imagery").click();
    harness.run_steps(3);
    harness.get_by_label("tile URL template");
    harness.check_accessibility();

    // A bigger chip: the settings change fetches the selected row again at the new size.
    harness
        .state_mut()
        .inspector
        .chips
        .edit_settings(|s| s.size_px = 1280);
    step_until(
        &mut harness,
        Duration::from_secs(30),
        "the 1280 px chip",
        |app| {
            app.inspector
                .chips
                .shown()
                .is_some_and(|c| c.row == 0 && c.size == [1280, 1280])
        },
    );
    let chip = harness.state().inspector.chips.shown().expect("a chip");
    eprintln!(
        "row 0 at 1280 px: decoded in {:?}, {:?} from the settings change to texture",
        chip.decode_time, chip.total_time
    );
    if let Ok(image) = harness.render() {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("app_chips.png");
        image.save(&out).expect("save snapshot");
        eprintln!("snapshot written to {}", out.display());
    }
}

#[test]
fn a_failing_server_becomes_one_line_in_the_panel() {
    let server = ChipServer::start(|_| Answer::status(403, "{\"message\":\"Forbidden\"}"));
    let (scratch, chips) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut harness = clay_app(&server, scratch.path(), chips.path());
    harness.state_mut().queue(Command::Select(Some(5)));
    step_until(&mut harness, Duration::from_secs(30), "the error", |app| {
        app.inspector.chips.error().is_some()
    });
    let error = harness.state().inspector.chips.error().unwrap().to_owned();
    assert!(error.starts_with("forbidden (403)"), "{error}");
    assert_eq!(error.lines().count(), 1);
    harness.get_by_label(&error);
    assert!(files_under(chips.path()).is_empty());
    assert!(harness.state().inspector.chips.shown().is_none());
}

#[test]
fn a_digit_is_a_picture_until_the_image_view_is_turned_off_then_a_line_plot() {
    let mut builder = Harness::builder().with_size(egui::vec2(1280.0, 800.0));
    if loupe_render::testing::request_test_device().is_some() {
        builder = builder.wgpu();
    }
    let mut harness = builder
        .build_eframe(|cc| LoupeApp::new(cc, Some(DataSource::Demo { limit: Some(200) }), false));
    step_until(&mut harness, Duration::from_mins(1), "the demo", |app| {
        app.session.dataset.is_some()
    });
    harness.state_mut().queue(Command::Select(Some(3)));
    step_until(&mut harness, Duration::from_secs(10), "the digit", |app| {
        app.inspector.vector.drawn.is_some()
    });
    let app = harness.state_mut();
    assert_eq!(
        app.inspector.vector.drawn,
        Some(VectorView::Image([28, 28]))
    );
    let dataset = app.session.dataset.clone().unwrap();
    assert!(
        !app.inspector.chips.is_geo(&dataset),
        "no geometry, no chip"
    );
    assert!(app.inspector.chips.error().is_none());
    harness.check_accessibility();

    harness.get_by_label("view vector as image").click();
    harness.run_steps(3);
    assert_eq!(
        harness.state().inspector.vector.drawn,
        Some(VectorView::Plot)
    );

    // Back on with a shape that does not fit 784: a warning, and still the plot.
    harness.get_by_label("view vector as image").click();
    harness.state_mut().inspector.vector.shape = [20, 30];
    harness.run_steps(3);
    assert_eq!(
        harness.state().inspector.vector.drawn,
        Some(VectorView::Plot)
    );
    harness.get_by_label("20 × 30 = 600 is not the dimension 784");
    harness.check_accessibility();
    harness.state_mut().inspector.vector.shape = [14, 56];
    harness.run_steps(3);
    assert_eq!(
        harness.state().inspector.vector.drawn,
        Some(VectorView::Image([14, 56]))
    );
}

#[test]
fn mapbox_chips_use_the_token_typed_in_the_password_field_without_showing_it() {
    // A stand-in for the Static Images API: 401 unless the query carries the token.
    let server = ChipServer::start(|target| {
        let authorised = target
            .split_once('?')
            .is_some_and(|(_, q)| q.split('&').any(|kv| kv == format!("access_token={TOKEN}")));
        if target.starts_with("/styles/v1/mapbox/satellite-streets-v12/static/") && authorised {
            Answer::png(tile_png(2, 3))
        } else {
            Answer::status(401, "{\"message\":\"Not Authorized - Invalid Token\"}")
        }
    });
    let (scratch, chips) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut harness = clay_app(&server, scratch.path(), chips.path());
    let args = ImageryArgs {
        provider: Some(loupe_app::cli::ProviderArg::Mapbox),
        mapbox_api: server.url(),
        ..ImageryArgs::default()
    };
    let mut settings =
        ImagerySettings::from_args(&args, Some(chips.path().to_path_buf())).expect("valid");
    settings.clear_env_token();
    harness.state_mut().inspector.chips.configure(settings);

    // Without a token: one line naming the variable, and no request.
    harness.state_mut().queue(Command::Select(Some(0)));
    step_until(&mut harness, Duration::from_secs(10), "the error", |app| {
        app.inspector.chips.error().is_some()
    });
    let error = harness.state().inspector.chips.error().unwrap().to_owned();
    assert!(error.contains("MAPBOX_token"), "{error}");
    assert!(server.requests().is_empty());

    // Typed into the Imagery section's password field, applied when it loses focus.
    harness.get_by_label("Imagery").click();
    harness.run_steps(2);
    harness.get_by_label("access token").focus();
    harness.run_steps(1);
    harness.get_by_label("access token").type_text(TOKEN);
    harness.run_steps(1);
    harness.key_press(egui::Key::Enter);
    step_until(
        &mut harness,
        Duration::from_secs(30),
        "the Mapbox chip",
        |app| shown_row(app) == Some(0),
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let (path, _) = requests[0].split_once('?').expect("a query");
    assert!(!path.contains(TOKEN));
    harness.get_by_label("© Mapbox © OpenStreetMap");

    // The field shows dots, and no text anywhere in the window holds the token.
    let field = harness.get_by_label("access token");
    assert_ne!(field.value().as_deref(), Some(TOKEN));
    assert!(
        harness
            .query_all_by_label_contains("loupeAppSecret")
            .next()
            .is_none()
    );
    let cached = files_under(chips.path());
    assert_eq!(cached.len(), 1);
    let bytes = std::fs::read(&cached[0]).unwrap();
    assert!(!bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()));
    assert!(!cached[0].display().to_string().contains("loupeAppSecret"));
}

#[test]
fn a_lasso_selection_of_geo_rows_shows_their_chips_as_thumbnails() {
    let server = ChipServer::start(|target| match tile_xyz(target) {
        Some((_, x, y)) => Answer::png(tile_png(x, y)),
        None => Answer::status(404, "no such tile"),
    });
    let (scratch, chips) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut harness = clay_app(&server, scratch.path(), chips.path());
    let rows = [3, 50, 120, 200, 416];
    harness.state_mut().queue(Command::SelectRows(
        loupe_core::Selection::from_indices(417, &rows).unwrap(),
        loupe_core::SelectionMode::Replace,
    ));
    step_until(
        &mut harness,
        Duration::from_mins(1),
        "the thumbnails",
        |app| app.inspector.thumbnails.ready() == rows.len(),
    );
    harness.run_steps(2);
    harness.get_by_label("Selection chips (5 of 5)");
    assert_eq!(
        files_under(chips.path()).len(),
        rows.len(),
        "each chip cached once"
    );
    // A new selection starts over; clearing it removes the grid.
    harness.state_mut().queue(Command::ClearSelection);
    harness.run_steps(2);
    assert_eq!(harness.state().inspector.thumbnails.ready(), 0);
}
