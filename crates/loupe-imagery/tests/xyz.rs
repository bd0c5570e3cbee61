//! Token-free XYZ chips against a local tile server: which tiles are asked for, that they are
//! stitched in the right place, and that the outline is burned red on the polygon's edges only.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{Reply, TestServer, clay_outline, clay_rows, encoded_image, files_in};
use loupe_imagery::tile_math::{TILE_SIZE_PX, lonlat_to_world_px};
use loupe_imagery::{
    CancelToken, ChipCache, ChipError, ChipRequest, ChipService, ChipSpec, HttpClient, HttpConfig,
    ImageFormat, ImagerySource, Outline, RgbaChip, XyzProvider,
};

/// The colour of tile (x, y): unique per (x mod 4, y mod 4), never reddish.
fn tile_colour(x: u32, y: u32) -> [u8; 3] {
    [20, 40 + (x % 4) as u8 * 50, 40 + (y % 4) as u8 * 50]
}

/// Parses `/tiles/{z}/{x}/{y}.png`.
fn parse_tile(path: &str) -> Option<(u8, u32, u32)> {
    let rest = path.strip_prefix("/tiles/")?.strip_suffix(".png")?;
    let mut it = rest.split('/').map(str::parse::<u32>);
    let (z, x, y) = (it.next()?.ok()?, it.next()?.ok()?, it.next()?.ok()?);
    Some((u8::try_from(z).ok()?, x, y))
}

fn tile_server() -> TestServer {
    TestServer::start(|path, _| match parse_tile(path) {
        Some((_, x, y)) => Reply::Ok {
            content_type: "image/png",
            body: encoded_image(256, 256, false, |_, _| tile_colour(x, y)),
        },
        None => Reply::Status {
            code: 404,
            headers: vec![],
            body: b"no such tile".to_vec(),
        },
    })
}

fn xyz_service(server: &TestServer, cache: &std::path::Path) -> ChipService {
    let provider = XyzProvider::custom(
        "test-tiles",
        &format!("{}/tiles/{{z}}/{{x}}/{{y}}.png", server.url()),
        19,
        "© test tiles",
        &[],
    )
    .expect("provider");
    ChipService::new(
        ImagerySource::Xyz(provider),
        HttpClient::new(HttpConfig {
            timeout: Duration::from_secs(5),
            ..HttpConfig::default()
        }),
        Some(ChipCache::open(cache, 10 << 20).expect("cache")),
    )
}

fn pixel(img: &RgbaChip, x: f64, y: f64) -> [u8; 3] {
    let (xi, yi) = (x.floor() as u32, y.floor() as u32);
    let i = ((yi * img.width + xi) * 4) as usize;
    [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]]
}

fn is_red(p: [u8; 3]) -> bool {
    p[0] > 180 && p[1] < 70 && p[2] < 70
}

