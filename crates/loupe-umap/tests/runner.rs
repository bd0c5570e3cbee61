//! The background run: every epoch observed, pause/resume/cancel, snapshots like t-SNE's.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use loupe_umap::{RunStatus, UmapParams, VectorBuffer, spawn_run};

fn blobs(n: usize) -> Vec<f32> {
    (0..n)
        .flat_map(|i| {
            let c = (i % 4) as f32 * 10.0;
            let t = i as f32;
            [c + (t * 0.37).sin(), c + (t * 0.91).cos(), (t * 0.13).sin()]
        })
        .collect()
}

#[test]
fn every_epoch_is_observed_and_the_run_finishes() {
    let n = 400;
    let params = UmapParams {
        n_epochs: Some(40),
        ..UmapParams::default()
    }
    .validate(n)
    .unwrap();
    let repaints = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&repaints);
    let run = spawn_run(
        VectorBuffer::from(blobs(n)),
        3,
        params,
        Box::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    run.observe(Some(Box::new(move |epoch, positions| {
        assert_eq!(positions.len(), 2 * 400);
        sink.lock().unwrap().push(epoch);
    })));
    let last = run.join().unwrap().unwrap();
    assert_eq!(last.status, RunStatus::Finished);
    assert_eq!((last.iteration, last.total_iterations), (40, 40));
    assert_eq!(last.positions.len(), 2 * n);
    assert!(last.positions.iter().all(|v| v.is_finite()));
    // The observer was attached before preparation ended, so it saw every epoch.
    assert_eq!(*seen.lock().unwrap(), (1..=40).collect::<Vec<_>>());
    assert!(repaints.load(Ordering::SeqCst) >= 2);
}

#[test]
fn pause_resume_and_cancel() {
    let n = 2_000;
    let params = UmapParams {
        n_epochs: Some(100_000),
        ..UmapParams::default()
    }
    .validate(n)
    .unwrap();
    let run = spawn_run(VectorBuffer::from(blobs(n)), 3, params, Box::new(|| {})).unwrap();
    run.pause();
    std::thread::sleep(Duration::from_millis(300));
    let paused = run.latest().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let still = run.latest().unwrap();
    assert_eq!(
        paused.iteration, still.iteration,
        "a paused run does not step"
    );
    run.resume();
    std::thread::sleep(Duration::from_millis(200));
    run.cancel();
    let last = run.join().unwrap().unwrap();
    assert_eq!(last.status, RunStatus::Cancelled);
    assert!(last.iteration < 100_000);
}

#[test]
fn engine_and_handle_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<loupe_umap::UmapEngine>();
    send_sync::<loupe_umap::UmapRun>();
    send_sync::<loupe_umap::ValidUmapParams>();
}
