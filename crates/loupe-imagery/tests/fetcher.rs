//! The worker pool (latest request wins) and bulk prefetch with progress.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Reply, TestServer, clay_outline, encoded_image, files_in};
use loupe_imagery::{
    AccessToken, CancelToken, ChipCache, ChipError, ChipFetcher, ChipRequest, ChipService,
    ChipSpec, HttpClient, HttpConfig, ImagerySource, MapboxStatic, PrefetchProgress, prefetch,
};

fn mapbox_service(server: &TestServer, dir: &std::path::Path) -> Arc<ChipService> {
    let source = MapboxStatic::new(AccessToken::new("pk.test").expect("token"))
        .with_api_base(&server.url())
        .expect("api base");
    Arc::new(ChipService::new(
        ImagerySource::Mapbox(source),
        HttpClient::new(HttpConfig::default()),
        Some(ChipCache::open(dir, 10 << 20).expect("cache")),
    ))
}

fn jpeg() -> Vec<u8> {
    encoded_image(32, 32, true, |_, _| [10, 100, 10])
}

#[test]
fn a_newer_request_cancels_the_stale_one() {
    // Every response takes 400 ms before its headers arrive.
    let server = TestServer::start(|_, _| {
        Reply::Delayed(
            Duration::from_millis(400),
            Box::new(Reply::Ok {
                content_type: "image/jpeg",
                body: jpeg(),
            }),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let ready = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&ready);
    let on_ready: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let fetcher =
        ChipFetcher::new(&mapbox_service(&server, dir.path()), 1, 4, Some(&on_ready)).unwrap();
    let stale = fetcher
        .request(ChipRequest::new(clay_outline(0), ChipSpec::default()))
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let fresh = fetcher
        .request(ChipRequest::new(clay_outline(1), ChipSpec::default()))
        .unwrap();
    assert!(stale.is_cancelled());
    let stale_result = stale.wait_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        matches!(stale_result, Err(ChipError::Cancelled)),
        "{stale_result:?}"
    );
    let chip = fresh.wait().unwrap();
    assert!(!chip.from_cache);
    // Only the fresh chip was cached; both results were announced (the callback runs after
    // the result is sent, so join the workers before counting).
    assert_eq!(files_in(dir.path()).len(), 1);
    fetcher.shutdown();
    assert_eq!(ready.load(Ordering::SeqCst), 2);
}

#[test]
fn a_full_queue_says_busy_and_shutdown_cancels() {
    let server = TestServer::start(|_, _| Reply::Hang);
    let dir = tempfile::tempdir().unwrap();
    let fetcher = ChipFetcher::new(&mapbox_service(&server, dir.path()), 1, 1, None).unwrap();
    let first = fetcher
        .submit(ChipRequest::new(clay_outline(0), ChipSpec::default()))
        .unwrap();
    // Wait until the worker is busy with the first job, then fill the one queue slot.
    let start = std::time::Instant::now();
    while server.requests().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the worker never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = fetcher
        .submit(ChipRequest::new(clay_outline(1), ChipSpec::default()))
        .unwrap();
    let third = fetcher.submit(ChipRequest::new(clay_outline(2), ChipSpec::default()));
    assert!(
        matches!(third, Err(ChipError::Busy { queued: 1 })),
        "{third:?}"
    );
    drop(fetcher);
    assert!(first.is_cancelled() && second.is_cancelled());
}

#[test]
fn prefetch_reports_progress_and_one_result_per_row() {
    // Row 1's bbox starts at −167.076146: answer that one with a 422.
    let server = TestServer::start(|path, _| {
        if path.contains("/[-167.076146,") {
            Reply::Status {
                code: 422,
                headers: vec![],
                body: br#"{"message":"Overlay bounds are out of range"}"#.to_vec(),
            }
        } else {
            Reply::Ok {
                content_type: "image/jpeg",
                body: jpeg(),
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let svc = mapbox_service(&server, dir.path());
    let requests: Vec<ChipRequest> = (0..3)
        .map(|i| ChipRequest::new(clay_outline(i), ChipSpec::default()))
        .collect();
    let seen = Mutex::new(Vec::new());
    let results = prefetch(&svc, &requests, 2, &CancelToken::new(), &|p| {
        seen.lock().unwrap().push(p);
    });
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[2].is_ok());
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(
        e.to_string(),
        "Mapbox could not render the chip (422): Overlay bounds are out of range"
    );
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        seen.iter().max_by_key(|p| p.done).copied(),
        Some(PrefetchProgress {
            done: 3,
            total: 3,
            failed: 1,
            from_cache: 0
        })
    );
    // Again: the two good rows come from the cache, the bad one is asked for again.
    let before = server.requests().len();
    let again = prefetch(&svc, &requests, 3, &CancelToken::new(), &|_| {});
    assert!(again[0].as_ref().unwrap().from_cache && again[2].as_ref().unwrap().from_cache);
    assert!(again[1].is_err());
    assert_eq!(server.requests().len(), before + 1);
    // Cancelled up front: every row says so.
    let cancel = CancelToken::new();
    cancel.cancel();
    let cancelled = prefetch(&svc, &requests, 2, &cancel, &|_| {});
    assert!(
        cancelled
            .iter()
            .all(|r| matches!(r, Err(ChipError::Cancelled)))
    );
}
