//! Measures opening a large synthetic folder the first time and again from the cache, and what
//! a memory-mapped, zero-copy cache read would cost.
//!
//! ```text
//! cargo run --release -p loupe-ingest --example reopen_bench -- generate DIR [FILES ROWS DIM]
//! cargo run --release -p loupe-ingest --example reopen_bench -- open DIR CACHE_DIR
//! cargo run --release -p loupe-ingest --example reopen_bench -- reopen DIR CACHE_DIR
//! cargo run --release -p loupe-ingest --example reopen_bench -- mmap CACHE_FILE
//! ```
//!
//! `open` empties `CACHE_DIR` first, then opens four times (a build, then three cache hits);
//! `reopen` keeps the cache. `generate` writes Clay-named GeoParquet files (`list<float32>` embeddings, WKB polygons,
//! CRS84) of seeded pseudo-random values; 100 × 10,000 × 768 is about 3 GB.

use std::error::Error;
use std::fs::{self, File};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{ArrayRef, BinaryArray, Int64Array, ListArray, RecordBatch};
use arrow_schema::{Field, Schema};
use loupe_geo::{Coord, Geometry, Polygon, write_wkb};
use loupe_ingest::{CachePolicy, OpenOptions, Progress, describe, open};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).cloned().ok_or("missing argument");
    let number = |i: usize, default: usize| args.get(i).map_or(Ok(default), |s| s.parse());
    match arg(0)?.as_str() {
        "generate" => generate(
            Path::new(&arg(1)?),
            number(2, 100)?,
            number(3, 10_000)?,
            number(4, 768)?,
        ),
        "open" => open_twice(Path::new(&arg(1)?), Path::new(&arg(2)?), true),
        "reopen" => open_twice(Path::new(&arg(1)?), Path::new(&arg(2)?), false),
        "mmap" => mmap_read(Path::new(&arg(1)?)),
        other => Err(format!("unknown command {other}").into()),
    }
}

/// xorshift64*: deterministic values without a dependency.
struct Rng(u64);

impl Rng {
    fn next_f32(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40;
        bits as f32 / (1u64 << 24) as f32 - 0.5
    }
}

