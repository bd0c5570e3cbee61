//! Time per iteration of the FFT-interpolation gradient (Linderman et al. 2019) at 70,000
//! points, broken down into the repulsion (kernel, scatter, FFT convolution, gather), the
//! attraction over the sparse P, and the rest (Z, the optimiser's update, re-centring);
//! iterations that also evaluate the KL divergence are reported apart:
//!
//! * `cargo run --release -p loupe-tsne --example fft_speed` — a synthetic Gaussian mixture
//!   laid out at the scale of a converged 70,000-point layout (spread ≈ 150, as MNIST-70k
//!   reaches), 100 iterations of the embedding phase;
//! * `… --example fft_speed -- synthetic N SPREAD` — another size or spread;
//! * `… --example fft_speed -- mnist` — the full default run (PCA-50, 250 + 500 iterations)
//!   on MNIST-70k from `/work/shared/data/mnist` (or `$MNIST_DIR`), timed throughout; it
//!   ends with a checksum of the final layout, to compare runs under different
//!   `RAYON_NUM_THREADS` (results must be bit-identical).

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use loupe_knn::{Metric, exact_knn};
use loupe_tsne::{NegativeGradientMethod, Phase, TsneEngine, TsneParams, perplexity_affinities};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("mnist") {
        return mnist();
    }
    let n = args.get(1).map_or(Ok(70_000), |a| a.parse())?;
    let spread = args.get(2).map_or(Ok(150.0), |a| a.parse())?;
    synthetic(n, spread)
}

/// splitmix64 → standard normal (Box–Muller); dependency-free and reproducible.
struct Normal(u64);

impl Normal {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn sample(&mut self) -> f64 {
        let u = self.uniform().max(f64::MIN_POSITIVE);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
}

fn synthetic(n: usize, spread: f64) -> Result<()> {
    let clusters = 10;
    let mut rng = Normal(7);
    let start = Instant::now();
    // Input: ten Gaussian clusters in 10-D; layout: the same clusters on a ring.
    let dim = 10;
    let x: Vec<f32> = (0..n)
        .flat_map(|i| {
            let c = i % clusters;
            (0..dim)
                .map(|d| (if d == c { 6.0 } else { 0.0 } + rng.sample()) as f32)
                .collect::<Vec<_>>()
        })
        .collect();
    let radius = 0.36 * spread;
    let layout: Vec<f64> = (0..n)
        .flat_map(|i| {
            let angle = (i % clusters) as f64 * std::f64::consts::TAU / clusters as f64;
            let s = 0.06 * spread;
            [
                radius * angle.cos() + s * rng.sample(),
                radius * angle.sin() + s * rng.sample(),
            ]
        })
        .collect();
    let graph = exact_knn(&x, dim, 90, Metric::Euclidean)?;
    let p = perplexity_affinities(&graph, 30.0);
    println!(
        "{n} points, affinities in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let params = TsneParams {
        negative_gradient_method: NegativeGradientMethod::Fft,
        kl_every: 1_000_000,
        ..TsneParams::default()
    }
    .validate(n)?
    .with_phases(vec![Phase {
        name: "embedding".to_owned(),
        n_iter: 100,
        exaggeration: 1.0,
        momentum: 0.8,
        learning_rate: n as f64,
    }])?;
    let mut engine = TsneEngine::from_affinities(p, layout, &params)?;
    let mut window = Window::default();
    while let Some(info) = engine.step() {
        window.add(&engine, info.iteration, info.kl.is_some());
    }
    Ok(())
}

/// Running means over 50 iterations of the step time and the gradient's parts; iterations
/// that also evaluate the KL divergence (every 50th, and a phase's last) are timed apart.
#[derive(Default)]
struct Window {
    last: Option<Instant>,
    kl_iters: u32,
    kl_step: Duration,
    iters: u32,
    step: Duration,
    kernel: Duration,
    scatter: Duration,
    convolve: Duration,
    gather: Duration,
    attraction: Duration,
}

impl Window {
    fn add(&mut self, engine: &TsneEngine, iteration: usize, kl: bool) {
        let now = Instant::now();
        if let (Some(last), true) = (self.last, kl) {
            self.kl_iters += 1;
            self.kl_step += now - last;
        } else if let (Some(last), Some(t)) = (self.last, engine.fft_timings()) {
            self.iters += 1;
            self.step += now - last;
            self.kernel += t.kernel;
            self.scatter += t.scatter;
            self.convolve += t.convolve;
            self.gather += t.gather;
            self.attraction += t.attraction;
            if self.iters == 50 {
                let ms = |d: Duration| d.as_secs_f64() * 1e3 / f64::from(self.iters);
                let repulsion = self.kernel + self.scatter + self.convolve + self.gather;
                println!(
                    "iter {iteration:4}: {:3} intervals | iteration {:6.2} ms = repulsion {:6.2} \
                     (kernel {:5.2}, scatter {:5.2}, FFT convolution {:5.2}, gather {:5.2}) + \
                     attraction {:5.2} + update {:5.2}",
                    t.intervals,
                    ms(self.step),
                    ms(repulsion),
                    ms(self.kernel),
                    ms(self.scatter),
                    ms(self.convolve),
                    ms(self.gather),
                    ms(self.attraction),
                    ms(self.step) - ms(repulsion) - ms(self.attraction),
                );
                if self.kl_iters > 0 {
                    println!(
                        "            iterations with a KL evaluation: {:6.2} ms",
                        self.kl_step.as_secs_f64() * 1e3 / f64::from(self.kl_iters)
                    );
                }
                *self = Self::default();
            }
        }
        self.last = Some(Instant::now());
    }
}

fn gunzip(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path)?).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn mnist() -> Result<()> {
    let dir = std::env::var("MNIST_DIR").unwrap_or_else(|_| "/work/shared/data/mnist".into());
    let mut pixels = Vec::new();
    for name in ["train-images.idx3-ubyte.gz", "t10k-images.idx3-ubyte.gz"] {
        let bytes = gunzip(&Path::new(&dir).join(name))?;
        pixels.extend(
            bytes
                .get(16..)
                .ok_or("short IDX file")?
                .iter()
                .map(|&p| f32::from(p) / 255.0),
        );
    }
    let n = pixels.len() / 784;
    let params = TsneParams {
        pca_dims: Some(50),
        ..TsneParams::default()
    }
    .validate(n)?;
    let start = Instant::now();
    let mut engine = TsneEngine::prepare(&pixels, 784, &params, &mut |stage| {
        println!("{:6.2} s  {stage}", start.elapsed().as_secs_f64());
    })?;
    println!(
        "{:6.2} s  prepared {n} points, {} non-zeros in P; method {:?}; {} threads",
        start.elapsed().as_secs_f64(),
        engine.affinities().nnz(),
        engine.negative_gradient_method(),
        rayon::current_num_threads()
    );
    let optimise = Instant::now();
    let mut window = Window::default();
    while let Some(info) = engine.step() {
        window.add(&engine, info.iteration, info.kl.is_some());
        if let Some(kl) = info.kl {
            println!("iter {:4}: KL {kl:.4}", info.iteration);
        }
    }
    let optimised = optimise.elapsed();
    let checksum = engine
        .positions()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, v| {
            (h ^ u64::from(v.to_bits())).wrapping_mul(0x0100_0000_01b3)
        });
    println!(
        "optimisation {:.2} s, total {:.2} s; layout checksum {checksum:016x}",
        optimised.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
