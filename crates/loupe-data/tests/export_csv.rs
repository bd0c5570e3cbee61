//! Layouts exported as CSV and read back through Loupe's own CSV reader.

use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{ArrayRef, UInt32Array};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use loupe_data::{ReadOptions, VectorColumns, read_file, read_path, write_layout_csv};

const CLAY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/03WVN_20220610_20220610_v001.gpq"
);

fn text(column: &dyn arrow_array::Array, row: usize) -> String {
    ArrayFormatter::try_new(column, &FormatOptions::default())
        .expect("formatter")
        .value(row)
        .to_string()
}

/// Every number in a WKT string, in order.
fn numbers(wkt: &str) -> Vec<f64> {
    wkt.split(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E' | '+')))
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("number"))
        .collect()
}

#[test]
fn clay_layout_as_csv_with_wkt_geometry() {
    let source = read_path(Path::new(CLAY), &ReadOptions::default()).expect("clay");
    let n = source.n_rows();
    let xy: Vec<f32> = (0..2 * n)
        .map(|i| (i as f32).sqrt() * -0.37 + 1e-3)
        .collect();
    let cluster: ArrayRef = Arc::new(UInt32Array::from_iter_values((0..n as u32).map(|i| i / 50)));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("clay-layout.csv");
    write_layout_csv(&out, &source, &xy, &[("cluster", Arc::clone(&cluster))]).expect("write");

    let header = std::fs::read_to_string(&out).expect("text");
    assert!(
        header.starts_with("index,source_url,date,geometry,x,y,cluster\n"),
        "{}",
        &header[..80]
    );
    let options = ReadOptions {
        vector_columns: Some(VectorColumns::Names(vec!["x".into(), "y".into()])),
        ..ReadOptions::default()
    };
    let (layout, _) = read_file(&out, &options).expect("csv reads back");
    assert_eq!(layout.n_rows(), n);
    assert_eq!(
        layout.vectors(),
        xy.as_slice(),
        "f32 survives the text round trip"
    );
    for name in ["index", "source_url", "date", "cluster"] {
        let before = if name == "cluster" {
            Arc::clone(&cluster)
        } else {
            Arc::clone(source.metadata().column_by_name(name).expect("source"))
        };
        let after = layout.metadata().column_by_name(name).expect("layout");
        for row in [0, 1, n / 2, n - 1] {
            assert_eq!(
                text(before.as_ref(), row),
                text(after.as_ref(), row),
                "{name}[{row}]"
            );
        }
    }

    let wkb = source
        .metadata()
        .column_by_name("geometry")
        .expect("geometry");
    let wkt = layout.metadata().column_by_name("geometry").expect("wkt");
    let wkt = wkt.as_string::<i32>();
    for (row, bytes) in wkb.as_binary::<i32>().iter().enumerate() {
        let bytes = bytes.expect("every chip has a footprint");
        let mut expected = Vec::new();
        loupe_geo::parse_wkb(bytes)
            .expect("wkb")
            .for_each_coord(&mut |c| expected.extend([c.x, c.y]));
        let text = wkt.value(row);
        assert!(text.starts_with("POLYGON (("), "{text}");
        let parsed = numbers(text);
        assert_eq!(parsed.len(), expected.len(), "{text}");
        assert!(
            parsed
                .iter()
                .zip(&expected)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "row {row}: {text}"
        );
    }
}

#[test]
fn empty_layout_writes_a_header() {
    let ds = loupe_core::Dataset::new(
        "empty",
        "v",
        Vec::new(),
        2,
        arrow_array::RecordBatch::new_empty(Arc::new(arrow_schema::Schema::empty())),
    )
    .expect("dataset");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("empty.csv");
    write_layout_csv(&out, &ds, &[], &[]).expect("write");
    assert_eq!(std::fs::read_to_string(&out).expect("text"), "x,y\n");
}

#[test]
fn list_columns_become_text_loupe_reads_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = dir.path().join("source.parquet");
    let tags: ArrayRef = Arc::new(arrow_array::ListArray::from_iter_primitive::<
        arrow_array::types::Int32Type,
        _,
        _,
    >(vec![Some(vec![Some(1), Some(2)]), None]));
    let vectors: ArrayRef = Arc::new(arrow_array::FixedSizeListArray::from_iter_primitive::<
        arrow_array::types::Float32Type,
        _,
        _,
    >(
        vec![
            Some(vec![Some(1.0), Some(0.0), Some(2.0)]),
            Some(vec![Some(0.5), Some(1.0), Some(3.0)]),
        ],
        3,
    ));
    let schema = arrow_schema::Schema::new(vec![
        arrow_schema::Field::new("emb", vectors.data_type().clone(), false),
        arrow_schema::Field::new("tags", tags.data_type().clone(), true),
    ]);
    let batch =
        arrow_array::RecordBatch::try_new(Arc::new(schema), vec![vectors, tags]).expect("batch");
    let file = std::fs::File::create(&source).expect("create");
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).expect("w");
    writer.write(&batch).expect("write");
    writer.close().expect("close");

    let ds = read_path(&source, &ReadOptions::default()).expect("read");
    let out = dir.path().join("layout.csv");
    write_layout_csv(&out, &ds, &[1.0, 2.0, 3.0, 4.0], &[]).expect("write");
    assert_eq!(
        std::fs::read_to_string(&out).expect("text"),
        "tags,x,y\n\"[1, 2]\",1.0,2.0\n,3.0,4.0\n"
    );
}
