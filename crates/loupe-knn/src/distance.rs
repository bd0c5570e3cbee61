//! Row-level helpers shared by the exact and approximate searches.

use rayon::prelude::*;

/// Rows scaled to unit length (zero rows stay zero).
///
/// Cosine neighbours are euclidean neighbours of these rows, since `‖x̂ − ŷ‖² = 2 − 2·cos`.
pub fn normalise_rows(vectors: &[f32], dim: usize) -> Vec<f32> {
    let mut out = vectors.to_vec();
    out.par_chunks_mut(dim).for_each(|row| {
        let norm = row
            .iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum::<f64>()
            .sqrt();
        if norm > 0.0 {
            for v in row {
                *v = (f64::from(*v) / norm) as f32;
            }
        }
    });
    out
}

/// Squared euclidean norm of every row, accumulated in `f64`.
pub(crate) fn squared_norms(data: &[f32], dim: usize) -> Vec<f32> {
    data.par_chunks(dim)
        .map(|row| {
            row.iter()
                .map(|&v| f64::from(v) * f64::from(v))
                .sum::<f64>() as f32
        })
        .collect()
}

/// Squared euclidean distance by direct differences, with eight independent accumulators
/// (vectorisable, and no `‖x‖² + ‖y‖² − 2x·y` cancellation).
///
/// Every search reports distances from this one function, so the same pair always gets the
/// same value: approximate and exact graphs agree exactly where they share a neighbour, and
/// duplicate candidates have equal keys.
#[inline]
pub(crate) fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0_f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ar, br) = (a8.remainder(), b8.remainder());
    for (x, y) in a8.zip(b8) {
        for l in 0..8 {
            let d = x[l] - y[l];
            acc[l] += d * d;
        }
    }
    let tail: f32 = ar.iter().zip(br).map(|(x, y)| (x - y) * (x - y)).sum();
    acc.iter().sum::<f32>() + tail
}
