//! The token stays out of log records, and a logger that would make `ureq` print request paths
//! (trace level) stops Mapbox requests instead. Its own binary: the logger is process-global.

mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Reply, TestServer, clay_outline, encoded_image};
use loupe_imagery::{
    AccessToken, CancelToken, ChipError, ChipRequest, ChipService, ChipSpec, HttpClient,
    HttpConfig, ImagerySource, MapboxStatic,
};

const TOKEN: &str = "pk.log-test.SECRETvalue";

/// Records every message; trace level only when `TRACE` is set.
struct Recorder;
static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static TRACE: AtomicBool = AtomicBool::new(false);

impl log::Log for Recorder {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Debug || TRACE.load(Ordering::SeqCst)
    }
    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            RECORDS.lock().expect("records").push(format!(
                "{} {}: {}",
                r.level(),
                r.target(),
                r.args()
            ));
        }
    }
    fn flush(&self) {}
}

#[test]
fn no_token_in_debug_logs_and_no_request_at_trace() {
    log::set_logger(&Recorder).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let server = TestServer::start(|_, _| Reply::Ok {
        content_type: "image/jpeg",
        body: encoded_image(16, 16, true, |_, _| [1, 2, 3]),
    });
    let source = MapboxStatic::new(AccessToken::new(TOKEN).unwrap())
        .with_api_base(&server.url())
        .unwrap();
    let svc = ChipService::new(
        ImagerySource::Mapbox(source),
        HttpClient::new(HttpConfig::default()),
        None,
    );
    let req = ChipRequest::new(clay_outline(0), ChipSpec::default());
    svc.fetch(&req, &CancelToken::new()).unwrap();
    let records = RECORDS.lock().unwrap().clone();
    assert!(!records.is_empty(), "debug records were expected");
    for r in &records {
        assert!(!r.contains("SECRET"), "token logged: {r}");
    }
    assert_eq!(server.requests().len(), 1);

    TRACE.store(true, Ordering::SeqCst);
    let e = svc.fetch(&req, &CancelToken::new()).unwrap_err();
    assert!(matches!(e, ChipError::InvalidSpec { .. }), "{e:?}");
    assert!(e.to_string().contains("trace logging"), "{e}");
    assert_eq!(server.requests().len(), 1, "nothing was sent");
}
