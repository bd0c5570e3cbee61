//! End-to-end: `loupe embed … --kmeans` then `loupe select` on the real binary, checked against
//! a plain point-in-polygon count, and (with a Python that has GeoPandas) read back by
//! GeoPandas, the tool the exports are for.
//!
//! The GeoPandas part needs `$LOUPE_PYTHON`, else `python3` if it imports geopandas; without
//! one it prints a SKIP line, unless `LOUPE_REQUIRE_PYARROW=1` (CI), when it fails.

#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet and GeoPandas are names, not code identifiers"
)]

#[path = "support/cli.rs"]
mod cli;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::UInt32Type;
use cli::succeeded;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The binary, with its dataset cache in a temporary folder (never the user's).
fn loupe(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
    command.env("LOUPE_CACHE_DIR", cache);
    command
}

/// The even-odd crossing-number test, written out plainly: a ray towards +x crosses an edge
/// when `y` is in `[y_lo, y_hi)` and the crossing lies strictly right of the point.
fn inside(polygon: &[[f32; 2]], x: f32, y: f32) -> bool {
    let mut inside = false;
    for (i, a) in polygon.iter().enumerate() {
        let b = polygon[(i + 1) % polygon.len()];
        let (lo, hi) = if a[1] < b[1] { (*a, b) } else { (b, *a) };
        if lo[1] <= y && y < hi[1] {
            let crossing = lo[0] + (y - lo[1]) * (hi[0] - lo[0]) / (hi[1] - lo[1]);
            if x < crossing {
                inside = !inside;
            }
        }
    }
    inside
}

/// Embeds the Clay fixture with k-means columns and returns the layout path.
fn embed_clay(dir: &Path, cache: &Path) -> PathBuf {
    let layout = dir.join("layout.parquet");
    let output = loupe(cache)
        .args([
            "embed",
            "--quiet",
            "--iterations",
            "50",
            "--early-exaggeration-iter",
            "50",
            "--perplexity",
            "10",
            "--kmeans",
            "5",
            "--kmeans-vectors",
            "3",
            "--out",
        ])
        .arg(&layout)
        .arg(repo_root().join("tests/fixtures/03WVN_20220610_20220610_v001.gpq"))
        .output()
        .expect("loupe runs");
    succeeded(&output);
    layout
}

#[test]
fn embed_adds_kmeans_columns_and_select_writes_the_rows_inside() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let layout = embed_clay(dir.path(), cache.path());

    let (table, xy) = loupe_data::read_layout_table(&layout).unwrap();
    assert_eq!(table.num_rows(), 417);
    for (column, k) in [("kmeans_2d_5", 5), ("kmeans_hd_3", 3)] {
        let labels = table
            .column_by_name(column)
            .unwrap_or_else(|| panic!("no {column}"));
        let labels = labels.as_primitive::<UInt32Type>();
        assert_eq!(labels.null_count(), 0);
        assert!(labels.values().iter().all(|&l| l < k), "{column} < {k}");
    }

    // The left half of the layout's bounding box, split between two points' x so that no
    // point lies on the edge, and padded outwards.
    let mut xs: Vec<f32> = xy.iter().step_by(2).copied().collect();
    xs.sort_by(f32::total_cmp);
    let split = f32::midpoint(xs[208], xs[209]);
    let (y_min, y_max) = xy
        .iter()
        .skip(1)
        .step_by(2)
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &y| {
            (lo.min(y), hi.max(y))
        });
    let polygon = [
        [xs[0] - 1.0, y_min - 1.0],
        [split, y_min - 1.0],
        [split, y_max + 1.0],
        [xs[0] - 1.0, y_max + 1.0],
    ];
    let expected = xy
        .chunks_exact(2)
        .filter(|p| inside(&polygon, p[0], p[1]))
        .count();
    assert!(expected > 100 && expected < 317, "{expected}");
    let vertices: Vec<String> = polygon.iter().map(|[x, y]| format!("{x},{y}")).collect();

    for name in ["left.parquet", "left.csv", "left.geojson"] {
        let out = dir.path().join(name);
        let output = loupe(cache.path())
            .args(["select"])
            .arg(&layout)
            .args(["--polygon", &vertices.join(" "), "--out"])
            .arg(&out)
            .output()
            .unwrap();
        let stdout = succeeded(&output);
        assert!(
            stdout.contains(&format!("selected {expected} of 417 rows")),
            "{stdout}"
        );
        if name.ends_with(".geojson") {
            let json: Value = serde_json::from_reader(std::fs::File::open(&out).unwrap()).unwrap();
            let features = json["features"].as_array().unwrap();
            assert_eq!(features.len(), expected);
            for f in features {
                assert_eq!(f["geometry"]["type"], "Polygon");
                let p = &f["properties"];
                let (x, y) = (p["x"].as_f64().unwrap(), p["y"].as_f64().unwrap());
                assert!(inside(&polygon, x as f32, y as f32));
                assert!(p["kmeans_2d_5"].as_u64().unwrap() < 5);
            }
            continue;
        }
        let (selected, sxy) = loupe_data::read_layout_table(&out).unwrap();
        assert_eq!(selected.num_rows(), expected, "{name}");
        assert!(sxy.chunks_exact(2).all(|p| inside(&polygon, p[0], p[1])));
        let names: Vec<&str> = selected
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let all: Vec<&str> = table
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, all, "every column, in order");
    }

    let file = std::fs::File::open(dir.path().join("left.parquet")).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let has_geo = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .is_some_and(|kv| kv.iter().any(|e| e.key == "geo"));
    assert!(has_geo, "the selection is GeoParquet");

    check_with_geopandas(dir.path(), expected);
}

