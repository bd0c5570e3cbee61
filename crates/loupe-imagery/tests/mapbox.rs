//! Mapbox Static Images against a local server: exact request paths for the real Clay rows,
//! caching, every error status, broken bodies, and the token never leaking.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Reply, TestServer, clay_outline, clay_rows, encoded_image, files_in, percent_decode};
use loupe_imagery::{
    AccessToken, CancelToken, ChipCache, ChipError, ChipRequest, ChipService, ChipSpec, HttpClient,
    HttpConfig, ImageFormat, ImagerySource, MapboxStatic,
};

const TOKEN: &str = "pk.eyJ1IjoibG91cGUtdGVzdCJ9.S3cr3t_T0ken-value";

fn jpeg() -> Vec<u8> {
    encoded_image(64, 64, true, |x, y| [(x * 4) as u8, (y * 4) as u8, 90])
}

fn service(server: &TestServer, cache_dir: &Path, http: HttpConfig) -> ChipService {
    let source = MapboxStatic::new(AccessToken::new(TOKEN).expect("token"))
        .with_api_base(&server.url())
        .expect("api base");
    let cache = ChipCache::open(cache_dir, 10 << 20).expect("cache");
    ChipService::new(
        ImagerySource::Mapbox(source),
        HttpClient::new(http),
        Some(cache),
    )
}

fn fast_http() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        ..HttpConfig::default()
    }
}

fn request(row: usize) -> ChipRequest {
    ChipRequest::new(clay_outline(row), ChipSpec::default())
}

/// Asserts that no file (finished or temporary) was left in the cache directory.
fn assert_cache_empty(dir: &Path) {
    let files = files_in(dir);
    assert!(
        files.is_empty(),
        "cache should be empty: {:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
}

#[test]
fn exact_request_path_for_the_first_clay_row() {
    let server = TestServer::start(|_, _| Reply::Ok {
        content_type: "image/jpeg",
        body: jpeg(),
    });
    let dir = tempfile::tempdir().unwrap();
    let chip = service(&server, dir.path(), fast_http())
        .fetch(&request(0), &CancelToken::new())
        .unwrap();
    assert_eq!(chip.format, ImageFormat::Jpeg);

    // Written out by hand from the fixture's row 0:
    // - coordinates rounded to 6 decimals (e.g. 65.76161454222509 → 65.761615);
    // - bbox per axis, rounded outwards: min lon −167.18803051829005 → −167.188031,
    //   min lat 65.76005899996728 → 65.760058, max lon −167.0724531849004 → −167.072453,
    //   max lat 65.80752032898482 → 65.807521;
    // - default style, 512x512, padding 10 (the stroke width), simplestyle properties.
    let geojson = concat!(
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","#,
        r##""properties":{"stroke":"#f00000","stroke-width":10,"stroke-opacity":1,"fill-opacity":0},"##,
        r#""geometry":{"type":"Polygon","coordinates":[[[-167.072453,65.761615],"#,
        r#"[-167.076146,65.807520],[-167.188031,65.805961],[-167.184139,65.760059],"#,
        r#"[-167.072453,65.761615]]]}}]}"#
    );
    let expected = format!(
        "/styles/v1/mapbox/satellite-streets-v12/static/geojson({})/[-167.188031,65.760058,-167.072453,65.807521]/512x512?access_token={TOKEN}&padding=10",
        common::encode_uri_component(geojson)
    );
    let got = server.requests();
    assert_eq!(got, vec![expected]);
    // The encoding details the API needs, spelled out.
    assert!(got[0].contains("geojson(%7B%22type%22%3A%22FeatureCollection%22%2C"));
    assert!(got[0].contains("%22stroke%22%3A%22%23f00000%22"));
    assert!(!got[0].contains('#') && !got[0].contains('"') && !got[0].contains('{'));
}

#[test]
fn bbox_overlay_and_size_for_clay_rows_1_and_2() {
    let server = TestServer::start(|_, _| Reply::Ok {
        content_type: "image/jpeg",
        body: jpeg(),
    });
    let dir = tempfile::tempdir().unwrap();
    let svc = service(&server, dir.path(), fast_http());
    svc.fetch(&request(1), &CancelToken::new()).unwrap();
    svc.fetch(&request(2), &CancelToken::new()).unwrap();
    let got = server.requests();
    // Hand-computed per-axis bounds, rounded outwards to 6 decimals.
    let bboxes = [
        "/[-167.076146,65.761614,-166.960752,65.808998]/512x512?access_token=",
        "/[-166.964247,65.763088,-166.849038,65.810393]/512x512?access_token=",
    ];
    let rows = clay_rows();
    for (k, (path, bbox)) in got.iter().zip(bboxes).enumerate() {
        assert!(path.contains(bbox), "{path}");
        assert!(path.ends_with("&padding=10"), "{path}");
        // The overlay decodes to the row's ring, each coordinate within rounding of 6 decimals.
        let start = path.find("geojson(").unwrap() + "geojson(".len();
        let end = path.find(")/[").unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&percent_decode(&path[start..end])).unwrap();
        let ring = json["features"][0]["geometry"]["coordinates"][0]
            .as_array()
            .unwrap();
        let want = &rows[k + 1][0];
        assert_eq!(ring.len(), want.len());
        for (p, q) in ring.iter().zip(want) {
            assert!((p[0].as_f64().unwrap() - q[0]).abs() <= 5e-7);
            assert!((p[1].as_f64().unwrap() - q[1]).abs() <= 5e-7);
        }
    }
}

