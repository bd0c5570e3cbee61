//! Times Loupe's k-means on a raw float32 file, for `scripts/bench-kmeans`.
//!
//!     cargo run --release -p loupe-cluster --example kmeans_bench -- \
//!         <file.f32> <dim> <k> [auto|lloyd|minibatch|minibatch:<refine_iter>] [seed] [runs]
//!
//! The file holds `N × dim` little-endian `f32` values, row-major, with no header. Prints
//! one line per run, `algorithm=… seconds=… inertia=… iterations=… batches=…`, timing
//! the fit only (validation included, reading the file excluded).

use std::time::Instant;

use loupe_cluster::{Algorithm, KMeansParams, MiniBatchParams};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: kmeans_bench <file.f32> <dim> <k> [auto|lloyd|minibatch] [seed] [runs]");
        std::process::exit(2);
    }
    let number = |i: usize, default: u64| -> u64 {
        args.get(i).map_or(default, |s| {
            s.parse().expect("numeric arguments are integers")
        })
    };
    let bytes = std::fs::read(&args[1]).expect("the input file is readable");
    let data: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let (dim, k) = (number(2, 0) as usize, number(3, 0) as usize);
    let algorithm = match args.get(4).map_or("auto", String::as_str) {
        "auto" => Algorithm::Auto,
        "lloyd" => Algorithm::Lloyd,
        "minibatch" => Algorithm::MiniBatch(MiniBatchParams::default()),
        other => match other.strip_prefix("minibatch:").map(str::parse) {
            Some(Ok(refine_iter)) => Algorithm::MiniBatch(MiniBatchParams {
                refine_iter,
                ..MiniBatchParams::default()
            }),
            _ => panic!("unknown algorithm {other}: auto, lloyd, minibatch or minibatch:<refine>"),
        },
    };
    let params = KMeansParams::new(k)
        .with_algorithm(algorithm)
        .with_seed(number(5, 0));
    for _ in 0..number(6, 1) {
        let start = Instant::now();
        let fit = params
            .fit(&data, dim)
            .unwrap_or_else(|e| panic!("k-means refused: {e}"));
        let seconds = start.elapsed().as_secs_f64();
        let name = match fit.algorithm() {
            Algorithm::Lloyd => "lloyd",
            Algorithm::MiniBatch(_) => "minibatch",
            _ => "auto",
        };
        println!(
            "algorithm={name} seconds={seconds:.4} inertia={:.6e} iterations={} batches={} n={} dim={dim} k={k}",
            fit.inertia(),
            fit.iterations(),
            fit.batches(),
            data.len() / dim,
        );
    }
}