fn generate(dir: &Path, files: usize, rows: usize, dim: usize) -> Result<()> {
    fs::create_dir_all(dir)?;
    let start = Instant::now();
    let geo = r#"{"version": "1.0.0", "primary_column": "geometry", "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Polygon"]}}}"#;
    for f in 0..files {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (f as u64 + 1));
        let lists =
            (0..rows).map(|_| Some((0..dim).map(|_| Some(rng.next_f32())).collect::<Vec<_>>()));
        let embeddings = ListArray::from_iter_primitive::<Float32Type, _, _>(lists);
        let chips: Vec<Vec<u8>> = (0..rows)
            .map(|r| {
                let (x, y) = (-170.0 + (f % 60) as f64 * 5.0, 60.0 + r as f64 * 1e-3);
                let ring = [
                    (x, y),
                    (x + 0.02, y),
                    (x + 0.02, y + 0.02),
                    (x, y + 0.02),
                    (x, y),
                ];
                let ring = ring.iter().map(|&(x, y)| Coord::new(x, y)).collect();
                write_wkb(&Geometry::Polygon(Polygon::from_rings(vec![ring])))
            })
            .collect();
        let geometry = BinaryArray::from_iter_values(chips.iter());
        let ids = Int64Array::from_iter_values(0..rows as i64);
        let columns: Vec<ArrayRef> = vec![Arc::new(ids), Arc::new(embeddings), Arc::new(geometry)];
        let fields: Vec<Field> = columns
            .iter()
            .zip(["index", "embeddings", "geometry"])
            .map(|(a, n)| Field::new(n, a.data_type().clone(), true))
            .collect();
        let metadata: std::collections::HashMap<String, String> =
            [("geo".to_owned(), geo.to_owned())].into_iter().collect();
        let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
        let batch = RecordBatch::try_new(Arc::clone(&schema), columns)?;
        // Clay names, unique for up to 60 × 26 files: zone 01–60, square A… by the 60s.
        let square = char::from(b'A' + (f / 60 % 26) as u8);
        let name = format!("{:02}W{square}N_20220610_20220611_v001.gpq", f % 60 + 1);
        let props = WriterProperties::builder()
            .set_dictionary_enabled(false)
            .build();
        let mut writer = ArrowWriter::try_new(File::create(dir.join(name))?, schema, Some(props))?;
        writer.write(&batch)?;
        writer.close()?;
    }
    println!(
        "generated {files} files of {rows} × {dim} in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn open_twice(dir: &Path, cache: &Path, fresh: bool) -> Result<()> {
    if fresh && cache.exists() {
        fs::remove_dir_all(cache)?;
    }
    let options = OpenOptions {
        cache: CachePolicy::Dir(cache.to_path_buf()),
        ..OpenOptions::default()
    };
    let quiet = |_: &Progress| {};
    for run in ["first open", "reopen 1", "reopen 2", "reopen 3"] {
        let start = Instant::now();
        let opened = open(dir, &options, &quiet)?;
        let elapsed = start.elapsed().as_secs_f64();
        let t = opened.report.timings;
        println!(
            "{run}: {elapsed:.4} s for {} × {} (files {:.3} s, combine {:.3} s, cache read {:.3} s, cache write {:.3} s, hit {})",
            opened.dataset.n_rows(),
            opened.dataset.dim(),
            t.files.as_secs_f64(),
            t.combine.as_secs_f64(),
            t.cache_read.as_secs_f64(),
            t.cache_write.as_secs_f64(),
            opened.report.from_cache(),
        );
        if run == "first open" {
            print!("{}", describe(&opened));
        }
        let drop_start = Instant::now();
        drop(opened);
        println!(
            "  (dropping it took {:.3} s)",
            drop_start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The theoretical zero-copy path: map the cache file, decode every batch over the mapping.
#[allow(
    unsafe_code,
    reason = "measuring memmap2; see the report for why it is sound"
)]
fn mmap_read(file: &Path) -> Result<()> {
    use arrow_buffer::Buffer;
    use arrow_ipc::convert::try_fb_to_schema;
    use arrow_ipc::reader::{FileDecoder, read_footer_length};
    use arrow_ipc::root_as_footer;

    let plain = Instant::now();
    let bytes = fs::read(file)?;
    println!(
        "plain read of {} bytes into memory (the no-mmap fallback): {:.3} s",
        bytes.len(),
        plain.elapsed().as_secs_f64()
    );
    drop(bytes);

    let start = Instant::now();
    let handle = File::open(file)?;
    // SAFETY: the cache file is never modified after its atomic rename; opened read-only.
    let map = unsafe { memmap2::Mmap::map(&handle)? };
    let buffer = Buffer::from(bytes::Bytes::from_owner(map));
    let len = buffer.len();
    let tail: [u8; 10] = buffer[len - 10..].try_into()?;
    let footer_len = read_footer_length(tail)?;
    let footer =
        root_as_footer(&buffer[len - 10 - footer_len..len - 10]).map_err(|e| e.to_string())?;
    let schema = Arc::new(try_fb_to_schema(footer.schema().ok_or("no schema")?)?);
    let decoder = FileDecoder::new(Arc::clone(&schema), footer.version());
    let mut slices = Vec::new();
    let mut rows = 0;
    for block in footer.recordBatches().ok_or("no batches")? {
        let block_len = block.bodyLength() as usize + block.metaDataLength() as usize;
        let data = buffer.slice_with_length(block.offset() as usize, block_len);
        let batch = decoder
            .read_record_batch(block, &data)?
            .ok_or("empty block")?;
        rows += batch.num_rows();
        let list = batch
            .column(batch.num_columns() - 1)
            .as_fixed_size_list()
            .clone();
        slices.push(list.values().as_primitive::<Float32Type>().values().clone());
    }
    let mapped = start.elapsed().as_secs_f64();
    let values: usize = slices
        .iter()
        .map(arrow_buffer::ScalarBuffer::len)
        .sum::<usize>();
    println!(
        "mmap + decode {rows} rows ({values} floats in {} batches), zero-copy: {mapped:.3} s",
        slices.len()
    );

    let check = Instant::now();
    let finite = slices.iter().all(|s| s.iter().all(|v| v.is_finite()));
    println!(
        "  finite check over the mapping (touches every page): {:.3} s ({finite})",
        check.elapsed().as_secs_f64()
    );
    let check = Instant::now();
    let finite = slices.iter().all(|s| s.iter().all(|v| v.is_finite()));
    println!(
        "  finite check again (pages now mapped): {:.3} s ({finite})",
        check.elapsed().as_secs_f64()
    );
    let copy = Instant::now();
    let mut all = Vec::with_capacity(values);
    for s in &slices {
        all.extend_from_slice(s);
    }
    println!(
        "  copy into one Vec<f32>: {:.3} s",
        copy.elapsed().as_secs_f64()
    );
    let arc = Instant::now();
    let shared: Arc<[f32]> = all.into();
    println!(
        "  Vec<f32> → Arc<[f32]> (what Dataset::new does): {:.3} s",
        arc.elapsed().as_secs_f64()
    );
    drop(shared);
    Ok(())
}
