//! Lloyd's iterations (Lloyd 1982, "Least squares quantization in PCM").
//!
//! Each iteration moves every centroid to the mean of its points, then reassigns every point
//! to its nearest centroid; neither step can raise the inertia, so it decreases until the
//! labels stop changing or the centroids stop moving.

use rayon::prelude::*;

use crate::assign::{Centres, ROWS_PER_TASK, assign};

/// Where a run of Lloyd's iterations ended.
pub(crate) struct Outcome {
    pub(crate) centroids: Vec<f32>,
    pub(crate) labels: Vec<u32>,
    /// Squared distance of each row to its centroid.
    pub(crate) dist: Vec<f32>,
    /// Inertia after the initial assignment and after each iteration.
    pub(crate) history: Vec<f64>,
    pub(crate) iterations: usize,
    pub(crate) converged: bool,
}

/// Runs at most `max_iter` iterations from `centroids`, stopping when no label changes or
/// the centroids' total squared movement is at most `tol_abs`. Labels, distances and
/// inertia always refer to the returned centroids (`max_iter = 0` just assigns).
pub(crate) fn run(
    data: &[f32],
    dim: usize,
    mut centroids: Vec<f32>,
    max_iter: usize,
    tol_abs: f64,
) -> Outcome {
    let n = data.len() / dim;
    let mut labels = vec![u32::MAX; n];
    let mut dist = vec![0.0_f32; n];
    let first = assign(data, &Centres::new(&centroids, dim), &mut labels, &mut dist);
    let mut history = vec![first.inertia];
    let (mut iterations, mut converged) = (0, false);
    while iterations < max_iter {
        iterations += 1;
        let moved = means(data, dim, &labels, &dist, &centroids);
        let shift: f64 = moved
            .iter()
            .zip(&centroids)
            .map(|(&a, &b)| f64::from(a - b) * f64::from(a - b))
            .sum();
        centroids = moved;
        let pass = assign(data, &Centres::new(&centroids, dim), &mut labels, &mut dist);
        history.push(pass.inertia);
        if pass.changed == 0 || shift <= tol_abs {
            converged = true;
            break;
        }
    }
    Outcome {
        centroids,
        labels,
        dist,
        history,
        iterations,
        converged,
    }
}

/// The mean of each cluster's rows, summed in row order in `f64` (so independent of the
/// thread count). A cluster left empty is moved onto the row farthest from its centroid
/// (the next farthest for the next empty cluster), which can only lower the inertia.
pub(crate) fn means(
    data: &[f32],
    dim: usize,
    labels: &[u32],
    dist: &[f32],
    old: &[f32],
) -> Vec<f32> {
    let k = old.len() / dim;
    // Counting sort of the rows by label: `members[start[c]..start[c + 1]]` is cluster c.
    let mut start = vec![0_usize; k + 1];
    for &l in labels {
        start[l as usize + 1] += 1;
    }
    for c in 0..k {
        start[c + 1] += start[c];
    }
    let mut fill = start.clone();
    let mut members = vec![0_u32; labels.len()];
    for (i, &l) in labels.iter().enumerate() {
        members[fill[l as usize]] = i as u32;
        fill[l as usize] += 1;
    }
    let mut centroids = old.to_vec();
    centroids
        .par_chunks_mut(dim)
        .enumerate()
        .for_each(|(c, centroid)| {
            let rows = &members[start[c]..start[c + 1]];
            if rows.is_empty() {
                return;
            }
            let mut sum = vec![0.0_f64; dim];
            for &i in rows {
                let x = &data[i as usize * dim..(i as usize + 1) * dim];
                for (s, &v) in sum.iter_mut().zip(x) {
                    *s += f64::from(v);
                }
            }
            for (out, s) in centroid.iter_mut().zip(sum) {
                *out = (s / rows.len() as f64) as f32;
            }
        });
    let empty: Vec<usize> = (0..k).filter(|&c| start[c] == start[c + 1]).collect();
    for (c, i) in empty.iter().zip(farthest(dist, empty.len())) {
        centroids[c * dim..(c + 1) * dim].copy_from_slice(&data[i * dim..(i + 1) * dim]);
    }
    centroids
}

/// Indices of the `m` largest values, largest first, lower index first on ties.
fn farthest(dist: &[f32], m: usize) -> Vec<usize> {
    if m == 0 {
        return Vec::new();
    }
    let order = |a: &usize, b: &usize| dist[*b].total_cmp(&dist[*a]).then(a.cmp(b));
    let mut idx: Vec<usize> = (0..dist.len()).collect();
    if m < idx.len() {
        idx.select_nth_unstable_by(m, order);
        idx.truncate(m);
    }
    idx.sort_by(order);
    idx
}

/// Mean over features of the per-feature variance: the scale `tol` is relative to.
pub(crate) fn mean_variance(data: &[f32], dim: usize) -> f64 {
    let n = (data.len() / dim) as f64;
    let mean: Vec<f64> = column_sums(data, dim, &vec![0.0; dim], false)
        .iter()
        .map(|s| s / n)
        .collect();
    column_sums(data, dim, &mean, true).iter().sum::<f64>() / n / dim as f64
}

/// Per column, `Σ (x − shift)` or `Σ (x − shift)²`, in `f64`, per block of rows and then
/// in block order.
fn column_sums(data: &[f32], dim: usize, shift: &[f64], square: bool) -> Vec<f64> {
    let parts: Vec<Vec<f64>> = data
        .par_chunks(ROWS_PER_TASK * dim)
        .map(|block| {
            let mut sums = vec![0.0; dim];
            for x in block.chunks_exact(dim) {
                for ((s, &v), m) in sums.iter_mut().zip(x).zip(shift) {
                    let d = f64::from(v) - m;
                    *s += if square { d * d } else { d };
                }
            }
            sums
        })
        .collect();
    (0..dim).map(|t| parts.iter().map(|p| p[t]).sum()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn farthest_breaks_ties_by_index() {
        assert_eq!(farthest(&[1.0, 5.0, 3.0, 5.0, 0.0], 3), vec![1, 3, 2]);
        assert_eq!(farthest(&[1.0, 2.0], 2), vec![1, 0]);
        assert!(farthest(&[1.0], 0).is_empty());
    }

    #[test]
    fn empty_clusters_move_to_the_farthest_rows() {
        let data = [0.0, 0.0, 2.0, 0.0, 10.0, 0.0, 11.0, 0.0];
        let labels = [0, 0, 0, 0];
        let dist = [0.0, 4.0, 100.0, 121.0];
        let old = [0.0, 0.0, 50.0, 50.0, 60.0, 60.0];
        let new = means(&data, 2, &labels, &dist, &old);
        assert_eq!(new, [5.75, 0.0, 11.0, 0.0, 10.0, 0.0]);
        assert!((mean_variance(&data, 2) - 23.1875 / 2.0).abs() < 1e-12);
    }
}
