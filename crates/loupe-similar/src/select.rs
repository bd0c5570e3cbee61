//! Bounded top-k selection with a total, deterministic order.
//!
//! Candidates are ordered by score descending, then row index ascending. Because that order is
//! total, the k best of a union equal the k best of the per-block k bests, whatever the
//! blocks: parallel selection over fixed blocks merged in block order is exact and
//! independent of the thread count.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;

/// Rows per parallel block: big enough to amortise the per-block heap, small enough that
/// two cores get many blocks to balance.
pub(crate) const BLOCK_ROWS: usize = 4096;

/// One scored row. `Ord` puts the *better* candidate first (`Less`), so a max-heap keeps the
/// worst retained candidate on top and `sort` gives best-first order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub score: f32,
    pub row: usize,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.row.cmp(&other.row))
    }
}

/// The k best candidates seen so far.
pub(crate) struct TopK {
    k: usize,
    heap: BinaryHeap<Candidate>,
}

impl TopK {
    pub(crate) fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    /// Offers a candidate; cheap rejection once full (one comparison against the worst kept).
    #[inline]
    pub(crate) fn push(&mut self, c: Candidate) {
        if self.heap.len() < self.k {
            self.heap.push(c);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && c < *worst
        {
            *worst = c;
        }
    }

    /// Best-first candidates.
    pub(crate) fn into_sorted(self) -> Vec<Candidate> {
        let mut v = self.heap.into_vec();
        v.sort_unstable();
        v
    }
}

/// Exact top-k of `score(row)` over `0..rows`, skipping rows where `skip` is true, computed in
/// parallel over fixed blocks of [`BLOCK_ROWS`] and merged in block order.
pub(crate) fn par_top_k<S, X>(rows: usize, k: usize, score: S, skip: X) -> Vec<Candidate>
where
    S: Fn(usize) -> f32 + Sync,
    X: Fn(usize) -> bool + Sync,
{
    par_top_k_blocks(
        rows,
        k,
        |start, out| {
            for (i, o) in out.iter_mut().enumerate() {
                *o = score(start + i);
            }
        },
        skip,
    )
}

/// [`par_top_k`] where `score_block(start, out)` fills the scores of rows
/// `start..start + out.len()` at once (so a kernel can stream several rows together).
pub(crate) fn par_top_k_blocks<S, X>(
    rows: usize,
    k: usize,
    score_block: S,
    skip: X,
) -> Vec<Candidate>
where
    S: Fn(usize, &mut [f32]) + Sync,
    X: Fn(usize) -> bool + Sync,
{
    if k == 0 || rows == 0 {
        return Vec::new();
    }
    let blocks = rows.div_ceil(BLOCK_ROWS);
    let partial: Vec<Vec<Candidate>> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let start = b * BLOCK_ROWS;
            let end = (start + BLOCK_ROWS).min(rows);
            let mut scores = vec![0.0_f32; end - start];
            score_block(start, &mut scores);
            let mut top = TopK::new(k);
            for (row, &score) in (start..end).zip(&scores) {
                if !skip(row) {
                    top.push(Candidate { score, row });
                }
            }
            top.into_sorted()
        })
        .collect();
    let mut top = TopK::new(k);
    for c in partial.into_iter().flatten() {
        top.push(c);
    }
    top.into_sorted()
}

/// Exact top-k for `m` score functions at once, in one pass over the rows: `score_block(start,
/// out)` fills `out[j·len + i]` with score `j` of row `start + i` (`len = out.len() / m`).
/// Same fixed blocks and in-order merge as [`par_top_k`], so each list equals the
/// single-query answer whatever the thread count.
pub(crate) fn par_top_k_multi<S, X>(
    rows: usize,
    m: usize,
    k: usize,
    score_block: S,
    skip: X,
) -> Vec<Vec<Candidate>>
where
    S: Fn(usize, &mut [f32]) + Sync,
    X: Fn(usize) -> bool + Sync,
{
    if k == 0 || rows == 0 || m == 0 {
        return vec![Vec::new(); m];
    }
    let blocks = rows.div_ceil(BLOCK_ROWS);
    let partial: Vec<Vec<Vec<Candidate>>> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let start = b * BLOCK_ROWS;
            let len = (start + BLOCK_ROWS).min(rows) - start;
            let mut scores = vec![0.0_f32; len * m];
            score_block(start, &mut scores);
            scores
                .chunks_exact(len)
                .map(|per_query| {
                    let mut top = TopK::new(k);
                    for (row, &score) in (start..start + len).zip(per_query) {
                        if !skip(row) {
                            top.push(Candidate { score, row });
                        }
                    }
                    top.into_sorted()
                })
                .collect()
        })
        .collect();
    (0..m)
        .map(|j| {
            let mut top = TopK::new(k);
            for block in &partial {
                for &c in &block[j] {
                    top.push(c);
                }
            }
            top.into_sorted()
        })
        .collect()
}
