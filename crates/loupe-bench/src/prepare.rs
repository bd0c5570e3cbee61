//! `loupe-bench prepare`: one shared input for every tool.
//!
//! MNIST train + test (70,000 digits) scaled to `[0, 1]`, reduced to 50 dimensions by Loupe's
//! seeded PCA, written once so openTSNE and Loupe embed the identical matrix; plus the labels
//! and the exact 90-NN graph(s) that kNN recall is measured against.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use arrow_array::{Array, UInt8Array};
use loupe_data::{ReadOptions, read_path};
use loupe_knn::{Metric, exact_knn};
use loupe_tsne::Pca;

use crate::files::{Record, write_f32, write_u32};

/// Neighbours in the reference graphs: `3 × perplexity 30`, what t-SNE's affinities use.
pub const EXACT_K: usize = 90;
/// Dimensions after PCA, the standard t-SNE benchmark input.
pub const PCA_DIMS: usize = 50;
/// Seed of the PCA (and of nothing else here).
pub const PCA_SEED: u64 = 0;

/// Names of the prepared files inside the output folder.
pub mod names {
    /// `N × 50` little-endian `f32`.
    pub const DATA: &str = "mnist_pca50.f32";
    /// `N` labels, one byte each.
    pub const LABELS: &str = "mnist_labels.u8";
    /// Shape and provenance.
    pub const META: &str = "dataset.json";

    /// The exact `N × 90` neighbour graph (`u32`) for a metric.
    pub fn exact_knn(metric: &str) -> String {
        format!("exact_knn90_{metric}.u32")
    }
}

/// What `prepare` needs.
#[derive(Debug, Clone)]
pub struct PrepareArgs {
    /// Folder with the four MNIST IDX files (gzip or raw).
    pub mnist: PathBuf,
    /// Output folder.
    pub out: PathBuf,
    /// Keep the first `n` of the 70,000 digits (train first, then test).
    pub n: Option<usize>,
    /// Also write the exact cosine graph (for presets that use the cosine metric).
    pub cosine: bool,
}

/// Finds `{stem}-images*` in `dir` (the `.idx3-ubyte` and `-idx3-ubyte` spellings, gzip or not).
fn images_file(dir: &Path, stem: &str) -> Result<PathBuf> {
    for name in [
        format!("{stem}-images.idx3-ubyte.gz"),
        format!("{stem}-images-idx3-ubyte.gz"),
        format!("{stem}-images.idx3-ubyte"),
        format!("{stem}-images-idx3-ubyte"),
    ] {
        let path = dir.join(name);
        if path.is_file() {
            return Ok(path);
        }
    }
    bail!("no {stem}-images IDX file in {}", dir.display())
}

/// Pixels (`[0, 1]`) and labels of the first `limit` rows of one IDX images file.
fn read_digits(path: &Path, limit: usize) -> Result<(Vec<f32>, Vec<u8>, usize)> {
    let dataset = read_path(
        path,
        &ReadOptions {
            column: None,
            limit: Some(limit),
            ..ReadOptions::default()
        },
    )?;
    let labels = dataset
        .metadata()
        .column_by_name("label")
        .and_then(|c| c.as_any().downcast_ref::<UInt8Array>())
        .with_context(|| format!("no labels file next to {}", path.display()))?;
    if labels.null_count() > 0 {
        bail!("null labels in the labels file next to {}", path.display());
    }
    Ok((
        dataset.vectors().to_vec(),
        labels.values().to_vec(),
        dataset.dim(),
    ))
}