#[test]
fn select_by_box_empty_regions_and_bad_polygons() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let layout = embed_clay(dir.path(), cache.path());
    let (_, xy) = loupe_data::read_layout_table(&layout).unwrap();
    let expected = xy
        .chunks_exact(2)
        .filter(|p| p[0] <= 0.0 && p[1] <= 0.0)
        .count();

    let out = dir.path().join("box.csv");
    let output = loupe(cache.path())
        .arg("select")
        .arg(&layout)
        .args(["--box", "0,0,-1e9,-1e9", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = succeeded(&output);
    assert!(
        stdout.contains(&format!("selected {expected} of 417")),
        "{stdout}"
    );
    assert_eq!(
        loupe_data::read_layout_table(&out).unwrap().0.num_rows(),
        expected
    );

    // Nothing inside: a valid empty file, and a warning.
    let out = dir.path().join("none.geojson");
    let output = loupe(cache.path())
        .arg("select")
        .arg(&layout)
        .args(["--polygon", "1e6,1e6 2e6,1e6 2e6,2e6", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    succeeded(&output);
    assert!(String::from_utf8_lossy(&output.stderr).contains("warning"));
    let json: Value = serde_json::from_reader(std::fs::File::open(&out).unwrap()).unwrap();
    assert_eq!(json["features"].as_array().map(Vec::len), Some(0));
    let out = dir.path().join("none.parquet");
    let output = loupe(cache.path())
        .arg("select")
        .arg(&layout)
        .args(["--box", "1e6,1e6,2e6,2e6", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    succeeded(&output);
    let (empty, _) = loupe_data::read_layout_table(&out).unwrap();
    assert_eq!(empty.num_rows(), 0);
    assert!(empty.column_by_name("kmeans_hd_3").is_some());

    for bad in ["0,0 1,1", "0,0 1,x 2,2", "0,0;1"] {
        let output = loupe(cache.path())
            .arg("select")
            .arg(&layout)
            .args(["--polygon", bad, "--out"])
            .arg(dir.path().join("bad.parquet"))
            .output()
            .unwrap();
        assert!(!output.status.success(), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains("--polygon"), "{stderr}");
    }
    assert!(!dir.path().join("bad.parquet").exists());

    let output = loupe(cache.path())
        .args(["embed", "--quiet", "--kmeans", "0", "--out"])
        .arg(dir.path().join("k0.parquet"))
        .arg(repo_root().join("tests/fixtures/03WVN_20220610_20220610_v001.gpq"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--kmeans") && stderr.contains("417"),
        "{stderr}"
    );
}

/// Reads the three files and prints what GeoPandas found, as JSON.
const SCRIPT: &str = r#"
import json, sys
import geopandas
parquet, geojson = sys.argv[1:3]
out = {}
for name, frame in [("parquet", geopandas.read_parquet(parquet)),
                    ("geojson", geopandas.read_file(geojson))]:
    out[name] = {"rows": len(frame), "types": sorted(set(frame.geom_type)),
                 "crs": frame.crs.to_string() if frame.crs else None,
                 "columns": list(frame.columns)}
print(json.dumps(out))
"#;

/// The Python to use, or why there is none.
fn python() -> Result<OsString, String> {
    let explicit = std::env::var_os("LOUPE_PYTHON").filter(|p| !p.is_empty());
    let candidate = explicit.clone().unwrap_or_else(|| "python3".into());
    let works = Command::new(&candidate)
        .args(["-c", "import geopandas, pyarrow"])
        .output()
        .is_ok_and(|o| o.status.success());
    match (works, explicit) {
        (true, _) => Ok(candidate),
        (false, Some(p)) => panic!("LOUPE_PYTHON={} cannot import geopandas", p.display()),
        (false, None) => Err("python3 cannot import geopandas and pyarrow".to_owned()),
    }
}

fn check_with_geopandas(dir: &Path, expected: usize) {
    let python = match python() {
        Ok(python) => python,
        Err(why) if std::env::var("LOUPE_REQUIRE_PYARROW").as_deref() == Ok("1") => {
            panic!("LOUPE_REQUIRE_PYARROW=1 but {why}; set LOUPE_PYTHON to a python with geopandas")
        }
        Err(why) => {
            eprintln!(
                "\n!!!!! SKIP the GeoPandas part of cli_select: {why}. Set LOUPE_PYTHON to a \
                 python with pyarrow and geopandas to run it. !!!!!\n"
            );
            return;
        }
    };
    let output = Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(dir.join("left.parquet"))
        .arg(dir.join("left.geojson"))
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let found: Value = serde_json::from_slice(&output.stdout).expect("JSON from python");
    for name in ["parquet", "geojson"] {
        let f = &found[name];
        assert_eq!(f["rows"], expected, "{name}: {f}");
        assert_eq!(f["types"], serde_json::json!(["Polygon"]), "{name}: {f}");
        let crs = f["crs"].as_str().unwrap_or_default();
        assert!(crs == "EPSG:4326" || crs == "OGC:CRS84", "{name}: {f}");
        let columns = f["columns"].as_array().expect("a column list");
        assert!(columns.iter().any(|c| c == "kmeans_2d_5"), "{name}: {f}");
    }
}
