//! The normalised copy of the vectors and exact cosine top-k over it.

use rayon::prelude::*;

use crate::dot::dots;
use crate::error::SimilarError;
use crate::select::{BLOCK_ROWS, par_top_k_blocks, par_top_k_multi};

/// Rows per sub-block of the many-query passes: 64 × 768 × 4 B = 192 KiB, resident in L2
/// while every query passes over it.
const SUB_ROWS: usize = 64;

/// Row-major `N × D` vectors scaled to unit L2 norm, made once per dataset.
///
/// Cosine similarity `cos(a, b) = a·b / (‖a‖‖b‖)` becomes a plain dot product on unit rows, so
/// every query afterwards is one pass of multiply-adds over memory. Rows whose norm is zero or
/// non-finite have no direction: they are stored as zeros, flagged as undefined, never rank
/// and cannot be queries.
#[derive(Debug, Clone)]
pub struct NormalisedVectors {
    data: Vec<f32>,
    dim: usize,
    rows: usize,
    defined: Vec<bool>,
    defined_count: usize,
}

impl NormalisedVectors {
    /// Normalises `vectors` (row-major, `dim` values per row) in parallel over fixed blocks of
    /// rows. The norm is accumulated in `f64` so that very large or very small finite rows
    /// still get a direction.
    pub fn new(vectors: &[f32], dim: usize) -> Result<Self, SimilarError> {
        if dim == 0 {
            return Err(SimilarError::ZeroDimension { dim });
        }
        if !vectors.len().is_multiple_of(dim) {
            return Err(SimilarError::RaggedVectors {
                len: vectors.len(),
                dim,
            });
        }
        let rows = vectors.len() / dim;
        let mut data = vec![0.0_f32; vectors.len()];
        let mut defined = vec![false; rows];
        data.par_chunks_mut(BLOCK_ROWS * dim)
            .zip(defined.par_chunks_mut(BLOCK_ROWS))
            .zip(vectors.par_chunks(BLOCK_ROWS * dim))
            .for_each(|((out, ok), src)| {
                for ((o, d), s) in out
                    .chunks_exact_mut(dim)
                    .zip(ok.iter_mut())
                    .zip(src.chunks_exact(dim))
                {
                    let norm = s
                        .iter()
                        .map(|&x| f64::from(x) * f64::from(x))
                        .sum::<f64>()
                        .sqrt();
                    if norm > 0.0 && norm.is_finite() {
                        let inv = 1.0 / norm;
                        for (o, &x) in o.iter_mut().zip(s) {
                            *o = (f64::from(x) * inv) as f32;
                        }
                        *d = true;
                    }
                }
            });
        let defined_count = defined.iter().filter(|&&d| d).count();
        Ok(Self {
            data,
            dim,
            rows,
            defined,
            defined_count,
        })
    }

    /// Number of rows `N`.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Row dimension `D`.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// How many rows have a defined direction (non-zero, finite norm).
    pub fn defined_count(&self) -> usize {
        self.defined_count
    }

    /// Whether row `row` has a direction; undefined rows never rank and cannot be queries.
    pub fn is_defined(&self, row: usize) -> bool {
        self.defined.get(row).copied().unwrap_or(false)
    }

    /// The unit vector of row `row` (all zeros for an undefined row).
    pub fn row(&self, row: usize) -> &[f32] {
        &self.data[row * self.dim..(row + 1) * self.dim]
    }

    /// Checks that `row` exists and has a direction, so it can serve as a query or positive.
    pub(crate) fn check_query_row(&self, row: usize) -> Result<(), SimilarError> {
        if row >= self.rows {
            return Err(SimilarError::RowOutOfRange {
                row,
                rows: self.rows,
            });
        }
        if !self.defined[row] {
            return Err(SimilarError::UndefinedRow { row });
        }
        Ok(())
    }

    /// Scales `query` to unit length (`q / ‖q‖`), so scores are true cosines.
    pub fn normalise_query(&self, query: &[f32]) -> Result<Vec<f32>, SimilarError> {
        normalise(query, self.dim, "query")
    }

    /// Exact top-`k` rows by cosine to `query`, best first, ties broken by the smaller row
    /// index. Rows for which `exclude` returns true, and undefined rows, are skipped.
    ///
    /// One pass over all `N` rows in fixed blocks on the rayon pool; the result does not
    /// depend on the number of threads.
    pub fn top_k(
        &self,
        query: &[f32],
        k: usize,
        exclude: impl Fn(usize) -> bool + Sync,
    ) -> Result<Vec<(usize, f32)>, SimilarError> {
        let q = self.normalise_query(query)?;
        Ok(self.top_k_unit(&q, k, exclude))
    }

