//! Order statistics and column moments, exact and thread-count independent.

use rayon::prelude::*;

/// Rows per parallel task in column reductions: partial sums are added in chunk order.
pub(crate) const CHUNK_ROWS: usize = 4096;

/// Relative spread below which a channel counts as constant (f32 rounding noise, or an axis
/// of zero variance that PCA still reports).
pub(crate) const FLAT: f64 = 1e-4;

/// The `p`-th percentile (`0 ≤ p ≤ 100`) of `values` by linear interpolation between order
/// statistics (NumPy's default, "type 7" of Hyndman & Fan 1996). Reorders `values`; `None`
/// when empty. Selection, not sorting: `O(N)`.
pub(crate) fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let pos = p / 100.0 * (n - 1) as f64;
    let lo = (pos.floor() as usize).min(n - 1);
    let frac = pos - lo as f64;
    let (_, &mut below, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let next = above.iter().copied().fold(f64::INFINITY, f64::min);
    Some(if frac > 0.0 && next.is_finite() {
        below + (next - below) * frac
    } else {
        below
    })
}

/// Percentiles `(lo, hi)` of `values` (both through one copy, reused).
pub(crate) fn percentile_pair(values: &mut [f64], (lo, hi): (f64, f64)) -> Option<(f64, f64)> {
    let a = percentile(values, lo)?;
    let b = percentile(values, hi)?;
    Some((a, b))
}

/// Column `j` of a row-major `N × width` buffer, widened to f64.
pub(crate) fn column(rows: &[f32], width: usize, j: usize) -> Vec<f64> {
    rows.par_chunks(width).map(|r| f64::from(r[j])).collect()
}

/// Means and population standard deviations of every column of a row-major `N × width`
/// buffer (two passes, each summed over fixed chunks in order).
pub(crate) fn column_moments(rows: &[f32], width: usize) -> (Vec<f64>, Vec<f64>) {
    let n = (rows.len() / width) as f64;
    let sum_chunks = |f: &(dyn Fn(usize, f32) -> f64 + Sync)| -> Vec<f64> {
        let partials: Vec<Vec<f64>> = rows
            .par_chunks(CHUNK_ROWS * width)
            .map(|chunk| {
                let mut s = vec![0.0; width];
                for row in chunk.chunks_exact(width) {
                    for (j, (acc, &v)) in s.iter_mut().zip(row).enumerate() {
                        *acc += f(j, v);
                    }
                }
                s
            })
            .collect();
        let mut total = vec![0.0; width];
        for p in &partials {
            total.iter_mut().zip(p).for_each(|(t, v)| *t += v);
        }
        total
    };
    let mean: Vec<f64> = sum_chunks(&|_, v| f64::from(v))
        .iter()
        .map(|s| s / n)
        .collect();
    let var = sum_chunks(&|j, v| (f64::from(v) - mean[j]).powi(2));
    let std = var.iter().map(|s| (s / n).sqrt()).collect();
    (mean, std)
}

/// A linear map of `[lo, hi]` onto `[0, 1]`, clipped; a flat range maps everything to ½.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    lo: f64,
    span: f64,
}

impl Scale {
    /// `flat` decides when `hi − lo` is too small to mean anything.
    pub(crate) fn new((lo, hi): (f64, f64), flat: bool) -> Self {
        let span = if flat || hi <= lo { 0.0 } else { hi - lo };
        Self { lo, span }
    }

    pub(crate) fn apply(self, v: f64) -> f64 {
        if self.span > 0.0 {
            ((v - self.lo) / self.span).clamp(0.0, 1.0)
        } else {
            0.5
        }
    }
}

/// `[0, 1]` to a byte, rounding to nearest.
pub(crate) fn unit_to_byte(t: f64) -> u8 {
    (t.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// One robust [`Scale`] per column of `N × width` scores: each column's `(lo, hi)` percentiles;
/// a column whose spread is under [`FLAT`] of the widest column's counts as constant.
pub(crate) fn robust_scales(scores: &[f32], width: usize, pct: (f64, f64)) -> Vec<Scale> {
    let ranges: Vec<(f64, f64)> = (0..width)
        .into_par_iter()
        .map(|j| percentile_pair(&mut column(scores, width, j), pct).unwrap_or((0.0, 0.0)))
        .collect();
    let widest = ranges.iter().map(|(lo, hi)| hi - lo).fold(0.0, f64::max);
    ranges
        .iter()
        .map(|&r| Scale::new(r, r.1 - r.0 <= FLAT * widest))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let mut v = vec![3.0, -3.0, 0.0, 0.0];
        assert!((percentile(&mut v, 1.0).unwrap() + 2.91).abs() < 1e-12);
        assert!((percentile(&mut v, 99.0).unwrap() - 2.91).abs() < 1e-12);
        assert!((percentile(&mut v, 50.0).unwrap()).abs() < 1e-12);
        let mut w = vec![5.0];
        assert_eq!(percentile(&mut w, 37.0), Some(5.0));
        assert_eq!(percentile(&mut [], 50.0), None);
        let mut u: Vec<f64> = (0..=100).rev().map(f64::from).collect();
        assert_eq!(percentile(&mut u, 2.0), Some(2.0));
        assert_eq!(percentile(&mut u, 100.0), Some(100.0));
    }

    #[test]
    fn moments_of_columns() {
        let rows = [1.0, 5.0, 3.0, 5.0_f32];
        let (mean, std) = column_moments(&rows, 2);
        assert_eq!(mean, vec![2.0, 5.0]);
        assert_eq!(std, vec![1.0, 0.0]);
    }
}
