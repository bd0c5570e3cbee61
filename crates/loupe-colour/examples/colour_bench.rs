//! Times every colouring on MNIST-sized input and the trust map on a million points.
//!
//! ```text
//! cargo run --release -p loupe-colour --example colour_bench -- \
//!     [--vectors mnist_pca50.f32 --dim 50 [--layout layout.f32]] [--million]
//! ```
//!
//! `--vectors` is a raw little-endian `f32` file, `N × dim` row-major (what `loupe-bench
//! prepare` writes as `data/mnist_pca50.f32`); `--layout` is a raw `N × 2` layout (a
//! `runs/*.f32` file). Without them, Gaussian blobs stand in (70,000 × 50, 10 clusters).
//! `--million` also times the trust map on 1,000,000 blob points × 50 dimensions.

use std::error::Error;
use std::time::Instant;

use loupe_colour::{
    ArgmaxOf, IcaParams, TrustParams, argmax_colours, fast_ica, ica_rgb, no_progress, pca_bits,
    pca_rgb, trust_map,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let dim: usize = value("--dim").map_or(Ok(50), |d| d.parse())?;
    let (vectors, source) = match value("--vectors") {
        Some(path) => (read_f32(path)?, path.clone()),
        None => (blobs(70_000, dim, 10, 1).0, "Gaussian blobs".to_owned()),
    };
    let n = vectors.len() / dim;
    let layout = match value("--layout") {
        Some(path) => read_f32(path)?,
        None => blobs(n, dim, 10, 1).1,
    };
    println!(
        "{n} points × {dim} dims from {source}; {} rayon threads",
        rayon::current_num_threads()
    );

    time("PCA → RGB", || {
        pca_rgb(&vectors, dim, 0, no_progress).map(|_| ())
    })?;
    time("PCA-24 bits", || {
        pca_bits(&vectors, dim, 0, no_progress).map(|_| ())
    })?;
    let params = IcaParams::default();
    time("ICA → RGB (PCA 10 → FastICA 3)", || {
        ica_rgb(&vectors, dim, &params, no_progress).map(|_| ())
    })?;
    let ica = fast_ica(&vectors, dim, 3, &params, no_progress)?;
    println!(
        "    (FastICA: {} iterations, converged: {})",
        ica.iterations, ica.converged
    );
    for (name, of) in [
        ("argmax raw", ArgmaxOf::Raw),
        ("argmax standardised", ArgmaxOf::Standardised),
        (
            "argmax PCA-10 standardised",
            ArgmaxOf::Pca {
                components: 10,
                seed: 0,
            },
        ),
    ] {
        time(name, || {
            argmax_colours(&vectors, dim, of, no_progress).map(|_| ())
        })?;
    }
    let trust = TrustParams::default();
    time("trust map (k = 10)", || {
        trust_map(&vectors, dim, &layout, &trust, no_progress).map(|_| ())
    })?;

    if args.iter().any(|a| a == "--million") {
        let (big, big_layout) = blobs(1_000_000, 50, 20, 2);
        println!("1000000 points × 50 dims, Gaussian blobs");
        time("trust map (k = 10)", || {
            trust_map(&big, 50, &big_layout, &trust, no_progress).map(|_| ())
        })?;
    }
    Ok(())
}

fn time(
    name: &str,
    f: impl FnOnce() -> Result<(), loupe_colour::ColourError>,
) -> Result<(), Box<dyn Error>> {
    let start = Instant::now();
    f()?;
    println!("{name:<32} {:>8.3} s", start.elapsed().as_secs_f64());
    Ok(())
}

fn read_f32(path: &str) -> Result<Vec<f32>, Box<dyn Error>> {
    let bytes = std::fs::read(path)?;
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

/// `n` points in `clusters` Gaussian blobs: `n × dim` vectors and a matching 2-D layout (the
/// same blobs, smaller, as a t-SNE would draw them).
fn blobs(n: usize, dim: usize, clusters: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = move || {
        let u: f32 = 1.0 - rng.random::<f32>();
        let v: f32 = rng.random();
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    };
    let centres: Vec<f32> = (0..clusters * dim).map(|_| 4.0 * normal()).collect();
    let centres_2d: Vec<f32> = (0..clusters * 2).map(|_| 40.0 * normal()).collect();
    let mut vectors = Vec::with_capacity(n * dim);
    let mut layout = Vec::with_capacity(n * 2);
    for i in 0..n {
        let c = i % clusters;
        for d in 0..dim {
            vectors.push(centres[c * dim + d] + normal());
        }
        for d in 0..2 {
            layout.push(centres_2d[c * 2 + d] + 3.0 * normal());
        }
    }
    (vectors, layout)
}
