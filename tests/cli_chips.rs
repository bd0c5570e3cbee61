//! End-to-end: `loupe chips` on the real Clay fixture against local servers standing in for an
//! XYZ tile server and the Mapbox Static Images API — which requests are made, what lands in
//! the cache, what is printed, and that the Mapbox token never leaves the query string.

#[path = "support/chip_server.rs"]
mod chip_server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chip_server::{Answer, ChipServer, files_under, tile_server};

/// A token-shaped value that must never show up anywhere but in the request's query.
const TOKEN: &str = "pk.loupeTestSecret123.abcXYZ";

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/03WVN_20220610_20220610_v001.gpq")
}

/// `loupe chips FIXTURE --cache-dir CACHE …` with the dataset cache in `scratch`, no token and
/// no chip cache folder inherited from the environment.
fn chips(scratch: &Path, cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
    command
        .env("LOUPE_CACHE_DIR", scratch)
        .env_remove("MAPBOX_token")
        .env_remove("LOUPE_CHIP_CACHE_DIR")
        .arg("chips")
        .arg(fixture())
        .arg("--cache-dir")
        .arg(cache);
    command
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn xyz_chips_fill_the_cache_and_a_second_run_reads_them_back() {
    let server = tile_server();
    let scratch = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let template = format!("{}/tiles/{{z}}/{{x}}/{{y}}.png", server.url());
    let run = || {
        chips(scratch.path(), cache.path())
            .args(["--tile-url", &template, "--rows", "0-2", "--quiet"])
            .output()
            .unwrap()
    };

    let first = run();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("3 chips: 3 fetched, 0 from cache, 0 failed"),
        "{}",
        stdout(&first)
    );
    let files = files_under(cache.path());
    assert_eq!(files.len(), 3, "one file per row: {files:?}");
    assert!(
        files
            .iter()
            .all(|f| f.extension().is_some_and(|e| e == "png"))
    );
    let tiles = server.requests().len();
    assert!(tiles >= 3, "tiles were fetched: {tiles}");
    assert!(server.requests().iter().all(|r| r.starts_with("/tiles/")));

    let second = run();
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stdout(&second).contains("3 chips: 0 fetched, 3 from cache, 0 failed"),
        "{}",
        stdout(&second)
    );
    assert_eq!(server.requests().len(), tiles, "no new request");
    assert_eq!(files_under(cache.path()), files);
}

