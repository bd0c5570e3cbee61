//! What Loupe exports, read by pyarrow (and GeoPandas and shapely when installed): the files
//! must open in the tools users take them to, not only in Loupe.
//!
//! Needs a Python with pyarrow: `$LOUPE_PYTHON` when set, else `python3` if it imports
//! pyarrow. Without one the test prints a SKIP line and passes, unless
//! `LOUPE_REQUIRE_PYARROW=1`, when it fails (CI sets it). GeoPandas and shapely checks run
//! when those import, and are reported as skipped otherwise.

#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet, GeoPandas, GeoArrow and PostGIS are names, not code identifiers"
)]

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use arrow_array::{ArrayRef, UInt32Array};
use loupe_data::{
    ReadOptions, TrajectoryWriter, read_file, write_layout_csv, write_layout_parquet,
};
use serde_json::{Value, json};

const CLAY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/03WVN_20220610_20220610_v001.gpq"
);

/// Reads the three files and prints one JSON object of what it found.
const SCRIPT: &str = r#"
import json, sys
import pyarrow as pa, pyarrow.parquet as pq, pyarrow.csv as pcsv
layout, csv, trajectory = sys.argv[1:4]
out = {}
t = pq.read_table(layout)
geo = json.loads(t.schema.metadata[b"geo"])
out["layout"] = {"rows": t.num_rows, "columns": t.column_names, "geo": geo,
                 "x": t["x"].to_pylist()[:3], "cluster_type": str(t["cluster"].type)}
c = pcsv.read_csv(csv)
out["csv"] = {"rows": c.num_rows, "columns": c.column_names,
              "geometry0": c["geometry"][0].as_py()}
tr = pq.read_table(trajectory)
out["trajectory"] = {"rows": tr.num_rows, "columns": tr.column_names,
                     "types": [str(f.type) for f in tr.schema],
                     "epochs": sorted(set(tr["epoch"].to_pylist()))}
try:
    import geopandas, shapely
except ImportError:
    out["geopandas"] = None
else:
    g = geopandas.read_parquet(layout)
    w = shapely.from_wkt(c["geometry"].to_pylist())
    out["geopandas"] = {"crs": g.crs.to_string(), "bounds": list(map(float, g.total_bounds)),
                        "types": sorted(set(g.geom_type)), "rows": len(g),
                        "wkt_bounds": list(map(float, shapely.total_bounds(w)))}
print(json.dumps(out))
"#;

/// The Python to use, or why there is none.
fn python() -> Result<OsString, String> {
    let explicit = std::env::var_os("LOUPE_PYTHON").filter(|p| !p.is_empty());
    let candidate = explicit.clone().unwrap_or_else(|| "python3".into());
    let works = Command::new(&candidate)
        .args(["-c", "import pyarrow"])
        .output()
        .is_ok_and(|o| o.status.success());
    match (works, explicit) {
        (true, _) => Ok(candidate),
        (false, Some(p)) => panic!("LOUPE_PYTHON={} cannot import pyarrow", p.display()),
        (false, None) => Err("python3 cannot import pyarrow".to_owned()),
    }
}

#[test]
fn pyarrow_and_geopandas_read_what_loupe_writes() {
    let python = match python() {
        Ok(python) => python,
        Err(why) if std::env::var("LOUPE_REQUIRE_PYARROW").as_deref() == Ok("1") => {
            panic!("LOUPE_REQUIRE_PYARROW=1 but {why}; set LOUPE_PYTHON to a python with pyarrow")
        }
        Err(why) => {
            eprintln!(
                "\n!!!!! SKIP pyarrow_and_geopandas_read_what_loupe_writes: {why}. Set \
                 LOUPE_PYTHON to a python with pyarrow (and geopandas) to run it. !!!!!\n"
            );
            return;
        }
    };
    let (source, report) = read_file(Path::new(CLAY), &ReadOptions::default()).expect("clay");
    let n = source.n_rows();
    let xy: Vec<f32> = (0..2 * n).map(|i| i as f32 * 0.5 - 100.0).collect();
    let cluster: ArrayRef = Arc::new(UInt32Array::from_iter_values((0..n as u32).map(|i| i % 3)));
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = dir.path().join("layout.parquet");
    let csv = dir.path().join("layout.csv");
    let trajectory = dir.path().join("trajectory.parquet");
    let extra = [("cluster", cluster)];
    write_layout_parquet(&layout, &source, &xy, &extra).expect("parquet");
    write_layout_csv(&csv, &source, &xy, &extra).expect("csv");
    let labels = Arc::clone(
        source
            .metadata()
            .column_by_name("source_url")
            .expect("urls"),
    );
    let mut writer = TrajectoryWriter::create(&trajectory, n, Some(labels)).expect("create");
    for epoch in [0, 1, 2] {
        writer.append(epoch, &xy).expect("append");
    }
    writer.finish().expect("finish");

    let output = Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .args([&layout, &csv, &trajectory])
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let found: Value = serde_json::from_slice(&output.stdout).expect("JSON from python");

    let columns = json!([
        "index",
        "source_url",
        "date",
        "geometry",
        "x",
        "y",
        "cluster"
    ]);
    let l = &found["layout"];
    assert_eq!(l["rows"], n);
    assert_eq!(l["columns"], columns);
    assert_eq!(l["x"], json!([-100.0, -99.0, -98.0]));
    assert_eq!(l["cluster_type"], "uint32");
    let source_geo: Value = serde_json::from_str(&report.key_values["geo"]).expect("geo");
    let g = &l["geo"];
    assert_eq!(g["version"], "1.1.0");
    assert_eq!(g["primary_column"], "geometry");
    assert_eq!(
        g["columns"]["geometry"]["geometry_types"],
        json!(["Polygon"])
    );
    let bbox = &source_geo["columns"]["geometry"]["bbox"];
    assert_eq!(&g["columns"]["geometry"]["bbox"], bbox);

    assert_eq!(found["csv"]["rows"], n);
    assert_eq!(found["csv"]["columns"], columns);
    assert!(
        found["csv"]["geometry0"]
            .as_str()
            .is_some_and(|s| s.starts_with("POLYGON ((")),
        "{}",
        found["csv"]
    );

    let t = &found["trajectory"];
    assert_eq!(t["rows"], 3 * n);
    assert_eq!(t["columns"], json!(["index", "x", "y", "label", "epoch"]));
    assert_eq!(
        t["types"],
        json!(["uint32", "float", "float", "string", "uint32"])
    );
    assert_eq!(t["epochs"], json!([0, 1, 2]));

    match &found["geopandas"] {
        Value::Null => {
            eprintln!("SKIP (part): geopandas/shapely not importable; pyarrow checks passed");
        }
        gp => {
            assert_eq!(gp["rows"], n);
            assert_eq!(gp["crs"], "OGC:CRS84");
            assert_eq!(gp["types"], json!(["Polygon"]));
            assert_eq!(&gp["bounds"], bbox);
            assert_eq!(
                &gp["wkt_bounds"], bbox,
                "WKT parses to the same coordinates"
            );
        }
    }
}