    /// Exact top-`k` rows most similar to row `row`, excluding the row itself: the "click a
    /// point" query. Fails for an undefined row (its cosine is undefined).
    pub fn top_k_row(&self, row: usize, k: usize) -> Result<Vec<(usize, f32)>, SimilarError> {
        self.check_query_row(row)?;
        Ok(self.top_k_unit(self.row(row), k, |r| r == row))
    }

    /// [`Self::top_k`] for a query already of unit length.
    pub(crate) fn top_k_unit(
        &self,
        q: &[f32],
        k: usize,
        exclude: impl Fn(usize) -> bool + Sync,
    ) -> Vec<(usize, f32)> {
        let dim = self.dim;
        let data = &self.data;
        par_top_k_blocks(
            self.rows,
            k,
            |start, out| dots(&data[start * dim..(start + out.len()) * dim], q, out),
            |r| !self.defined[r] || exclude(r),
        )
        .into_iter()
        .map(|c| (c.row, c.score))
        .collect()
    }

    /// Exact top-`k` for several queries in one pass over the rows: the vectors are read from
    /// memory once (in cache-sized sub-blocks) instead of once per query, which is what bounds
    /// a query at millions of rows. Each list equals [`Self::top_k`] for that query.
    pub fn top_k_many(
        &self,
        queries: &[&[f32]],
        k: usize,
        exclude: impl Fn(usize) -> bool + Sync,
    ) -> Result<Vec<Vec<(usize, f32)>>, SimilarError> {
        let unit = queries
            .iter()
            .map(|q| self.normalise_query(q))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&[f32]> = unit.iter().map(Vec::as_slice).collect();
        Ok(self.top_k_many_unit(&refs, k, exclude))
    }

    /// [`Self::top_k_many`] for queries already of unit length.
    pub(crate) fn top_k_many_unit(
        &self,
        queries: &[&[f32]],
        k: usize,
        exclude: impl Fn(usize) -> bool + Sync,
    ) -> Vec<Vec<(usize, f32)>> {
        let dim = self.dim;
        let data = self.data.as_slice();
        par_top_k_multi(
            self.rows,
            queries.len(),
            k,
            |start, out| {
                let len = out.len() / queries.len();
                for sub in (0..len).step_by(SUB_ROWS) {
                    let end = (sub + SUB_ROWS).min(len);
                    let rows = &data[(start + sub) * dim..(start + end) * dim];
                    for (j, q) in queries.iter().enumerate() {
                        dots(rows, q, &mut out[j * len + sub..j * len + end]);
                    }
                }
            },
            |r| !self.defined[r] || exclude(r),
        )
        .into_iter()
        .map(|list| list.into_iter().map(|c| (c.row, c.score)).collect())
        .collect()
    }

    /// Raises `best[r]` to `max(best[r], row(r)·q)` for every row `r` and every unit query
    /// `q`: one pass over the rows for all queries (as [`Self::top_k_many`]), so the max
    /// cosine to a growing pool of positives costs one dot product per row and *new*
    /// positive. `max` is exact and [`dots`] equals [`crate::dot`], so the result does not
    /// depend on the order the queries arrive in or on the thread count.
    pub(crate) fn max_update(&self, queries: &[&[f32]], best: &mut [f32]) {
        debug_assert_eq!(best.len(), self.rows);
        if queries.is_empty() {
            return;
        }
        let dim = self.dim;
        best.par_chunks_mut(BLOCK_ROWS)
            .zip(self.data.par_chunks(BLOCK_ROWS * dim))
            .for_each(|(best, rows)| {
                let mut scratch = [0.0_f32; SUB_ROWS];
                for (best, rows) in best.chunks_mut(SUB_ROWS).zip(rows.chunks(SUB_ROWS * dim)) {
                    let scores = &mut scratch[..best.len()];
                    for q in queries {
                        dots(rows, q, scores);
                        for (b, &s) in best.iter_mut().zip(scores.iter()) {
                            *b = b.max(s);
                        }
                    }
                }
            });
    }

    /// Cosine of every row to the unit vector `q` (0 for undefined rows), in parallel.
    pub(crate) fn cosines(&self, q: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0_f32; self.rows];
        out.par_chunks_mut(BLOCK_ROWS)
            .zip(self.data.par_chunks(BLOCK_ROWS * self.dim))
            .for_each(|(o, rows)| dots(rows, q, o));
        out
    }
}

/// `v / ‖v‖`, failing when `v` has the wrong length or zero/non-finite norm.
pub(crate) fn normalise(
    v: &[f32],
    dim: usize,
    what: &'static str,
) -> Result<Vec<f32>, SimilarError> {
    if v.len() != dim {
        return Err(SimilarError::QueryDimension {
            expected: dim,
            found: v.len(),
        });
    }
    let norm = v
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt();
    if !(norm > 0.0 && norm.is_finite()) {
        return Err(SimilarError::ZeroQuery { what });
    }
    Ok(v.iter().map(|&x| (f64::from(x) / norm) as f32).collect())
}
