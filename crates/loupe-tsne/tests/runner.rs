//! The background runner: snapshots, phases, pause/resume/cancel.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use loupe_tsne::{RunStatus, Snapshot, TsneError, TsneParams, TsneRun, VectorBuffer, spawn_run};

/// Clustered random data: 10 Gaussian blobs in 20-D.
fn blobs(n: usize, dim: usize) -> VectorBuffer {
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
    let mut seen = 0;
    let deadline = Instant::now() + Duration::from_mins(1);
    while last.as_ref().is_none_or(|s| s.iteration < 130) {
        assert!(Instant::now() < deadline, "run too slow");
        if let Some(s) = run.latest() {
            if let Some(prev) = &last {
                assert!(s.generation >= prev.generation);
                assert!(s.iteration >= prev.iteration, "iterations went back");
                seen += usize::from(s.generation != prev.generation);
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
    // A watched run publishes (and calls on_update) again after every look, so a reader
    // polling every millisecond sees many of the iterations.
    assert!(seen >= 20, "only {seen} new snapshots while watching");
    assert!(
        updates.load(Ordering::SeqCst) >= seen,
        "on_update after every snapshot"
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
    let err = spawn_run(
        VectorBuffer::from(vec![0.0_f32; 99 * 3]),
        3,
        params,
        Box::new(|| {}),
    );
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

fn short_params(n: usize) -> loupe_tsne::ValidTsneParams {
    TsneParams {
        early_exaggeration_iter: 50,
        n_iter: 50,
        perplexity: 10.0,
        ..TsneParams::default()
    }
    .validate(n)
    .expect("valid parameters")
}

#[test]
fn an_unwatched_run_copies_positions_only_when_something_changes() {
    let n = 300;
    let updates = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&updates);
    let run = spawn_run(
        blobs(n, 20),
        20,
        short_params(n),
        Box::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .expect("spawn");
    // Nobody peeks: preparation stages, the first iteration, the phase change and the end
    // are published, not each of the 100 iterations.
    let last = run.join().expect("join").expect("final snapshot");
    assert_eq!(last.iteration, 100);
    assert_eq!(last.status, RunStatus::Finished);
    let published = updates.load(Ordering::SeqCst);
    assert!(published < 15, "{published} snapshots for an unwatched run");
    assert_eq!(last.generation as usize, published);
}

#[test]
fn refine_continues_a_finished_layout_where_it_stopped() {
    let n = 300;
    let run = spawn_run(blobs(n, 20), 20, short_params(n), Box::new(|| {})).expect("spawn");
    let (last, layout) = run.join_layout().expect("join");
    let (last, layout) = (
        last.expect("snapshot"),
        layout.expect("a finished run has a layout"),
    );
    assert_eq!(layout.engine.iteration(), 100);
    let rate = layout.engine.phases()[1].learning_rate;
    let phases = vec![loupe_tsne::Phase {
        name: "refine".to_owned(),
        n_iter: 40,
        exaggeration: 4.0,
        momentum: 0.5,
        learning_rate: rate,
    }];
    let refine = loupe_tsne::spawn_refine(layout, phases, Box::new(|| {})).expect("spawn");
    // Its first snapshot starts from the finished layout, not from a new initialisation.
    let first = wait_for(&refine, "the refine's first snapshot", |_| true);
    assert!(
        first.iteration >= 100,
        "iterations continue: {}",
        first.iteration
    );
    let (refined, layout) = refine.join_layout().expect("join");
    let refined = refined.expect("snapshot");
    assert_eq!(refined.status, RunStatus::Finished);
    assert_eq!((refined.iteration, refined.total_iterations), (140, 140));
    assert_eq!(refined.phase_name, "refine");
    assert!((refined.exaggeration - 4.0).abs() < 1e-12);
    assert_ne!(refined.positions, last.positions, "refining moved nothing");
    assert!(refined.positions.iter().all(|v| v.is_finite()));
    assert_eq!(layout.expect("layout again").engine.iteration(), 140);
}

#[test]
fn transform_run_keeps_the_reference_and_places_new_rows_by_their_blob() {
    let (n, m, dim) = (400, 60, 20);
    let data = blobs(n + m, dim);
    let reference = data.slice(0, n * dim);
    let new_rows = data.slice(n * dim, m * dim);
    let run = spawn_run(reference, dim, short_params(n), Box::new(|| {})).expect("spawn");
    let (last, layout) = run.join_layout().expect("join");
    let (last, layout) = (last.expect("snapshot"), layout.expect("layout"));
    let params = loupe_tsne::TransformParams {
        n_iter: 60,
        ..loupe_tsne::TransformParams::default()
    };
    let transform =
        loupe_tsne::spawn_transform(&layout, new_rows, &params, Box::new(|| {})).expect("spawn");
    let (placed, none) = transform.join_layout().expect("join");
    assert!(none.is_none(), "a transform does not make a new reference");
    let placed = placed.expect("snapshot");
    assert_eq!(placed.status, RunStatus::Finished);
    assert_eq!(placed.positions.len(), 2 * (n + m));
    assert_eq!(
        placed.positions[..2 * n],
        last.positions[..],
        "the reference moved"
    );
    // Row i belongs to blob i % 10: each new point's nearest reference point is in its blob.
    let hits = (0..m)
        .filter(|&j| {
            let p = &placed.positions[2 * (n + j)..2 * (n + j) + 2];
            let nearest = (0..n)
                .min_by(|&a, &b| {
                    let d = |i: usize| {
                        (last.positions[2 * i] - p[0]).powi(2)
                            + (last.positions[2 * i + 1] - p[1]).powi(2)
                    };
                    d(a).total_cmp(&d(b))
                })
                .expect("reference points");
            nearest % 10 == (n + j) % 10
        })
        .count();
    assert!(
        hits >= m * 9 / 10,
        "{hits} of {m} new rows next to their blob"
    );
    // Rows of the wrong width are refused before a thread starts.
    let wrong = loupe_tsne::spawn_transform(
        &layout,
        VectorBuffer::from(vec![0.0_f32; 7]),
        &loupe_tsne::TransformParams::default(),
        Box::new(|| {}),
    );
    assert!(matches!(wrong, Err(TsneError::InputShape { .. })));
}

#[test]
fn a_cancelled_run_still_hands_back_its_layout() {
    let n = 500;
    let run = spawn_run(blobs(n, 20), 20, long_params(n), Box::new(|| {})).expect("spawn");
    wait_for(&run, "some iterations", |s| s.iteration > 5);
    run.cancel();
    let (last, layout) = run.join_layout().expect("join");
    let last = last.expect("snapshot");
    assert_eq!(last.status, RunStatus::Cancelled);
    let layout = layout.expect("layout");
    assert_eq!(layout.engine.iteration(), last.iteration);
    assert_eq!(layout.space.n_points(), n);
}

#[test]
fn an_observer_sees_every_iteration_and_the_final_layout() {
    let n = 300;
    let run = spawn_run(blobs(n, 20), 20, short_params(n), Box::new(|| {})).expect("spawn");
    let seen = Arc::new(std::sync::Mutex::new(Vec::<(usize, Vec<f32>)>::new()));
    let sink = Arc::clone(&seen);
    run.observe(Some(Box::new(move |iteration, positions| {
        sink.lock()
            .expect("lock")
            .push((iteration, positions.to_vec()));
    })));
    let last = run.join().expect("join").expect("snapshot");
    let seen = seen.lock().expect("lock");
    let iterations: Vec<usize> = seen.iter().map(|(i, _)| *i).collect();
    assert_eq!(
        iterations,
        (1..=100).collect::<Vec<_>>(),
        "every iteration, in order"
    );
    let (_, final_positions) = seen.last().expect("some");
    assert_eq!(final_positions.as_slice(), last.positions.as_slice());
    assert_ne!(seen[0].1, seen[99].1, "the layout moved");
}
