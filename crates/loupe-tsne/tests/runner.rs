//! The background runner: snapshots, phases, pause/resume/cancel.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use loupe_tsne::{RunStatus, Snapshot, TsneError, TsneParams, TsneRun, spawn_run};

/// Clustered random data: 10 Gaussian blobs in 20-D.
fn blobs(n: usize, dim: usize) -> Arc<[f32]> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f32 / (1_u64 << 53) as f32
    };
    (0..n)
        .flat_map(|i| (0..dim).map(move |d| u8::from(i % 10 == d % 10)))
        .map(|centre| f32::from(centre) * 4.0 + uniform())
        .collect()
}

fn wait_for(run: &TsneRun, what: &str, cond: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
    let deadline = Instant::now() + Duration::from_mins(1);
    loop {
        if let Some(s) = run.latest().filter(|s| cond(s)) {
            return s;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn long_params(n: usize) -> loupe_tsne::ValidTsneParams {
    TsneParams {
        early_exaggeration_iter: 100,
        n_iter: 100_000,
        perplexity: 10.0,
        ..TsneParams::default()
    }
    .validate(n)
    .expect("valid parameters")
}

#[test]
fn snapshots_phases_pause_resume_and_cancel() {
    let n = 1_500;
    let updates = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&updates);
    let run = spawn_run(
        blobs(n, 20),
        20,
        long_params(n),
        Box::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .expect("spawn");

    // Snapshots: generations strictly increase, iterations never go back, and each phase
    // reports its own exaggeration.
    let mut last: Option<Arc<Snapshot>> = None;
    let deadline = Instant::now() + Duration::from_mins(1);
    while last.as_ref().is_none_or(|s| s.iteration < 130) {
        assert!(Instant::now() < deadline, "run too slow");
        if let Some(s) = run.latest() {
            if let Some(prev) = &last {
                assert!(s.generation >= prev.generation);
                assert!(s.iteration >= prev.iteration, "iterations went back");
            }
            if s.status == RunStatus::Running && s.iteration > 0 {
                let (phase, exaggeration) = if s.iteration <= 100 {
                    (0, 12.0)
                } else {
                    (1, 1.0)
                };
                assert_eq!(
                    (s.phase_index, s.exaggeration),
                    (phase, exaggeration),
                    "{s:?}"
                );
                assert_eq!(s.positions.len(), 2 * n);
                assert_eq!(s.total_iterations, 100_100);
            }
            last = Some(s);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(
        updates.load(Ordering::SeqCst) >= 130,
        "on_update after every iteration"
    );

    // Pause: within an iteration the counter stops.
    run.pause();
    assert!(run.is_paused());
    let paused = wait_for(&run, "pause", |s| s.status == RunStatus::Paused);
    std::thread::sleep(Duration::from_millis(200));
    let still = run.latest().expect("snapshot");
    assert_eq!(still.iteration, paused.iteration, "iterated while paused");
    assert_eq!(still.generation, paused.generation);

    // Resume continues from there.
    run.resume();
    wait_for(&run, "progress after resume", |s| {
        s.iteration > paused.iteration + 5
    });

    // Cancel ends the thread promptly and keeps a finite layout.
    let asked = Instant::now();
    run.cancel();
    let last = run.join().expect("join").expect("final snapshot");
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "cancel took {:?}",
        asked.elapsed()
    );
    assert_eq!(last.status, RunStatus::Cancelled);
    assert_eq!(last.positions.len(), 2 * n);
    assert!(last.positions.iter().all(|v| v.is_finite()));
    assert!(last.iteration > paused.iteration);
}

#[test]
fn a_short_run_finishes_with_kl() {
    let n = 300;
    let params = TsneParams {
        early_exaggeration_iter: 50,
        n_iter: 50,
        perplexity: 10.0,
        ..TsneParams::default()
    }
    .validate(n)
    .expect("valid parameters");
    let run = spawn_run(blobs(n, 20), 20, params, Box::new(|| {})).expect("spawn");
    wait_for(&run, "the end", |s| s.status == RunStatus::Finished);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !run.is_finished() {
        assert!(Instant::now() < deadline, "thread did not end");
        std::thread::sleep(Duration::from_millis(1));
    }
    let last = run.join().expect("join").expect("final snapshot");
    assert_eq!(last.status, RunStatus::Finished);
    assert_eq!((last.iteration, last.total_iterations), (100, 100));
    assert_eq!(last.phase_name, "embedding");
    let (at, kl) = last.kl.expect("KL at the end");
    assert_eq!(at, 100);
    assert!(kl.is_finite() && kl > 0.0);
    assert!(last.iterations_per_s > 0.0);
}

#[test]
fn preparation_is_published_and_cancellable() {
    let n = 2_000;
    let run = spawn_run(blobs(n, 20), 20, long_params(n), Box::new(|| {})).expect("spawn");
    run.cancel();
    let last = run.join().expect("join").expect("final snapshot");
    assert_eq!(last.status, RunStatus::Cancelled);
    assert!(last.positions.iter().all(|v| v.is_finite()));
}

#[test]
fn mismatched_input_is_rejected_before_starting() {
    let params = TsneParams::default().validate(100).expect("valid");
    let err = spawn_run(Arc::from(vec![0.0_f32; 99 * 3]), 3, params, Box::new(|| {}));
    assert!(matches!(
        err,
        Err(TsneError::InputShape {
            len: 297,
            n_points: 100,
            dim: 3
        })
    ));
}

#[test]
fn dropping_the_handle_cancels_the_run() {
    let n = 500;
    let updates = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&updates);
    let run = spawn_run(
        blobs(n, 20),
        20,
        long_params(n),
        Box::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .expect("spawn");
    wait_for(&run, "first iterations", |s| s.iteration > 3);
    drop(run);
    std::thread::sleep(Duration::from_millis(100));
    let after_drop = updates.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        updates.load(Ordering::SeqCst),
        after_drop,
        "still iterating"
    );
}