#[test]
fn mapbox_requests_follow_the_api_grammar_and_the_token_stays_in_the_query() {
    let server = ChipServer::start(|target| {
        if target.starts_with("/styles/v1/") {
            Answer::png(chip_server::tile_png(1, 2))
        } else {
            Answer::status(404, "{\"message\":\"Not Found\"}")
        }
    });
    let scratch = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let output = chips(scratch.path(), cache.path())
        .env("MAPBOX_token", TOKEN)
        .args(["--provider", "mapbox", "--mapbox-api", &server.url()])
        .args(["--rows", "0", "--size", "512"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("1 chips: 1 fetched"),
        "{}",
        stdout(&output)
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let (path, query) = requests[0].split_once('?').expect("a query string");
    assert!(
        path.starts_with("/styles/v1/mapbox/satellite-streets-v12/static/geojson("),
        "{path}"
    );
    // Row 0's footprint, per-axis bounds rounded outwards to 6 decimals (its coordinates are
    // in crates/loupe-imagery/tests/fixtures/clay_03WVN_first3.json).
    assert!(
        path.ends_with(")/[-167.188031,65.760058,-167.072453,65.807521]/512x512"),
        "{path}"
    );
    assert!(!path.contains(TOKEN), "the token is not in the path");
    assert!(
        query
            .split('&')
            .any(|kv| kv == format!("access_token={TOKEN}")),
        "{query}"
    );

    // Nowhere else: not printed, not in the cache's names or contents.
    assert!(!stdout(&output).contains(TOKEN) && !stderr(&output).contains(TOKEN));
    assert!(!stdout(&output).contains("loupeTestSecret"));
    let files = files_under(cache.path());
    assert_eq!(files.len(), 1, "{files:?}");
    for file in &files {
        assert!(!file.display().to_string().contains("loupeTestSecret"));
        let bytes = std::fs::read(file).unwrap();
        assert!(
            !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
            "{} holds the token",
            file.display()
        );
    }
}

#[test]
fn a_rejected_token_fails_every_row_with_one_line_each_and_caches_nothing() {
    let server = ChipServer::start(|_| {
        Answer::status(401, "{\"message\":\"Not Authorized - Invalid Token\"}")
    });
    let scratch = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let output = chips(scratch.path(), cache.path())
        .env("MAPBOX_token", TOKEN)
        .args(["--provider", "mapbox", "--mapbox-api", &server.url()])
        .args(["--rows", "0,1,2", "--quiet"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr(&output);
    let row_lines: Vec<&str> = err.lines().filter(|l| l.starts_with("row ")).collect();
    assert_eq!(row_lines.len(), 3, "{err}");
    for (row, line) in row_lines.iter().enumerate() {
        assert!(line.starts_with(&format!("row {row}: ")), "{line}");
        assert!(line.contains("rejected the access token (401"), "{line}");
    }
    assert!(err.contains("3 of 3 chips failed"), "{err}");
    assert!(stdout(&output).contains("0 fetched, 0 from cache, 3 failed"));
    assert!(!err.contains(TOKEN) && !stdout(&output).contains(TOKEN));
    assert!(files_under(cache.path()).is_empty(), "nothing cached");
}

#[test]
fn mapbox_without_a_token_stops_at_once_naming_the_variable() {
    let server = ChipServer::start(|_| Answer::status(500, "unexpected"));
    let scratch = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let output = chips(scratch.path(), cache.path())
        .args([
            "--provider",
            "mapbox",
            "--mapbox-api",
            &server.url(),
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("MAPBOX_token"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(server.requests().is_empty(), "no request was made");
}

#[test]
fn rows_out_of_range_and_files_without_geometry_are_refused() {
    let server = tile_server();
    let scratch = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let template = format!("{}/tiles/{{z}}/{{x}}/{{y}}.png", server.url());
    let output = chips(scratch.path(), cache.path())
        .args(["--tile-url", &template, "--rows", "415-420", "--quiet"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("row 420 is out of range"),
        "{}",
        stderr(&output)
    );

    let plain = scratch.path().join("plain.csv");
    std::fs::write(&plain, "label,v0,v1\na,1,2\nb,3,4\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .env("LOUPE_CACHE_DIR", scratch.path())
        .args([
            "chips",
            "--quiet",
            "--vector-prefix",
            "v",
            "--tile-url",
            &template,
        ])
        .arg("--cache-dir")
        .arg(cache.path())
        .arg(&plain)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("no geometry column"),
        "{}",
        stderr(&output)
    );
    assert!(server.requests().is_empty());
}

/// Three rows of 2-d vectors with point geometry in lon/lat: rows 0 and 2 placed, row 1 null.
fn points_with_a_gap(path: &Path) {
    use std::sync::Arc;

    use arrow_array::types::Float32Type;
    use arrow_array::{ArrayRef, BinaryArray, ListArray, RecordBatch};
    use arrow_schema::{Field, Schema};
    use loupe_geo::{Coord, Geometry, write_wkb};

    let point = |lon: f64, lat: f64| write_wkb(&Geometry::Point(Coord::new(lon, lat)));
    let wkb = [Some(point(10.0, 50.0)), None, Some(point(10.01, 50.01))];
    let columns: Vec<ArrayRef> = vec![
        Arc::new(ListArray::from_iter_primitive::<Float32Type, _, _>(
            (0..3).map(|r| Some(vec![Some(r as f32), Some(1.0)])),
        )),
        Arc::new(wkb.iter().map(|w| w.as_deref()).collect::<BinaryArray>()),
    ];
    let fields: Vec<Field> = columns
        .iter()
        .zip(["embedding", "geometry"])
        .map(|(a, n)| Field::new(n, a.data_type().clone(), true))
        .collect();
    let geo = r#"{"version": "1.1.0", "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}}}"#;
    let metadata: std::collections::HashMap<String, String> =
        [("geo".to_owned(), geo.to_owned())].into_iter().collect();
    let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).expect("a batch");
    let file = std::fs::File::create(path).expect("create the file");
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema, None).expect("a writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
}

#[test]
fn a_row_without_geometry_fails_alone_with_its_reason() {
    let server = tile_server();
    let scratch = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let input = scratch.path().join("points.parquet");
    points_with_a_gap(&input);
    let template = format!("{}/tiles/{{z}}/{{x}}/{{y}}.png", server.url());
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .env("LOUPE_CACHE_DIR", scratch.path())
        .args([
            "chips",
            "--quiet",
            "--size",
            "256",
            "--tile-url",
            &template,
            "--cache-dir",
        ])
        .arg(cache.path())
        .arg(&input)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr(&output);
    let row_lines: Vec<&str> = err.lines().filter(|l| l.starts_with("row ")).collect();
    assert_eq!(
        row_lines,
        ["row 1: no geometry (`geometry` is empty)"],
        "{err}"
    );
    assert!(
        stdout(&output).contains("3 chips: 2 fetched, 0 from cache, 1 failed"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        files_under(cache.path()).len(),
        2,
        "the two points were cached"
    );
}
