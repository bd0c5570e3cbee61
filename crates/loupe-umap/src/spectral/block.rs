//! Tall-and-skinny dense blocks (`N × c`, row-major, `f64`) for the eigensolver: products,
//! Gram matrices and orthonormalisation. Every reduction over rows is split into fixed chunks
//! whose partial results are added in chunk order, so the results do not depend on the
//! number of threads.

use loupe_tsne::symmetric_eigen;
use rayon::prelude::*;

/// Rows per parallel task and per partial sum.
const CHUNK: usize = 2048;

/// An `N × cols` row-major block.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block {
    pub(crate) data: Vec<f64>,
    pub(crate) cols: usize,
}

impl Block {
    pub(crate) fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            data: vec![0.0; rows * cols],
            cols,
        }
    }

    pub(crate) fn rows(&self) -> usize {
        self.data.len().checked_div(self.cols).unwrap_or(0)
    }

    /// Row `r`.
    pub(crate) fn row(&self, r: usize) -> &[f64] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// `selfᵀ·other`: a `self.cols × other.cols` matrix, row-major.
    pub(crate) fn gram(&self, other: &Self) -> Vec<f64> {
        let (ca, cb) = (self.cols, other.cols);
        let rows = self.rows();
        let partial: Vec<Vec<f64>> = (0..rows.div_ceil(CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let mut g = vec![0.0; ca * cb];
                for r in chunk * CHUNK..rows.min((chunk + 1) * CHUNK) {
                    let b = other.row(r);
                    for (&x, g_row) in self.row(r).iter().zip(g.chunks_exact_mut(cb.max(1))) {
                        for (acc, &y) in g_row.iter_mut().zip(b) {
                            *acc += x * y;
                        }
                    }
                }
                g
            })
            .collect();
        let mut total = vec![0.0; ca * cb];
        for g in partial {
            for (t, v) in total.iter_mut().zip(g) {
                *t += v;
            }
        }
        total
    }

    /// `self·c` for a `self.cols × out_cols` row-major `c`.
    pub(crate) fn times(&self, c: &[f64], out_cols: usize) -> Self {
        let mut out = Self::zeros(self.rows(), out_cols);
        if out_cols == 0 {
            return out;
        }
        out.data
            .par_chunks_mut(CHUNK * out_cols)
            .enumerate()
            .for_each(|(chunk, dst)| {
                for (i, d) in dst.chunks_exact_mut(out_cols).enumerate() {
                    let src = self.row(chunk * CHUNK + i);
                    for (&x, c_row) in src.iter().zip(c.chunks_exact(out_cols)) {
                        for (o, &w) in d.iter_mut().zip(c_row) {
                            *o += x * w;
                        }
                    }
                }
            });
        out
    }

    /// `self −= basis·(basisᵀ·self)`, twice ("twice is enough", Giraud et al. 2005): removes
    /// the components along an orthonormal `basis`.
    pub(crate) fn project_out(&mut self, basis: &Self) {
        if basis.cols == 0 || self.cols == 0 {
            return;
        }
        for _ in 0..2 {
            let coef = basis.gram(self);
            let along = basis.times(&coef, self.cols);
            for (v, a) in self.data.iter_mut().zip(&along.data) {
                *v -= a;
            }
        }
    }

    /// Orthonormalises the columns in place by SVQB (Stathopoulos & Wu 2002), twice: the
    /// Gram matrix's eigenvectors scaled by `λ^(−1/2)`, dropping directions with
    /// `λ < 1e-12·λ_max` (so a rank-deficient block shrinks instead of blowing up).
    pub(crate) fn orthonormalise(&mut self) {
        for _ in 0..2 {
            let q = self.cols;
            if q == 0 {
                return;
            }
            let mut g = self.gram(self);
            let (values, vectors) = symmetric_eigen(&mut g, q);
            let mut order: Vec<usize> = (0..q).collect();
            order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
            let largest = values[order[0]].max(0.0);
            let kept: Vec<usize> = order
                .into_iter()
                .filter(|&j| values[j] > 1e-12 * largest && values[j] > 0.0)
                .collect();
            let mut t = vec![0.0; q * kept.len()];
            for (out, &j) in kept.iter().enumerate() {
                let scale = values[j].sqrt().recip();
                for i in 0..q {
                    t[i * kept.len() + out] = vectors[i * q + j] * scale;
                }
            }
            *self = self.times(&t, kept.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orthonormalise_drops_dependent_columns() {
        // Three columns, the third = first + second.
        let rows = 50;
        let mut data = Vec::new();
        for r in 0..rows {
            let (a, b) = (f64::from(r).sin(), (f64::from(r) * 0.3).cos());
            data.extend([a, b, a + b]);
        }
        let mut block = Block { data, cols: 3 };
        block.orthonormalise();
        assert_eq!(block.cols, 2);
        let g = block.gram(&block);
        for (i, v) in g.iter().enumerate() {
            let want = if i % 3 == 0 { 1.0 } else { 0.0 };
            assert!((v - want).abs() < 1e-10, "{g:?}");
        }
    }
}
