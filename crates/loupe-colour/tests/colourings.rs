//! The structure colourings through the public API: hand-computed answers on tiny inputs,
//! `FastICA` on known sources, edge cases, errors, cancellation and determinism.

use std::ops::ControlFlow;

use loupe_colour::{
    ArgmaxOf, ColourError, IcaParams, Rgba, TrustParams, argmax_colours, category_colour, fast_ica,
    ica_rgb, no_progress, pca_bits, pca_rgb, trust_map,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Gaussian blobs: `n × dim`, `centres` clusters with offsets of a few standard deviations.
fn blobs(n: usize, dim: usize, centres: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centre: Vec<f32> = (0..centres * dim)
        .map(|_| rng.random_range(-5.0..5.0))
        .collect();
    let mut x = Vec::with_capacity(n * dim);
    for i in 0..n {
        let c = i % centres;
        for d in 0..dim {
            let u: f32 = 1.0 - rng.random::<f32>();
            let v: f32 = rng.random();
            let g = (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos();
            x.push(centre[c * dim + d] + g);
        }
    }
    x
}

fn layout(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..2 * n).map(|_| rng.random_range(-50.0..50.0)).collect()
}

fn all_opaque(c: &[Rgba], n: usize) {
    assert_eq!(c.len(), n);
    assert!(c.iter().all(|p| p[3] == 255));
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// Checks that the estimated sources match the true ones up to permutation, sign and scale.
fn assert_recovered(sources: &[Vec<f64>], ica: &loupe_colour::Ica) {
    let m = sources.len();
    assert_eq!(ica.n_sources, m);
    let est: Vec<Vec<f64>> = (0..m)
        .map(|j| {
            ica.sources
                .chunks_exact(m)
                .map(|r| f64::from(r[j]))
                .collect()
        })
        .collect();
    for (s, truth) in sources.iter().enumerate() {
        let best = est
            .iter()
            .map(|e| pearson(e, truth).abs())
            .fold(0.0, f64::max);
        assert!(best > 0.95, "source {s}: best |corr| {best}");
    }
}

#[test]
fn fast_ica_unmixes_a_sine_and_a_square_wave() {
    let n = 4000;
    let sine: Vec<f64> = (0..n)
        .map(|i| (std::f64::consts::TAU * i as f64 / 97.3).sin())
        .collect();
    let square: Vec<f64> = (0..n)
        .map(|i| {
            if (std::f64::consts::TAU * (i as f64 + 0.5) / 31.7).sin() >= 0.0 {
                1.0
            } else {
                -1.0
            }
        })
        .collect();
    // Mixing matrix [[1, 0.6], [0.4, 1]].
    let x: Vec<f32> = (0..n)
        .flat_map(|i| {
            [
                (sine[i] + 0.6 * square[i]) as f32,
                (0.4 * sine[i] + square[i]) as f32,
            ]
        })
        .collect();
    let params = IcaParams {
        pca_components: 2,
        ..IcaParams::default()
    };
    let ica = fast_ica(&x, 2, 2, &params, no_progress).unwrap();
    assert!(ica.converged, "{} iterations", ica.iterations);
    assert_recovered(&[sine, square], &ica);
}

#[test]
fn fast_ica_unmixes_three_uniform_sources_in_five_dimensions() {
    let n = 5000;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let sources: Vec<Vec<f64>> = (0..3)
        .map(|_| (0..n).map(|_| rng.random_range(-1.0..1.0)).collect())
        .collect();
    // A fixed 5 × 3 mixing matrix of full column rank.
    let a = [
        [1.0, 0.3, -0.5],
        [0.2, 1.0, 0.4],
        [-0.6, 0.1, 1.0],
        [0.5, -0.7, 0.2],
        [0.1, 0.4, 0.3],
    ];
    let x: Vec<f32> = (0..n)
        .flat_map(|i| {
            let s = [sources[0][i], sources[1][i], sources[2][i]];
            a.map(|row| (row[0] * s[0] + row[1] * s[1] + row[2] * s[2]) as f32)
        })
        .collect();
    let params = IcaParams {
        pca_components: 3,
        seed: 5,
        ..IcaParams::default()
    };
    let ica = fast_ica(&x, 5, 3, &params, no_progress).unwrap();
    assert_recovered(&sources, &ica);
}

/// Column 0 is large in every row, so the raw argmax is dimension 0 everywhere. z-scored per
/// column (population standard deviation), each column has one row above the others:
/// col 0 (10, 12, 11) → (−1.22, 1.22, 0); col 1 (1, 0, 0) → (1.41, −0.71, −0.71);
/// col 2 (0, 3, 0) → (−0.71, 1.41, −0.71); col 3 (0, 0, 0.5) → (−0.71, −0.71, 1.41).
/// Row 0's largest is col 1, row 1's col 2 (1.41 > 1.22), row 2's col 3.
#[test]
fn argmax_raw_and_standardised_on_a_hand_matrix() {
    let x = [
        10.0, 1.0, 0.0, 0.0, //
        12.0, 0.0, 3.0, 0.0, //
        11.0, 0.0, 0.0, 0.5_f32,
    ];
    let raw = argmax_colours(&x, 4, ArgmaxOf::Raw, no_progress).unwrap();
    assert_eq!(raw.index, vec![0, 0, 0]);
    assert_eq!(raw.counts, vec![3, 0, 0, 0]);
    assert_eq!(raw.n_categories, 4);
    assert_eq!(raw.colours, vec![category_colour(Some(0)); 3]);
    let std = argmax_colours(&x, 4, ArgmaxOf::Standardised, no_progress).unwrap();
    assert_eq!(std.index, vec![1, 2, 3]);
    assert_eq!(std.counts, vec![0, 1, 1, 1]);
    let want: Vec<Rgba> = [1, 2, 3].map(|c| category_colour(Some(c))).to_vec();
    assert_eq!(std.colours, want);
}

/// Points on the axes: PC1 = +x with z-scores (1.41, −1.41, 0, 0), PC2 = +y with (0, 0, 1.41,
/// −1.41). The first point's largest is PC1, the third's PC2.
#[test]
fn argmax_of_standardised_components() {
    let x = [
        3.0, 0.0, 0.0, -3.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, -1.0, 0.0_f32,
    ];
    let of = ArgmaxOf::Pca {
        components: 10,
        seed: 0,
    };
    let c = argmax_colours(&x, 3, of, no_progress).unwrap();
    assert_eq!(c.n_categories, 3);
    assert_eq!((c.index[0], c.index[2]), (0, 1));
    assert_eq!(c.counts.iter().sum::<usize>(), 4);
}

/// Layout (0,0), (1,0), (3,0), (0,5), (10,10); with k = 2 the layout neighbours are
/// {1,2}, {0,2}, {1,0}, {0,1}, {3,2}. Vectors (0,0,0), (3,4,0), (0,0,1), (1,0,0), (0,0,2) give
/// |v0−v1| = 5, |v0−v2| = 1, |v0−v3| = 1, |v1−v2| = √26, |v1−v3| = √20, |v2−v4| = 1,
/// |v3−v4| = √5, so the means are 3, (5+√26)/2, (√26+1)/2, (1+√20)/2, (√5+1)/2.
#[test]
fn trust_map_on_five_hand_points() {
    let positions = [0.0, 0.0, 1.0, 0.0, 3.0, 0.0, 0.0, 5.0, 10.0, 10.0_f32];
    let vectors = [
        0.0, 0.0, 0.0, 3.0, 4.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0_f32,
    ];
    let params = TrustParams {
        k: 2,
        clip_percentiles: (0.0, 100.0),
        ..TrustParams::default()
    };
    let t = trust_map(&vectors, 3, &positions, &params, no_progress).unwrap();
    let s26 = 26f64.sqrt();
    let want = [
        3.0,
        f64::midpoint(5.0, s26),
        f64::midpoint(s26, 1.0),
        f64::midpoint(1.0, 20f64.sqrt()),
        f64::midpoint(5f64.sqrt(), 1.0),
    ];
    for (got, want) in t.distortion.iter().zip(want) {
        assert!((f64::from(*got) - want).abs() < 1e-5, "{:?}", t.distortion);
    }
    assert!((t.range.0 - want[4]).abs() < 1e-5 && (t.range.1 - want[1]).abs() < 1e-5);
    let lut = params.colormap.lut();
    assert_eq!(t.colours[1], lut[255]);
    assert_eq!(t.colours[4], lut[0]);
}

#[test]
fn trust_map_with_few_points_and_duplicate_positions() {
    // N < 11: every point averages over all the others.
    let v = [0.0, 0.0, 3.0, 4.0, 6.0, 8.0_f32];
    let t = trust_map(&v, 2, &[0.0; 6], &TrustParams::default(), no_progress).unwrap();
    assert_eq!(t.distortion, vec![7.5, 5.0, 7.5]);
    // One point: no neighbours, distortion 0, the map's middle colour.
    let one = trust_map(
        &[1.0, 2.0],
        2,
        &[5.0, 5.0],
        &TrustParams::default(),
        no_progress,
    )
    .unwrap();
    assert_eq!(one.distortion, vec![0.0]);
    assert_eq!(
        one.colours,
        vec![TrustParams::default().colormap.lut()[128]]
    );
    // 40 points stacked on 2 positions: neighbours are other copies, never the point itself.
    let n = 40;
    let vectors: Vec<f32> = (0..n).flat_map(|i| [i as f32, 0.0]).collect();
    let positions: Vec<f32> = (0..n).flat_map(|i| [(i % 2) as f32, 0.0]).collect();
    let t = trust_map(
        &vectors,
        2,
        &positions,
        &TrustParams::default(),
        no_progress,
    )
    .unwrap();
    for (i, &d) in t.distortion.iter().enumerate() {
        // The neighbours are 10 of the 19 other points of the same parity, so the mean is at
        // least that of the 10 nearest of them; counting the point itself would go below.
        let mut others: Vec<f32> = (0..n)
            .filter(|&j| j != i && j % 2 == i % 2)
            .map(|j| (j as f32 - i as f32).abs())
            .collect();
        others.sort_by(f32::total_cmp);
        let least = others[..10].iter().sum::<f32>() / 10.0;
        let most = others[others.len() - 10..].iter().sum::<f32>() / 10.0;
        assert!(d >= least - 1e-4 && d <= most + 1e-4, "point {i}: {d}");
    }
    all_opaque(&t.colours, n);
}

#[test]
fn every_colouring_handles_degenerate_data() {
    let cases: Vec<(Vec<f32>, usize)> = vec![
        (vec![1.0, 2.0, 3.0], 3),                 // N = 1
        (vec![4.0; 5 * 6], 6),                    // all rows equal, constant columns
        ([1.0, 7.0, 0.5].repeat(4), 3),           // duplicate rows
        ((0..20).map(|i| i as f32).collect(), 1), // one dimension
        ((0..20).map(|i| (i % 3) as f32).collect(), 2),
    ];
    let params = IcaParams::default();
    for (x, dim) in &cases {
        let n = x.len() / dim;
        all_opaque(&pca_rgb(x, *dim, 0, no_progress).unwrap(), n);
        all_opaque(&pca_bits(x, *dim, 0, no_progress).unwrap(), n);
        all_opaque(&ica_rgb(x, *dim, &params, no_progress).unwrap(), n);
        for of in [
            ArgmaxOf::Raw,
            ArgmaxOf::Standardised,
            ArgmaxOf::Pca {
                components: 10,
                seed: 0,
            },
        ] {
            let c = argmax_colours(x, *dim, of, no_progress).unwrap();
            all_opaque(&c.colours, n);
            assert!(c.index.iter().all(|&i| (i as usize) < c.n_categories));
        }
        let t = trust_map(x, *dim, &layout(n, 1), &TrustParams::default(), no_progress).unwrap();
        assert!(t.distortion.iter().all(|d| d.is_finite()));
        all_opaque(&t.colours, n);
    }
    // Constant data has no direction at all: every channel sits at the middle.
    let flat = pca_rgb(&cases[1].0, 6, 0, no_progress).unwrap();
    assert!(flat.iter().all(|&c| c == [128, 128, 128, 255]));
}

#[test]
fn same_seed_same_colours_on_any_thread_count() {
    let (n, dim) = (6000, 12);
    let x = blobs(n, dim, 5, 3);
    let pos = layout(n, 4);
    let params = IcaParams::default();
    let run = || {
        (
            pca_rgb(&x, dim, 9, no_progress).unwrap(),
            pca_bits(&x, dim, 9, no_progress).unwrap(),
            ica_rgb(&x, dim, &params, no_progress).unwrap(),
            argmax_colours(
                &x,
                dim,
                ArgmaxOf::Pca {
                    components: 10,
                    seed: 9,
                },
                no_progress,
            )
            .unwrap(),
            trust_map(&x, dim, &pos, &TrustParams::default(), no_progress).unwrap(),
        )
    };
    let pool = |t| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap()
    };
    let one = pool(1).install(run);
    let three = pool(3).install(run);
    assert!(one == three, "results depend on the thread count");
    assert!(one == run(), "results differ between runs");
    // Blobs make structure: the colourings are not constant.
    assert!(one.0.iter().any(|&c| c != one.0[0]));
    assert!(one.2.iter().any(|&c| c != one.2[0]));
}

#[test]
fn bad_input_is_refused_before_work_starts() {
    let mut called = false;
    let mut watch = |_: f64| {
        called = true;
        ControlFlow::Continue(())
    };
    assert_eq!(
        pca_rgb(&[1.0, 2.0, 3.0], 2, 0, &mut watch),
        Err(ColourError::RaggedBuffer { len: 3, dim: 2 })
    );
    assert_eq!(
        pca_bits(&[], 2, 0, &mut watch),
        Err(ColourError::EmptyInput)
    );
    assert_eq!(
        pca_rgb(&[1.0], 0, 0, &mut watch),
        Err(ColourError::ZeroDimension)
    );
    assert_eq!(
        argmax_colours(&[1.0, 2.0, f32::NAN, 0.0], 2, ArgmaxOf::Raw, &mut watch),
        Err(ColourError::NonFiniteVector { row: 1 })
    );
    let p = TrustParams::default();
    assert_eq!(
        trust_map(&[1.0, 2.0], 1, &[0.0, 0.0], &p, &mut watch),
        Err(ColourError::PointCountMismatch {
            vectors: 2,
            positions: 1
        })
    );
    assert_eq!(
        trust_map(&[1.0], 1, &[0.0, f32::INFINITY], &p, &mut watch),
        Err(ColourError::NonFinitePosition { point: 0 })
    );
    let zero_k = TrustParams { k: 0, ..p };
    assert_eq!(
        trust_map(&[1.0], 1, &[0.0, 0.0], &zero_k, &mut watch),
        Err(ColourError::ZeroNeighbours)
    );
    let bad_clip = TrustParams {
        clip_percentiles: (50.0, 10.0),
        ..p
    };
    assert!(matches!(
        trust_map(&[1.0], 1, &[0.0, 0.0], &bad_clip, &mut watch),
        Err(ColourError::InvalidPercentiles { .. })
    ));
    let few = IcaParams {
        pca_components: 2,
        ..IcaParams::default()
    };
    assert_eq!(
        ica_rgb(&[1.0, 2.0], 2, &few, &mut watch),
        Err(ColourError::InvalidSources {
            sources: 3,
            pca_components: 2
        })
    );
    let no_iter = IcaParams {
        max_iter: 0,
        ..IcaParams::default()
    };
    assert_eq!(
        ica_rgb(&[1.0, 2.0], 2, &no_iter, &mut watch),
        Err(ColourError::ZeroIterations)
    );
    let zero_pc = ArgmaxOf::Pca {
        components: 0,
        seed: 0,
    };
    assert_eq!(
        argmax_colours(&[1.0], 1, zero_pc, &mut watch),
        Err(ColourError::ZeroComponents)
    );
    assert!(!called, "progress reported before the checks passed");
}

#[test]
fn cancelling_stops_with_an_error() {
    let x = blobs(300, 4, 3, 1);
    let pos = layout(300, 2);
    let stop = |_: f64| ControlFlow::Break(());
    assert_eq!(pca_rgb(&x, 4, 0, stop), Err(ColourError::Cancelled));
    assert_eq!(
        trust_map(&x, 4, &pos, &TrustParams::default(), stop),
        Err(ColourError::Cancelled)
    );
    // Stop halfway through `FastICA`: progress is reported per iteration.
    let mut reports = Vec::new();
    let mut half = |done: f64| {
        reports.push(done);
        if done > 0.5 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let params = IcaParams {
        tol: 0.0,
        ..IcaParams::default()
    };
    assert_eq!(
        ica_rgb(&x, 4, &params, &mut half),
        Err(ColourError::Cancelled)
    );
    assert!(reports.windows(2).all(|w| w[0] <= w[1]), "{reports:?}");
}
