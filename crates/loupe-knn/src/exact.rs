//! Exact k-nearest-neighbour search by blocked dense products.

use rayon::prelude::*;

use crate::dense::{MatRef, gemm};
use crate::distance::{normalise_rows, squared_distance, squared_norms};
use crate::topk::TopK;
use crate::{KnnError, KnnGraph, Metric};

/// Query rows handled by one task; fixed (not derived from the thread count) so that the
/// result cannot depend on how many threads run the search.
const ROW_BLOCK: usize = 128;
/// Reference rows per matrix product: big enough to amortise packing, small enough that the
/// `ROW_BLOCK × COL_BLOCK` product buffer (1 MiB) stays in cache-friendly territory.
const COL_BLOCK: usize = 2048;
/// Extra candidates kept per row from the fast (cancellation-prone) `‖x‖² + ‖y‖² − 2x·y`
/// pass, re-ranked with exact differences so that rounding cannot reorder the final k.
const SLACK: usize = 8;

/// The exact `k` nearest neighbours of every row of `vectors` (`N × dim`, row-major).
///
/// Squared distances are computed block by block as `‖x‖² + ‖y‖² − 2·x·y` with one SGEMM per
/// `128 × 2048` block of pairs, feeding a bounded max-heap per query row; row blocks run in
/// parallel on rayon's pool. The few best candidates of each row are then re-measured by
/// direct differences (no cancellation) and sorted by `(distance, index)`, so the output is
/// deterministic and independent of the thread count. Cost: `O(N²·D)` flops, `O(N·k)` memory
/// beyond the input (plus one copy of the input for [`Metric::Cosine`]).
pub fn exact_knn(
    vectors: &[f32],
    dim: usize,
    k: usize,
    metric: Metric,
) -> Result<KnnGraph, KnnError> {
    check_input(vectors, dim, k)?;
    let normalised;
    let data: &[f32] = match metric {
        Metric::Euclidean => vectors,
        Metric::Cosine => {
            normalised = normalise_rows(vectors, dim);
            &normalised
        }
    };
    let norms = squared_norms(data, dim);
    let side = Side {
        data,
        norms: &norms,
    };
    Ok(search_blocks(side, side, dim, k, metric, true))
}

/// The exact `k` nearest rows of `reference` (`N × dim`) for every row of `queries`
/// (`M × dim`): adding points to a finished layout, and similarity search.
///
/// The same blocked SGEMM search as [`exact_knn`], with one difference: queries are not
/// reference rows, so a query identical to a reference row finds it at distance 0. `k` is
/// clamped to `N`. Deterministic and independent of the thread count; ties go to the lower
/// reference index.
pub fn exact_query_knn(
    queries: &[f32],
    reference: &[f32],
    dim: usize,
    k: usize,
    metric: Metric,
) -> Result<KnnGraph, KnnError> {
    let n_ref = check_input(reference, dim, 1).or_else(|e| match e {
        // A reference of one row is fine here: nothing is excluded.
        KnnError::TooManyNeighbors { n_points: 1, .. } => Ok(1),
        e => Err(e),
    })?;
    if !queries.len().is_multiple_of(dim) {
        return Err(KnnError::RaggedBuffer {
            len: queries.len(),
            dim,
        });
    }
    if let Some(pos) = queries.iter().position(|v| !v.is_finite()) {
        return Err(KnnError::NonFinite { row: pos / dim });
    }
    let k = k.clamp(1, n_ref);
    let (q_normalised, r_normalised);
    let (queries, reference) = match metric {
        Metric::Euclidean => (queries, reference),
        Metric::Cosine => {
            q_normalised = normalise_rows(queries, dim);
            r_normalised = normalise_rows(reference, dim);
            (q_normalised.as_slice(), r_normalised.as_slice())
        }
    };
    let (q_norms, r_norms) = (squared_norms(queries, dim), squared_norms(reference, dim));
    Ok(search_blocks(
        Side {
            data: queries,
            norms: &q_norms,
        },
        Side {
            data: reference,
            norms: &r_norms,
        },
        dim,
        k,
        metric,
        false,
    ))
}

/// Rows and their squared norms.
#[derive(Clone, Copy)]
struct Side<'a> {
    data: &'a [f32],
    norms: &'a [f32],
}