#[test]
fn clay_row_chip_has_the_right_tiles_and_a_red_outline_on_the_edges_only() {
    let server = tile_server();
    let dir = tempfile::tempdir().unwrap();
    let svc = xyz_service(&server, dir.path());
    let chip = svc
        .fetch(
            &ChipRequest::new(clay_outline(0), ChipSpec::default()),
            &CancelToken::new(),
        )
        .unwrap();
    assert_eq!(chip.format, ImageFormat::Png);
    assert_eq!(chip.attribution, "© test tiles");

    // The polygon is ~0.116° × 0.048° at 65.8° N, about 673 × 673 zoom-13 pixels; fitting it
    // into 492 px (512 − 2 × 10 padding) needs 2^12.55, so the nearest zoom is 13. Its
    // longitudes −167.188…−167.072 are tile columns 291.54–294.17 at zoom 13 and its
    // latitudes 65.808…65.760 rows 2087.74–2090.37 (x = (lon + 180)/360 · 2^13,
    // y = (1 − ln(tan φ + sec φ)/π)/2 · 2^13, worked out with a calculator).
    let tiles: Vec<(u8, u32, u32)> = server
        .requests()
        .iter()
        .filter_map(|p| parse_tile(p))
        .collect();
    assert_eq!(tiles.len(), server.requests().len());
    assert!(tiles.iter().all(|t| t.0 == 13), "{tiles:?}");
    let xs: HashSet<u32> = tiles.iter().map(|t| t.1).collect();
    let ys: HashSet<u32> = tiles.iter().map(|t| t.2).collect();
    assert_eq!(xs, (291..=294).collect(), "{tiles:?}");
    assert_eq!(ys, (2087..=2090).collect(), "{tiles:?}");
    assert_eq!(tiles.len(), xs.len() * ys.len(), "each tile once");

    let img = chip.decode().unwrap();
    assert_eq!((img.width, img.height), (512, 512));
    let view = chip.view.unwrap();
    let ring = &clay_rows()[0][0];

    // On every edge, sample points are red.
    for e in ring.windows(2) {
        for t in [0.1, 0.3, 0.5, 0.7, 0.9] {
            let lon = e[0][0] + t * (e[1][0] - e[0][0]);
            let lat = e[0][1] + t * (e[1][1] - e[0][1]);
            let [x, y] = view.lonlat_to_pixel(lon, lat);
            assert!(
                is_red(pixel(&img, x, y)),
                "edge point {lon},{lat} at {x},{y}: {:?}",
                pixel(&img, x, y)
            );
        }
    }
    // Away from the edges (inside and outside), no red, and the ground shows the colour of
    // the tile that contains the point (checked where it is > 4 px from a tile border).
    let centre = [
        ring[..4].iter().map(|p| p[0]).sum::<f64>() / 4.0,
        ring[..4].iter().map(|p| p[1]).sum::<f64>() / 4.0,
    ];
    let mut checked_tiles = 0;
    for (fx, fy) in [
        (0.5, 0.5),
        (0.3, 0.4),
        (0.7, 0.6),
        (1.6, 0.5),
        (-0.6, 0.5),
        (0.5, 1.7),
        (0.5, -0.7),
    ] {
        // Points spread around the centre, in units of the polygon's half-size.
        let lon = centre[0] + (fx - 0.5) * 0.116;
        let lat = centre[1] + (fy - 0.5) * 0.048;
        let [x, y] = view.lonlat_to_pixel(lon, lat);
        if !(0.0..512.0).contains(&x) || !(0.0..512.0).contains(&y) {
            continue;
        }
        let p = pixel(&img, x, y);
        assert!(!is_red(p), "({fx},{fy}) at {x},{y} is red");
        let [wx, wy] = lonlat_to_world_px(lon, lat, view.zoom);
        let t = f64::from(TILE_SIZE_PX);
        let (bx, by) = (wx.rem_euclid(t), wy.rem_euclid(t));
        if bx > 4.0 && bx < t - 4.0 && by > 4.0 && by < t - 4.0 {
            let want = tile_colour((wx / t) as u32, (wy / t) as u32);
            assert!(
                p.iter().zip(want).all(|(a, b)| a.abs_diff(b) <= 3),
                "{p:?} vs tile {want:?}"
            );
            checked_tiles += 1;
        }
    }
    assert!(checked_tiles >= 3);
    for (x, y) in [
        (1.0, 1.0),
        (510.0, 1.0),
        (1.0, 510.0),
        (510.0, 510.0),
        (256.0, 256.0),
    ] {
        assert!(!is_red(pixel(&img, x, y)), "{x},{y}");
    }
    // Independently of the projection: the red pixels' bounding box is centred and, on the
    // tighter axis, starts half a stroke (5 px) before the 10-px padding.
    let (mut lo, mut hi) = ([u32::MAX; 2], [0u32; 2]);
    for y in 0..512 {
        for x in 0..512 {
            if is_red(pixel(&img, f64::from(x), f64::from(y))) {
                lo = [lo[0].min(x), lo[1].min(y)];
                hi = [hi[0].max(x), hi[1].max(y)];
            }
        }
    }
    let tight_x = lo[0].abs_diff(5) <= 2 && hi[0].abs_diff(506) <= 2;
    let tight_y = lo[1].abs_diff(5) <= 2 && hi[1].abs_diff(506) <= 2;
    assert!(tight_x || tight_y, "red bbox {lo:?}..{hi:?}");
    assert!(
        (lo[0] + hi[0]).abs_diff(511) <= 4 && (lo[1] + hi[1]).abs_diff(511) <= 4,
        "{lo:?}..{hi:?}"
    );

    // Cached as PNG; the second fetch makes no request.
    let n = server.requests().len();
    let again = svc
        .fetch(
            &ChipRequest::new(clay_outline(0), ChipSpec::default()),
            &CancelToken::new(),
        )
        .unwrap();
    assert!(again.from_cache && again.view == chip.view);
    assert_eq!(server.requests().len(), n);
    assert_eq!(files_in(dir.path()).len(), 1);
}

