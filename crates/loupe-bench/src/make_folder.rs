//! `loupe-bench make-folder`: a synthetic folder of Clay-like GeoParquet files for the
//! folder-load benchmark (`scripts/bench-load`).
//!
//! Each file is named `{MGRS}_{date}_{date}_v001.gpq` and has the real files' columns, types,
//! compression (zstd) and schema metadata (see [`crate::clay_like`]): `index` (int64),
//! `source_url` (utf8), `date` (date32), `embeddings` (`list<float32>`) and `geometry` (WKB
//! polygons in CRS84), in one row group. Vectors are a per-tile centre plus uniform noise, so
//! tiles form clusters. Everything follows from `--seed`: file `i` draws from its own
//! generator seeded with `(seed, i)`, so the files can be written in parallel and still come
//! out identical.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use arrow_array::{
    ArrayRef, BinaryArray, Date32Array, Float32Array, Int64Array, ListArray, RecordBatch,
    StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::clay_like::{Date, Tile, box_wkb, geo_json, pandas_json, source_url};

/// 2022-01-01 as days since 1970-01-01; file dates fall in 2022, like the Clay fixture's.
const FIRST_DAY: i32 = 18_993;

/// What to generate.
#[derive(Debug, Clone)]
pub struct FolderSpec {
    /// Output folder (created).
    pub out: PathBuf,
    /// Number of files.
    pub files: usize,
    /// Rows over all files, spread as evenly as possible.
    pub rows: usize,
    /// Values per embedding.
    pub dim: usize,
    /// Seed of everything random.
    pub seed: u64,
}

/// One file to write: its name, tile, date and row count.
struct Plan {
    name: String,
    tile: Tile,
    date: Date,
    rows: usize,
    rng: ChaCha8Rng,
}

/// Writes the folder; returns the files written, in name order.
pub fn make_folder(spec: &FolderSpec) -> Result<Vec<PathBuf>> {
    if spec.files == 0 || spec.dim == 0 || spec.rows < spec.files {
        bail!(
            "need at least one file, one dimension and a row per file (got {} files, {} rows, \
             dimension {})",
            spec.files,
            spec.rows,
            spec.dim
        );
    }
    std::fs::create_dir_all(&spec.out)
        .with_context(|| format!("creating {}", spec.out.display()))?;
    let plans = plan(spec);
    let mut written: Vec<PathBuf> = plans
        .into_par_iter()
        .map(|plan| {
            let path = spec.out.join(&plan.name);
            write_file(&path, plan, spec.dim)?;
            Ok(path)
        })
        .collect::<Result<_>>()?;
    written.sort();
    Ok(written)
}

/// Draws every file's tile, date and row count up front, so names are unique and the result
/// does not depend on the order files are written in.
fn plan(spec: &FolderSpec) -> Vec<Plan> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut names = HashSet::new();
    (0..spec.files)
        .map(|i| {
            loop {
                let tile = Tile::random(&mut rng);
                let date = Date {
                    days: FIRST_DAY + rng.random_range(0..365),
                };
                let day = date.compact();
                let name = format!("{}_{day}_{day}_v001.gpq", tile.mgrs);
                if names.insert(name.clone()) {
                    let rows = spec.rows / spec.files + usize::from(i < spec.rows % spec.files);
                    let mut file_rng = ChaCha8Rng::seed_from_u64(spec.seed);
                    file_rng.set_stream(i as u64 + 1);
                    break Plan {
                        name,
                        tile,
                        date,
                        rows,
                        rng: file_rng,
                    };
                }
            }
        })
        .collect()
}