#[test]
fn second_fetch_comes_from_the_cache_byte_for_byte() {
    let body = jpeg();
    let served = body.clone();
    let server = TestServer::start(move |_, _| Reply::Ok {
        content_type: "image/jpeg",
        body: served.clone(),
    });
    let dir = tempfile::tempdir().unwrap();
    let svc = service(&server, dir.path(), fast_http());
    let first = svc.fetch(&request(0), &CancelToken::new()).unwrap();
    assert!(!first.from_cache);
    let path = first.cache_path.clone().unwrap();
    assert_eq!(path.extension().unwrap(), "jpg");
    assert_eq!(std::fs::read(&path).unwrap(), body);
    let second = svc.fetch(&request(0), &CancelToken::new()).unwrap();
    assert!(second.from_cache);
    assert_eq!(second.bytes, body);
    assert_eq!(server.requests().len(), 1);
    let decoded = second.decode().unwrap();
    assert_eq!(
        (decoded.width, decoded.height, decoded.rgba.len()),
        (64, 64, 64 * 64 * 4)
    );
}

fn status(code: u16, headers: Vec<(&'static str, String)>, body: &str) -> Reply {
    Reply::Status {
        code,
        headers,
        body: body.as_bytes().to_vec(),
    }
}

/// Fetches row 0 from a server that always gives `reply()`, returning the error and the
/// number of requests; asserts nothing was cached.
fn fail_with(
    reply: impl Fn() -> Reply + Send + Sync + 'static,
    http: HttpConfig,
) -> (ChipError, usize) {
    let server = TestServer::start(move |_, _| reply());
    let dir = tempfile::tempdir().expect("tempdir");
    let err = service(&server, dir.path(), http)
        .fetch(&request(0), &CancelToken::new())
        .expect_err("the fetch should fail");
    assert_cache_empty(dir.path());
    (err, server.requests().len())
}

#[test]
fn each_error_status_maps_to_its_message_and_caches_nothing() {
    let (e, _) = fail_with(
        || {
            status(
                401,
                vec![],
                r#"{"message":"Not Authorized - Invalid Token"}"#,
            )
        },
        fast_http(),
    );
    assert!(matches!(e, ChipError::InvalidToken), "{e:?}");
    assert!(e.to_string().contains("401"));

    let (e, _) = fail_with(
        || status(403, vec![], r#"{"message":"Forbidden"}"#),
        fast_http(),
    );
    assert!(matches!(e, ChipError::Forbidden { .. }), "{e:?}");
    assert!(
        e.to_string().starts_with("forbidden (403) by 127.0.0.1:"),
        "{e}"
    );

    let (e, _) = fail_with(
        || status(404, vec![], r#"{"message":"Not Found"}"#),
        fast_http(),
    );
    assert_eq!(
        e.to_string(),
        "Mapbox style not found (404): mapbox/satellite-streets-v12"
    );

    let (e, _) = fail_with(
        || {
            status(
                422,
                vec![],
                r#"{"message":"Overlay bounds are out of range"}"#,
            )
        },
        fast_http(),
    );
    assert_eq!(
        e.to_string(),
        "Mapbox could not render the chip (422): Overlay bounds are out of range"
    );

    let (e, _) = fail_with(|| status(500, vec![], "boom"), fast_http());
    assert!(
        matches!(e, ChipError::HttpStatus { status: 500, .. }),
        "{e:?}"
    );
    // The URL in the message is shortened and masked.
    assert!(e.to_string().contains("access_token=***&padding=10"), "{e}");
}

#[test]
fn rate_limit_honours_retry_after_then_succeeds() {
    let server = TestServer::start(|_, i| {
        if i == 0 {
            status(
                429,
                vec![("Retry-After", "1".into())],
                r#"{"message":"Too Many Requests"}"#,
            )
        } else {
            Reply::Ok {
                content_type: "image/jpeg",
                body: jpeg(),
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let chip = service(&server, dir.path(), fast_http())
        .fetch(&request(0), &CancelToken::new())
        .unwrap();
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured"
    );
    assert_eq!(server.requests().len(), 2);
    assert!(chip.cache_path.unwrap().exists());
}

#[test]
fn rate_limit_gives_up_after_the_bounded_retries() {
    let http = HttpConfig {
        max_retries: 2,
        ..fast_http()
    };
    let (e, n) = fail_with(
        || status(429, vec![("Retry-After", "0".into())], ""),
        http.clone(),
    );
    assert_eq!(n, 3);
    assert!(
        matches!(e, ChipError::RateLimited { attempts: 3, .. }),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("rate limited (429) by 127.0.0.1:"),
        "{e}"
    );
    // A Retry-After longer than we are willing to wait ends the retries at once.
    let (e, n) = fail_with(
        || status(429, vec![("Retry-After", "3600".into())], ""),
        http,
    );
    assert_eq!(n, 1);
    assert!(
        matches!(e, ChipError::RateLimited { attempts: 1, .. }),
        "{e:?}"
    );
}

#[test]
fn timeout_is_reported_as_such() {
    let http = HttpConfig {
        timeout: Duration::from_millis(300),
        ..fast_http()
    };
    let t = Instant::now();
    let (e, _) = fail_with(|| Reply::Hang, http);
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(matches!(e, ChipError::Timeout { .. }), "{e:?}");
    assert!(e.to_string().starts_with("timed out"), "{e}");
}

#[test]
fn connection_refused_is_reported_as_such() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let source = MapboxStatic::new(AccessToken::new(TOKEN).unwrap())
        .with_api_base(&format!("http://127.0.0.1:{port}"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let svc = ChipService::new(
        ImagerySource::Mapbox(source),
        HttpClient::new(fast_http()),
        Some(ChipCache::open(dir.path(), 1 << 20).unwrap()),
    );
    let e = svc.fetch(&request(0), &CancelToken::new()).unwrap_err();
    assert!(matches!(e, ChipError::Connect { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with(&format!("cannot connect to 127.0.0.1:{port}")),
        "{e}"
    );
    assert_cache_empty(dir.path());
}

#[test]
fn a_body_that_is_not_an_image_is_an_error() {
    let (e, _) = fail_with(
        || Reply::Ok {
            content_type: "text/html",
            body: b"<html><body>Service unavailable</body></html>".to_vec(),
        },
        fast_http(),
    );
    assert!(matches!(e, ChipError::NotAnImage { .. }), "{e:?}");
    assert!(e.to_string().contains("text/html"), "{e}");
}

#[test]
fn a_server_dying_mid_body_leaves_no_partial_file() {
    let png = encoded_image(256, 256, false, |x, y| [(x ^ y) as u8, 10, 200]);
    let half = png[..png.len() / 2].to_vec();
    let cut = half.clone();
    let (e, _) = fail_with(
        move || Reply::DieMidBody {
            declared_len: png.len(),
            body: cut.clone(),
        },
        fast_http(),
    );
    assert!(matches!(e, ChipError::Network { .. }), "{e:?}");
    // Without Content-Length the cut is invisible to HTTP; the decode check catches it.
    let (e, _) = fail_with(
        move || Reply::CloseDelimited { body: half.clone() },
        fast_http(),
    );
    assert!(matches!(e, ChipError::Decode { .. }), "{e:?}");
}

#[test]
fn the_token_never_leaks() {
    let mut shown = Vec::new();
    let replies: Vec<Arc<dyn Fn() -> Reply + Send + Sync>> = vec![
        Arc::new(|| status(401, vec![], "")),
        Arc::new(|| status(403, vec![], "")),
        Arc::new(|| status(404, vec![], "")),
        // A server echoing the request URL in its message.
        Arc::new(|| {
            status(
                422,
                vec![],
                &format!(r#"{{"message":"bad request /x?access_token={TOKEN}&padding=10"}}"#),
            )
        }),
        Arc::new(|| status(500, vec![], "")),
        Arc::new(|| Reply::Ok {
            content_type: "text/plain",
            body: format!("access_token={TOKEN}").into_bytes(),
        }),
    ];
    for reply in replies {
        let (e, _) = fail_with(move || reply(), fast_http());
        shown.push(format!("{e}"));
        shown.push(format!("{e:?}"));
    }
    // A success: the chip, the service, the source and the URL type.
    let server = TestServer::start(|_, _| Reply::Ok {
        content_type: "image/jpeg",
        body: jpeg(),
    });
    let dir = tempfile::tempdir().unwrap();
    let svc = service(&server, dir.path(), fast_http());
    let chip = svc.fetch(&request(0), &CancelToken::new()).unwrap();
    let ImagerySource::Mapbox(source) = svc.source() else {
        panic!("mapbox source")
    };
    let url = loupe_imagery::static_url(source, &ChipSpec::default(), &clay_outline(0)).unwrap();
    shown.extend([
        format!("{chip:?}"),
        format!("{svc:?}"),
        format!("{url}"),
        format!("{url:?}"),
        url.masked(),
    ]);
    // The request really carried it (so the checks below are not vacuous).
    assert!(server.requests()[0].contains(TOKEN));
    for s in &shown {
        assert!(!s.contains(TOKEN) && !s.contains("S3cr3t"), "token in: {s}");
    }
    assert!(shown.iter().any(|s| s.contains("access_token=***")));
    let files = files_in(dir.path());
    assert_eq!(files.len(), 1);
    for (name, bytes) in files {
        assert!(!name.contains("S3cr3t"), "{name}");
        assert!(
            !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
            "{name}"
        );
    }
}
