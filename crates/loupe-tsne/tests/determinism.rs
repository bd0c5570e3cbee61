//! Same seed → bit-identical layouts, on any number of threads.

mod common;

use loupe_tsne::{NegativeGradientMethod, TsneEngine, TsneParams};

/// Prepares and runs a short schedule on 800 digits; returns the final positions.
fn run(pixels: &[f32], seed: u64, method: NegativeGradientMethod) -> Vec<f32> {
    let params = TsneParams {
        pca_dims: Some(30),
        early_exaggeration_iter: 60,
        n_iter: 60,
        kl_every: 20,
        seed,
        negative_gradient_method: method,
        ..TsneParams::default()
    }
    .validate(pixels.len() / 784)
    .expect("valid parameters");
    let mut engine = TsneEngine::prepare(pixels, 784, &params, &mut |_| {}).expect("prepare");
    while engine.step().is_some() {}
    engine.positions().to_vec()
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(f)
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn same_seed_gives_bit_identical_positions() {
    let (pixels, _) = common::mnist(800);
    let a = run(&pixels, 7, NegativeGradientMethod::BarnesHut);
    let b = run(&pixels, 7, NegativeGradientMethod::BarnesHut);
    assert_eq!(bits(&a), bits(&b));
    let c = run(&pixels, 8, NegativeGradientMethod::BarnesHut);
    assert_ne!(bits(&a), bits(&c), "a different seed changes the layout");
    let a = run(&pixels, 7, NegativeGradientMethod::Fft);
    let b = run(&pixels, 7, NegativeGradientMethod::Fft);
    assert_eq!(bits(&a), bits(&b), "FFT: same seed");
}

#[test]
fn thread_count_does_not_change_the_result() {
    let (pixels, _) = common::mnist(800);
    for method in [
        NegativeGradientMethod::BarnesHut,
        NegativeGradientMethod::Exact,
        NegativeGradientMethod::Fft,
    ] {
        let one = in_pool(1, || run(&pixels, 3, method));
        let two = in_pool(2, || run(&pixels, 3, method));
        let three = in_pool(3, || run(&pixels, 3, method));
        assert_eq!(bits(&one), bits(&two), "{method:?}: 1 vs 2 threads");
        assert_eq!(bits(&one), bits(&three), "{method:?}: 1 vs 3 threads");
    }
}