/// Runs the preparation and returns the dataset record it wrote.
pub fn prepare(args: &PrepareArgs) -> Result<Record> {
    let want = args.n.unwrap_or(usize::MAX);
    if want < 2 * EXACT_K {
        bail!("--n must be at least {} points", 2 * EXACT_K);
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let start = Instant::now();
    let (mut pixels, mut labels, dim) = read_digits(&images_file(&args.mnist, "train")?, want)?;
    if labels.len() < want {
        let (more, more_labels, test_dim) =
            read_digits(&images_file(&args.mnist, "t10k")?, want - labels.len())?;
        if test_dim != dim {
            bail!("train and test images differ in size ({dim} vs {test_dim} pixels)");
        }
        pixels.extend(more);
        labels.extend(more_labels);
    }
    let n = labels.len();
    if args.n.is_some_and(|w| w > n) {
        bail!("asked for {want} digits but only {n} exist");
    }
    let read_s = start.elapsed().as_secs_f64();
    eprintln!("read {n} × {dim} digits in {read_s:.1} s");

    let start = Instant::now();
    let pca = Pca::fit(&pixels, dim, PCA_DIMS, PCA_SEED)?;
    let data = pca.transform(&pixels);
    drop(pixels);
    let pca_s = start.elapsed().as_secs_f64();
    eprintln!("PCA {dim} → {PCA_DIMS} in {pca_s:.1} s");
    write_f32(&args.out.join(names::DATA), &data)?;
    std::fs::write(args.out.join(names::LABELS), &labels)
        .with_context(|| format!("writing {}", args.out.join(names::LABELS).display()))?;

    let mut record = Record::default();
    record
        .str("source", &args.mnist.display().to_string())
        .num("n", n as f64)
        .num("dim", PCA_DIMS as f64)
        .num("input_dim", dim as f64)
        .num("pca_seed", PCA_SEED as f64)
        .num("pca_s", pca_s)
        .num("exact_k", EXACT_K as f64);
    let mut metrics = vec![(Metric::Euclidean, "euclidean")];
    if args.cosine {
        metrics.push((Metric::Cosine, "cosine"));
    }
    for (metric, name) in metrics {
        let start = Instant::now();
        let graph = exact_knn(&data, PCA_DIMS, EXACT_K, metric)?;
        let secs = start.elapsed().as_secs_f64();
        eprintln!("exact {name} {EXACT_K}-NN in {secs:.1} s");
        write_u32(&args.out.join(names::exact_knn(name)), &graph.indices)?;
        record.num(&format!("exact_knn_{name}_s"), secs);
    }
    record.write(&args.out.join(names::META))?;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::files::{read_f32, read_u32};

    fn idx(dims: &[u32], bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![0, 0, 8, dims.len() as u8];
        for d in dims {
            out.extend(d.to_be_bytes());
        }
        out.extend(bytes);
        out
    }

    fn gz(path: &Path, bytes: &[u8]) {
        let file = std::fs::File::create(path).unwrap();
        let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap();
    }

    /// A synthetic MNIST: `train` + `test` images of 8×8 pixels, labels = row % 10.
    fn synthetic(dir: &Path, train: u32, test: u32) {
        for (stem, count, offset) in [("train", train, 0), ("t10k", test, train)] {
            let pixels: Vec<u8> = (0..count * 64)
                .map(|i| {
                    let row = offset + i / 64;
                    ((row * 37 + (i % 64) * (row % 10 + 1)) % 256) as u8
                })
                .collect();
            let labels: Vec<u8> = (0..count).map(|r| ((offset + r) % 10) as u8).collect();
            gz(
                &dir.join(format!("{stem}-images.idx3-ubyte.gz")),
                &idx(&[count, 8, 8], &pixels),
            );
            gz(
                &dir.join(format!("{stem}-labels.idx1-ubyte.gz")),
                &idx(&[count], &labels),
            );
        }
    }

    #[test]
    fn prepare_writes_consistent_files() {
        let dir = tempfile::tempdir().unwrap();
        synthetic(dir.path(), 200, 100);
        let out = dir.path().join("out");
        let args = PrepareArgs {
            mnist: dir.path().to_path_buf(),
            out: out.clone(),
            n: Some(250),
            cosine: true,
        };
        let record = prepare(&args).unwrap();
        assert_eq!(record.get_num("n"), Some(250.0));
        assert_eq!(record.get_num("input_dim"), Some(64.0));
        let data = read_f32(&out.join(names::DATA), Some(250 * PCA_DIMS)).unwrap();
        assert!(data.iter().all(|v| v.is_finite()));
        // PCA scores are centred.
        let mean0: f64 = data
            .iter()
            .step_by(PCA_DIMS)
            .map(|&v| f64::from(v))
            .sum::<f64>()
            / 250.0;
        assert!(mean0.abs() < 1e-3, "{mean0}");
        // Labels run on from train into test: row 200 is the first test digit.
        let labels = std::fs::read(out.join(names::LABELS)).unwrap();
        assert_eq!(labels.len(), 250);
        assert!(
            labels
                .iter()
                .enumerate()
                .all(|(i, &l)| usize::from(l) == i % 10)
        );
        for metric in ["euclidean", "cosine"] {
            let graph = read_u32(&out.join(names::exact_knn(metric)), Some(250 * EXACT_K)).unwrap();
            for (i, row) in graph.chunks_exact(EXACT_K).enumerate() {
                assert!(row.iter().all(|&j| (j as usize) < 250 && j as usize != i));
            }
        }
        assert_eq!(Record::read(&out.join(names::META)).unwrap(), record);
        // Asking for more digits than exist is an error, not a short file.
        let too_many = PrepareArgs {
            n: Some(400),
            ..args
        };
        assert!(prepare(&too_many).is_err());
    }
}
