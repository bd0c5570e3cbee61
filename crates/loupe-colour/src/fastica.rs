//! `FastICA`'s numerical core: whitened data, the fixed-point step, symmetric decorrelation.

use rand::Rng;
use rayon::prelude::*;

use crate::stats::{CHUNK_ROWS, FLAT, column_moments};
use loupe_tsne::symmetric_eigen;

/// PCA scores with zero mean and unit variance per column; flat columns dropped.
pub(crate) struct Whitened {
    /// `n × k` row-major.
    z: Vec<f64>,
    /// Rows.
    pub n: usize,
    /// Columns kept.
    pub k: usize,
}

impl Whitened {
    pub(crate) fn new(scores: &[f32], width: usize) -> Self {
        let n = scores.len() / width;
        let (mean, std) = column_moments(scores, width);
        let widest = std.iter().copied().fold(0.0, f64::max);
        let kept: Vec<usize> = (0..width).filter(|&j| std[j] > FLAT * widest).collect();
        let z = scores
            .par_chunks(width)
            .flat_map_iter(|row| kept.iter().map(|&j| (f64::from(row[j]) - mean[j]) / std[j]))
            .collect();
        Self {
            z,
            n,
            k: kept.len(),
        }
    }

    /// The fixed-point step for every row of `w` (`m × k`): `E{z tanh(wᵀz)} − E{1 − tanh²} w`.
    pub(crate) fn update(&self, w: &[f64], m: usize) -> Vec<f64> {
        let k = self.k;
        let partials: Vec<Vec<f64>> = self
            .z
            .par_chunks(CHUNK_ROWS * k)
            .map(|chunk| {
                // m × k sums of z·g, then m sums of g′.
                let mut acc = vec![0.0; m * k + m];
                for row in chunk.chunks_exact(k) {
                    for i in 0..m {
                        let y: f64 = w[i * k..(i + 1) * k]
                            .iter()
                            .zip(row)
                            .map(|(a, b)| a * b)
                            .sum();
                        let g = y.tanh();
                        for (a, &zc) in acc[i * k..(i + 1) * k].iter_mut().zip(row) {
                            *a += zc * g;
                        }
                        acc[m * k + i] += 1.0 - g * g;
                    }
                }
                acc
            })
            .collect();
        let mut total = vec![0.0; m * k + m];
        for p in &partials {
            total.iter_mut().zip(p).for_each(|(t, v)| *t += v);
        }
        let n = self.n as f64;
        let mut next = vec![0.0; m * k];
        for i in 0..m {
            let gp = total[m * k + i] / n;
            for c in 0..k {
                next[i * k + c] = total[i * k + c] / n - gp * w[i * k + c];
            }
        }
        next
    }

    /// Writes `z wᵀ` into the first `m` of `width` columns of `out`, each column's sign set
    /// so its third moment is non-negative.
    pub(crate) fn project(&self, w: &[f64], m: usize, out: &mut [f32], width: usize) {
        let k = self.k;
        out.par_chunks_mut(CHUNK_ROWS * width)
            .zip(self.z.par_chunks(CHUNK_ROWS * k))
            .for_each(|(o, zc)| {
                for (orow, zrow) in o.chunks_exact_mut(width).zip(zc.chunks_exact(k)) {
                    for i in 0..m {
                        let y: f64 = w[i * k..(i + 1) * k]
                            .iter()
                            .zip(zrow)
                            .map(|(a, b)| a * b)
                            .sum();
                        orow[i] = y as f32;
                    }
                }
            });
        let partials: Vec<Vec<f64>> = out
            .par_chunks(CHUNK_ROWS * width)
            .map(|o| {
                let mut s = vec![0.0; m];
                for row in o.chunks_exact(width) {
                    for (acc, &v) in s.iter_mut().zip(row) {
                        *acc += f64::from(v).powi(3);
                    }
                }
                s
            })
            .collect();
        let mut skew = vec![0.0; m];
        for p in &partials {
            skew.iter_mut().zip(p).for_each(|(t, v)| *t += v);
        }
        let flip: Vec<bool> = skew.iter().map(|&s| s < 0.0).collect();
        if flip.iter().any(|&f| f) {
            out.par_chunks_mut(width).for_each(|row| {
                for (v, &f) in row.iter_mut().zip(&flip) {
                    if f {
                        *v = -*v;
                    }
                }
            });
        }
    }
}

/// Symmetric decorrelation `(W Wᵀ)^(−1/2) W` of the `m × k` row-major `w`: the orthonormal
/// rows nearest to `w`, treating every row alike.
pub(crate) fn decorrelate(w: &[f64], m: usize, k: usize) -> Vec<f64> {
    let mut gram = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..m {
            gram[i * m + j] = (0..k).map(|c| w[i * k + c] * w[j * k + c]).sum();
        }
    }
    let (values, vectors) = symmetric_eigen(&mut gram, m);
    let largest = values.iter().copied().fold(0.0, f64::max);
    let inv_sqrt: Vec<f64> = values
        .iter()
        .map(|&v| 1.0 / v.max(1e-12 * largest).max(f64::MIN_POSITIVE).sqrt())
        .collect();
    // (W Wᵀ)^(−1/2) = E diag(λ^(−1/2)) Eᵀ.
    let mut root = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..m {
            root[i * m + j] = (0..m)
                .map(|e| vectors[i * m + e] * inv_sqrt[e] * vectors[j * m + e])
                .sum();
        }
    }
    let mut out = vec![0.0; m * k];
    for i in 0..m {
        for j in 0..m {
            let r = root[i * m + j];
            for c in 0..k {
                out[i * k + c] += r * w[j * k + c];
            }
        }
    }
    out
}

/// A standard normal deviate (Box–Muller; rand 0.9 has no normal distribution without
/// `rand_distr`).
pub(crate) fn standard_normal(rng: &mut impl Rng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