/// Writes one file: builds its columns and metadata, then one zstd row group.
fn write_file(path: &Path, mut plan: Plan, dim: usize) -> Result<()> {
    let rows = plan.rows;
    let centre: Vec<f32> = (0..dim).map(|_| plan.rng.random_range(-1.0..1.0)).collect();
    let values: Vec<f32> = (0..rows * dim)
        .map(|i| centre[i % dim] + plan.rng.random_range(-0.5..0.5))
        .collect();
    let element = Arc::new(Field::new("element", DataType::Float32, true));
    let embeddings = ListArray::try_new(
        Arc::clone(&element),
        arrow_buffer_offsets(rows, dim)?,
        Arc::new(Float32Array::from(values)),
        None,
    )?;
    let chips: Vec<[f64; 4]> = (0..rows).map(|i| plan.tile.chip(i, rows)).collect();
    let bbox = chips.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |a, c| {
            [
                a[0].min(c[0]),
                a[1].min(c[1]),
                a[2].max(c[2]),
                a[3].max(c[3]),
            ]
        },
    );
    let geometry: BinaryArray = chips.iter().map(|&c| Some(box_wkb(c))).collect();
    let urls: StringArray = (0..rows)
        .map(|i| Some(source_url(&plan.tile.mgrs, plan.date, i)))
        .collect();
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "index",
            Arc::new(Int64Array::from_iter_values(0..rows as i64)),
        ),
        ("source_url", Arc::new(urls)),
        (
            "date",
            Arc::new(Date32Array::from(vec![plan.date.days; rows])),
        ),
        ("embeddings", Arc::new(embeddings)),
        ("geometry", Arc::new(geometry)),
    ];
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
        .collect();
    let metadata = [
        ("pandas".to_owned(), pandas_json(rows)),
        ("geo".to_owned(), geo_json(bbox)),
    ];
    let schema = Arc::new(Schema::new_with_metadata(
        fields,
        metadata
            .iter()
            .cloned()
            .collect::<std::collections::HashMap<_, _>>(),
    ));
    let batch = RecordBatch::try_new(
        Arc::clone(&schema),
        columns.into_iter().map(|c| c.1).collect(),
    )?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(rows.max(1)))
        .set_key_value_metadata(Some(
            metadata
                .into_iter()
                .map(|(k, v)| KeyValue::new(k, v))
                .collect(),
        ))
        .build();
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut writer = ArrowWriter::try_new(file, schema, Some(properties))?;
    writer
        .write(&batch)
        .with_context(|| format!("writing {}", path.display()))?;
    writer
        .close()
        .with_context(|| format!("finishing {}", path.display()))?;
    Ok(())
}

/// List offsets `0, dim, 2·dim, …` for `rows` lists of `dim` values.
fn arrow_buffer_offsets(rows: usize, dim: usize) -> Result<arrow_buffer::OffsetBuffer<i32>> {
    if i32::try_from(rows * dim).is_err() {
        bail!("{rows} × {dim} values do not fit one file's 32-bit list offsets; use more files");
    }
    Ok(arrow_buffer::OffsetBuffer::from_lengths(
        std::iter::repeat_n(dim, rows),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_deterministic_and_clay_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = |out: PathBuf| FolderSpec {
            out,
            files: 3,
            rows: 20,
            dim: 8,
            seed: 5,
        };
        let a = make_folder(&spec(dir.path().join("a"))).expect("a");
        let b = make_folder(&spec(dir.path().join("b"))).expect("b");
        assert_eq!(a.len(), 3);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.file_name(), y.file_name());
            assert_eq!(std::fs::read(x).expect("x"), std::fs::read(y).expect("y"));
            let name = x.file_name().and_then(|n| n.to_str()).expect("name");
            assert!(
                name.ends_with("_v001.gpq")
                    && name.len() == "03WVN_20220610_20220610_v001.gpq".len()
            );
        }
        let (ds, report) = loupe_data::read_file(&a[0], &loupe_data::ReadOptions::default())
            .expect("loupe reads it");
        assert_eq!(ds.dim(), 8);
        assert!(ds.n_rows() == 6 || ds.n_rows() == 7);
        assert_eq!(
            ds.column_names(),
            ["index", "source_url", "date", "geometry"]
        );
        assert!(report.key_values["geo"].contains("\"Polygon\""));
    }
}