#[test]
fn stroke_colour_and_width_are_configurable() {
    let server = tile_server();
    let dir = tempfile::tempdir().unwrap();
    let svc = xyz_service(&server, dir.path());
    let mut spec = ChipSpec {
        width_px: 256,
        height_px: 200,
        ..ChipSpec::default()
    };
    spec.stroke.color = [255, 255, 0];
    spec.stroke.width_px = 3.0;
    let chip = svc
        .fetch(
            &ChipRequest::new(clay_outline(1), spec),
            &CancelToken::new(),
        )
        .unwrap();
    let img = chip.decode().unwrap();
    assert_eq!((img.width, img.height), (256, 200));
    let view = chip.view.unwrap();
    let e = &clay_rows()[1][0];
    let [x, y] = view.lonlat_to_pixel(
        f64::midpoint(e[0][0], e[1][0]),
        f64::midpoint(e[0][1], e[1][1]),
    );
    assert_eq!(pixel(&img, x, y), [255, 255, 0]);
    // 3 px wide: 4 px off the line is ground again.
    let [x2, _] = view.lonlat_to_pixel(e[0][0], e[0][1]);
    assert!(x2 > 10.0);
    let p = pixel(&img, x + 4.0, y);
    assert!(p[0] < 100, "{p:?}");
}

#[test]
fn a_point_is_drawn_as_a_ring_around_it() {
    let server = tile_server();
    let dir = tempfile::tempdir().unwrap();
    let svc = xyz_service(&server, dir.path());
    let chip = svc
        .fetch(
            &ChipRequest::new(Outline::point(-167.1, 65.78).unwrap(), ChipSpec::default()),
            &CancelToken::new(),
        )
        .unwrap();
    let img = chip.decode().unwrap();
    let [cx, cy] = chip.view.unwrap().lonlat_to_pixel(-167.1, 65.78);
    assert!(!is_red(pixel(&img, cx, cy)));
    // Ring radius: 2 stroke widths = 20 px.
    assert!(is_red(pixel(&img, cx + 20.0, cy)));
    assert!(is_red(pixel(&img, cx, cy - 20.0)));
}

#[test]
fn a_missing_tile_fails_the_chip_and_caches_nothing() {
    let server = TestServer::start(|_, i| {
        if i == 2 {
            Reply::Status {
                code: 404,
                headers: vec![],
                body: vec![],
            }
        } else {
            Reply::Ok {
                content_type: "image/png",
                body: encoded_image(256, 256, false, |_, _| [0, 90, 0]),
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let svc = xyz_service(&server, dir.path()).with_tile_concurrency(1);
    let e = svc
        .fetch(
            &ChipRequest::new(clay_outline(2), ChipSpec::default()),
            &CancelToken::new(),
        )
        .unwrap_err();
    assert!(matches!(e, ChipError::NotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("/tiles/13/"), "{e}");
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn jpeg_tiles_in_z_y_x_order_like_eox() {
    let server = TestServer::start(|path, _| {
        // /wmts/{z}/{y}/{x}.jpg
        let ok = path.starts_with("/wmts/") && path.rsplit('.').next() == Some("jpg");
        if ok {
            Reply::Ok {
                content_type: "image/jpeg",
                body: encoded_image(256, 256, true, |_, _| [30, 120, 60]),
            }
        } else {
            Reply::Status {
                code: 404,
                headers: vec![],
                body: vec![],
            }
        }
    });
    let provider = XyzProvider::custom(
        "eox-like",
        &format!("{}/wmts/{{z}}/{{y}}/{{x}}.jpg", server.url()),
        14,
        "EOX",
        &[],
    )
    .unwrap();
    let svc = ChipService::new(
        ImagerySource::Xyz(provider),
        HttpClient::new(HttpConfig::default()),
        None,
    );
    // A tiny outline: the zoom is capped at the provider's 14.
    let tiny = Outline::from_rings(&[vec![
        [-167.1, 65.78],
        [-167.099, 65.78],
        [-167.099, 65.7805],
    ]])
    .unwrap();
    let chip = svc
        .fetch(
            &ChipRequest::new(tiny, ChipSpec::default()),
            &CancelToken::new(),
        )
        .unwrap();
    assert_eq!(chip.view.unwrap().zoom, 14);
    let reqs = server.requests();
    // At zoom 14, lon −167.1 is column (12.9 / 360) · 16384 = 587.1 → 587.
    assert!(
        reqs.iter()
            .all(|p| p.starts_with("/wmts/14/") && p.ends_with("/587.jpg")),
        "{reqs:?}"
    );
    assert!(chip.cache_path.is_none());
}

#[test]
fn cancelling_stops_before_any_tile() {
    let server = tile_server();
    let dir = tempfile::tempdir().unwrap();
    let svc = xyz_service(&server, dir.path());
    let cancel = CancelToken::new();
    cancel.cancel();
    let e = svc
        .fetch(
            &ChipRequest::new(clay_outline(0), ChipSpec::default()),
            &cancel,
        )
        .unwrap_err();
    assert!(matches!(e, ChipError::Cancelled));
    assert!(server.requests().is_empty());
    assert!(files_in(dir.path()).is_empty());
}
