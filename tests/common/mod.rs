//! Helpers shared by the app's headless tests.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use loupe_app::app::LoupeApp;

/// Steps the harness until `done` holds, failing after `timeout`.
pub fn step_until(
    harness: &mut Harness<'_, LoupeApp>,
    timeout: Duration,
    what: &str,
    mut done: impl FnMut(&mut LoupeApp) -> bool,
) {
    let deadline = Instant::now() + timeout;
    loop {
        harness.step();
        if done(harness.state_mut()) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether the app's t-SNE run has ended with a finished layout.
#[allow(
    dead_code,
    reason = "each test binary includes this module; not all of them use it"
)]
pub fn run_finished(app: &LoupeApp) -> bool {
    !app.session.is_running()
        && app
            .session
            .snapshot
            .as_ref()
            .is_some_and(|s| s.status == loupe_tsne::RunStatus::Finished)
}

/// Steps until the pick index (hover and click) covers the layout shown now.
#[allow(
    dead_code,
    reason = "each test binary includes this module; not all of them use it"
)]
pub fn wait_for_pick_index(harness: &mut Harness<'_, LoupeApp>) {
    step_until(harness, Duration::from_secs(20), "the pick index", |app| {
        let generation = app.session.positions_generation;
        app.session.pick_index_generation() == Some(generation)
    });
}
