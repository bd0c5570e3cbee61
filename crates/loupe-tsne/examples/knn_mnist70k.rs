//! Approximate vs exact kNN on all 70,000 MNIST digits reduced to 50 principal components,
//! k = 90 (3 × perplexity 30, what the t-SNE affinities need):
//! `cargo run --release -p loupe-tsne --example knn_mnist70k -- [data_dir=/work/shared/data/mnist] [threads]`
//!
//! Prints the time of each search and the approximate graph's recall@90 against the exact one.
//! Skips (exit 0) when the IDX files are absent. Lives in `loupe-tsne` for its PCA.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use loupe_knn::{ApproxParams, Metric, approximate_knn, exact_knn};
use loupe_tsne::Pca;

const K: usize = 90;

/// Pixels of one gzipped IDX image file, scaled to [0, 1].
fn read_images(path: &Path) -> Result<Vec<f32>, Box<dyn std::error::Error>> {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path)?).read_to_end(&mut bytes)?;
    if bytes.len() < 16 || bytes[..4] != [0, 0, 8, 3] {
        return Err(format!("{} is not an IDX image file", path.display()).into());
    }
    Ok(bytes[16..].iter().map(|&p| f32::from(p) / 255.0).collect())
}

/// Mean fraction of each point's exact `k` neighbours that `approx` found.
fn recall(exact: &loupe_knn::KnnGraph, approx: &loupe_knn::KnnGraph) -> f64 {
    let n = exact.n_points();
    let mut found = 0_usize;
    let mut truth: Vec<u32> = Vec::with_capacity(exact.k);
    for i in 0..n {
        truth.clear();
        truth.extend_from_slice(exact.neighbors(i));
        truth.sort_unstable();
        found += approx
            .neighbors(i)
            .iter()
            .filter(|j| truth.binary_search(j).is_ok())
            .count();
    }
    found as f64 / (n * exact.k) as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(
        args.first()
            .map_or("/work/shared/data/mnist", String::as_str),
    );
    let threads: usize = args.get(1).map_or(Ok(0), |t| t.parse())?;
    let files = ["train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
        .map(|f| dir.join(f))
        .map(|p| {
            if p.exists() {
                p
            } else {
                p.with_file_name(
                    p.file_name()
                        .and_then(|f| f.to_str())
                        .unwrap_or_default()
                        .replace("-idx", ".idx"),
                )
            }
        });
    if !files.iter().all(|p| p.exists()) {
        println!("skipped: MNIST IDX files not found in {}", dir.display());
        return Ok(());
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()?;
    let mut pixels = read_images(&files[0])?;
    pixels.extend(read_images(&files[1])?);
    let n = pixels.len() / 784;
    let start = Instant::now();
    let pca = Pca::fit(&pixels, 784, 50, 0)?;
    let x = pca.transform(&pixels);
    println!(
        "PCA {n} × 784 → 50: {:.2} s ({} threads)",
        start.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    for metric in [Metric::Euclidean, Metric::Cosine] {
        let start = Instant::now();
        let exact = exact_knn(&x, 50, K, metric)?;
        let exact_s = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let approx = approximate_knn(&x, 50, K, metric, ApproxParams::default())?;
        let approx_s = start.elapsed().as_secs_f64();
        println!(
            "{metric:?} k={K}: exact {exact_s:.2} s; approximate {approx_s:.2} s, recall@{K} {:.4}",
            recall(&exact, &approx)
        );
    }
    Ok(())
}