/// Runs [`BlockSearch`] over every block of query rows in parallel.
fn search_blocks(
    queries: Side<'_>,
    reference: Side<'_>,
    dim: usize,
    k: usize,
    metric: Metric,
    exclude_self: bool,
) -> KnnGraph {
    let n_ref = reference.norms.len();
    let n_queries = queries.norms.len();
    let keep = (k + SLACK).min(n_ref - usize::from(exclude_self));
    let mut indices = vec![0_u32; n_queries * k];
    let mut distances = vec![0_f32; n_queries * k];
    indices
        .par_chunks_mut(ROW_BLOCK * k)
        .zip(distances.par_chunks_mut(ROW_BLOCK * k))
        .enumerate()
        .for_each(|(block, (idx_out, dist_out))| {
            let search = BlockSearch {
                queries,
                reference,
                dim,
                first_row: block * ROW_BLOCK,
                k,
                keep,
                metric,
                exclude_self,
            };
            search.run(idx_out, dist_out);
        });
    KnnGraph {
        k,
        indices,
        distances,
    }
}

pub(crate) fn check_input(vectors: &[f32], dim: usize, k: usize) -> Result<usize, KnnError> {
    if dim == 0 {
        return Err(KnnError::ZeroDimension);
    }
    if !vectors.len().is_multiple_of(dim) {
        return Err(KnnError::RaggedBuffer {
            len: vectors.len(),
            dim,
        });
    }
    let n = vectors.len() / dim;
    if k == 0 {
        return Err(KnnError::ZeroNeighbors);
    }
    if k >= n {
        return Err(KnnError::TooManyNeighbors { k, n_points: n });
    }
    if u32::try_from(n).is_err() {
        return Err(KnnError::TooManyPoints { n_points: n });
    }
    if let Some(pos) = vectors.iter().position(|v| !v.is_finite()) {
        return Err(KnnError::NonFinite { row: pos / dim });
    }
    Ok(n)
}

/// One task: the neighbours of query rows `first_row ..` (as many as the output chunk holds).
struct BlockSearch<'a> {
    queries: Side<'a>,
    reference: Side<'a>,
    dim: usize,
    first_row: usize,
    k: usize,
    keep: usize,
    metric: Metric,
    /// Queries are the reference rows themselves: row `i` is not its own neighbour.
    exclude_self: bool,
}

impl BlockSearch<'_> {
    fn run(&self, idx_out: &mut [u32], dist_out: &mut [f32]) {
        let n = self.reference.norms.len();
        let k = self.k;
        let rows = idx_out.len() / k;
        let (dim, r0) = (self.dim, self.first_row);
        let mut heaps = vec![TopK::new(self.keep); rows];
        let mut products = vec![0.0_f32; rows * COL_BLOCK.min(n)];
        let a = MatRef::row_major(&self.queries.data[r0 * dim..(r0 + rows) * dim], rows, dim)
            .expect("query block lies inside the data");
        for c0 in (0..n).step_by(COL_BLOCK) {
            let cols = COL_BLOCK.min(n - c0);
            let b = MatRef::row_major(&self.reference.data[c0 * dim..(c0 + cols) * dim], cols, dim)
                .expect("reference block lies inside the data")
                .t();
            let products = &mut products[..rows * cols];
            gemm(-2.0, a, b, 0.0, products, cols);
            for (r, heap) in heaps.iter_mut().enumerate() {
                let i = r0 + r;
                let ni = self.queries.norms[i];
                let skip = if self.exclude_self { i } else { usize::MAX };
                let mut threshold = heap.threshold();
                let row = &products[r * cols..(r + 1) * cols];
                for ((j, &minus_2_dot), &nj) in
                    (c0..).zip(row).zip(&self.reference.norms[c0..c0 + cols])
                {
                    let d2 = (ni + nj + minus_2_dot).max(0.0);
                    if d2 <= threshold && j != skip {
                        heap.offer(d2, j as u32);
                        threshold = heap.threshold();
                    }
                }
            }
        }
        let mut candidates: Vec<(f32, u32)> = Vec::with_capacity(self.keep);
        for (r, heap) in heaps.iter().enumerate() {
            let x = row_of(self.queries.data, self.dim, r0 + r);
            candidates.clear();
            candidates.extend(heap.indices().map(|j| {
                let y = row_of(self.reference.data, self.dim, j as usize);
                (squared_distance(x, y), j)
            }));
            candidates.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let out = r * k..(r + 1) * k;
            for ((slot_i, slot_d), &(d2, j)) in idx_out[out.clone()]
                .iter_mut()
                .zip(&mut dist_out[out])
                .zip(&candidates)
            {
                *slot_i = j;
                *slot_d = match self.metric {
                    Metric::Euclidean => d2.sqrt(),
                    Metric::Cosine => d2 * 0.5,
                };
            }
        }
    }
}

fn row_of(data: &[f32], dim: usize, i: usize) -> &[f32] {
    &data[i * dim..(i + 1) * dim]
}
