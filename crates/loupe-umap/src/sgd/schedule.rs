//! umap-learn's per-edge sampling schedule, and the sweep that finds each epoch's due edges.
//!
//! Every epoch starts with one sweep over all edges, block by block in parallel (each block
//! owns its edges' schedule): the edges due this epoch are listed, grouped by point, their
//! schedule advanced and their number of negative samples fixed. The sweep is branch-light —
//! about a third of the edges are due each epoch, in no pattern a branch predictor could
//! learn — so listing an edge is a store and an add of 0 or 1, not a jump. The sample loop
//! and the reaction pass then read only the lists: for the reaction pass the sweep also lists,
//! per phase, where each point's reactions of that phase are (the reverse edges of its due
//! edges whose tail runs in the phase), so each phase's pass reads just those.

use super::PHASES;

/// An edge's sampling schedule, umap-learn's `epoch_of_next_sample`,
/// `epoch_of_next_negative_sample` and `epochs_per_sample` (its
/// `epochs_per_negative_sample` is `epochs_per_sample / negative_sample_rate`): what a due
/// edge's bookkeeping needs, in 12 bytes. umap-learn keeps the schedule in `f64`; `f32`
/// counts epochs (at most thousands) to a ten-thousandth and halves the schedule's memory
/// (17 MB instead of 34 MB at 70,000 points).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EdgeState {
    pub(crate) next_sample: f32,
    pub(crate) next_negative: f32,
    pub(crate) epochs_per_sample: f32,
}

/// The first epoch `n` with `next_sample ≤ n`: `⌈next_sample⌉`, without the libm call the
/// baseline x86-64 target makes for `ceil` and without a branch.
#[inline]
pub(crate) fn due_epoch(next_sample: f32) -> u32 {
    // `as` saturates: a negative schedule (an edge never sampled) is due at 0 and stays so.
    let whole = next_sample as u32;
    whole.saturating_add(u32::from((whole as f32) < next_sample))
}

/// One block's edges due this epoch, grouped by point, kept between epochs so that an
/// epoch allocates nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct DueEdges {
    /// Edge indices within the block; the first `len` are this epoch's. Sized to the
    /// block's edge count once, so listing needs no capacity checks.
    local: Vec<u32>,
    /// The negative samples of `local[i]`'s sample this epoch.
    negatives: Vec<u32>,
    len: usize,
    /// Point `p` of the block owns `local[starts[p]..starts[p + 1]]`.
    starts: Vec<u32>,
    /// For each phase, the reaction slots (reverse edges) of the due edges whose tail runs in
    /// that phase, grouped by point, in the order of the point's edges; sized like `local`.
    reactions: [Vec<u32>; PHASES],
    /// Point `p` owns `reactions[q][reaction_starts[q][p]..reaction_starts[q][p + 1]]`.
    reaction_starts: [Vec<u32>; PHASES],
}

/// What the sweep of one block needs.
pub(crate) struct Sweep<'a> {
    pub(crate) row_ptr: &'a [usize],
    /// Every edge's reverse edge, and the phase of its tail's block.
    pub(crate) reverse: &'a [u32],
    pub(crate) tail_phase: &'a [u8],
    pub(crate) epoch: usize,
    pub(crate) negative_sample_rate: f32,
}

impl DueEdges {
    /// Points in the block (as of the last sweep).
    pub(crate) fn n_points(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// The reaction slots point `p` reads after phase `phase`.
    #[inline]
    pub(crate) fn reactions_of(&self, phase: usize, p: usize) -> &[u32] {
        let starts = &self.reaction_starts[phase];
        &self.reactions[phase][starts[p] as usize..starts[p + 1] as usize]
    }

    /// The due edges of point `p` with their negative-sample counts.
    #[inline]
    pub(crate) fn with_negatives(&self, p: usize) -> impl Iterator<Item = (u32, u32)> + '_ {
        let range = self.starts[p] as usize..self.starts[p + 1] as usize;
        self.local[range.clone()]
            .iter()
            .copied()
            .zip(self.negatives[range].iter().copied())
    }

    /// Samples this epoch: every due edge's attraction and its negative samples (an upper
    /// bound: a negative sample that draws its own point is skipped).
    pub(crate) fn sample_bound(&self) -> usize {
        self.len
            + self.negatives[..self.len]
                .iter()
                .map(|&n| n as usize)
                .sum::<usize>()
    }

    /// Lists the block's edges due in `sweep.epoch` and advances their schedule (umap-learn's
    /// bookkeeping after a sample) for the block of `n_block` points from `first_point`:
    /// `due_at` and `schedule` are the block's slices.
    pub(crate) fn sweep(
        &mut self,
        sweep: &Sweep<'_>,
        (first_point, n_block): (usize, usize),
        due_at: &mut [u32],
        schedule: &mut [EdgeState],
    ) {
        let (row_ptr, reverse, tail_phase) = (sweep.row_ptr, sweep.reverse, sweep.tail_phase);
        let (epoch, negative_sample_rate) = (sweep.epoch, sweep.negative_sample_rate);
        let first_edge = row_ptr[first_point];
        if self.local.len() < due_at.len() {
            self.local.resize(due_at.len(), 0);
            self.negatives.resize(due_at.len(), 0);
            for list in &mut self.reactions {
                list.resize(due_at.len(), 0);
            }
        }
        let epoch_u32 = epoch as u32;
        self.starts.clear();
        let mut len = 0;
        for i in first_point..first_point + n_block {
            self.starts.push(len as u32);
            let edges = row_ptr[i] - first_edge..row_ptr[i + 1] - first_edge;
            for (e, &due) in edges.clone().zip(&due_at[edges]) {
                self.local[len] = e as u32;
                len += usize::from(due <= epoch_u32);
            }
        }
        self.starts.push(len as u32);
        self.len = len;
        let mut reaction_len = [0_usize; PHASES];
        for starts in &mut self.reaction_starts {
            starts.clear();
        }
        for p in 0..n_block {
            for (starts, &len) in self.reaction_starts.iter_mut().zip(&reaction_len) {
                starts.push(len as u32);
            }
            for &local in &self.local[self.starts[p] as usize..self.starts[p + 1] as usize] {
                let e = first_edge + local as usize;
                let phase = usize::from(tail_phase[e]);
                for (q, (list, len)) in self.reactions.iter_mut().zip(&mut reaction_len).enumerate()
                {
                    list[*len] = reverse[e];
                    *len += usize::from(q == phase);
                }
            }
        }
        for (starts, &len) in self.reaction_starts.iter_mut().zip(&reaction_len) {
            starts.push(len as u32);
        }
        let now = epoch as f32;
        for (&local, negatives) in self.local[..len].iter().zip(&mut self.negatives) {
            let local = local as usize;
            let state = &mut schedule[local];
            state.next_sample += state.epochs_per_sample;
            due_at[local] = due_epoch(state.next_sample);
            *negatives = 0;
            if negative_sample_rate > 0.0 {
                let per_negative = state.epochs_per_sample / negative_sample_rate;
                // Truncation is umap-learn's `int(...)`; a negative count means none.
                let count = ((now - state.next_negative) / per_negative).max(0.0) as u32;
                state.next_negative += count as f32 * per_negative;
                *negatives = count;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_epoch_is_the_ceiling() {
        for (next, due) in [
            (0.0, 0),
            (-1.0, 0),
            (0.2, 1),
            (1.0, 1),
            (1.0001, 2),
            (7.5, 8),
        ] {
            assert_eq!(due_epoch(next), due, "{next}");
        }
    }

    #[test]
    fn sweep_lists_due_edges_by_point_and_advances_them() {
        // Two points with two edges each; edges 0 and 3 due at epoch 0.
        let row_ptr = [0, 2, 4];
        let mut due_at = vec![0, 5, 5, 0];
        let state = |eps: f32| EdgeState {
            next_sample: eps,
            next_negative: eps / 5.0,
            epochs_per_sample: eps,
        };
        let mut schedule = vec![state(1.0), state(5.0), state(5.0), state(2.0)];
        schedule[0].next_sample = 0.0;
        schedule[0].next_negative = -0.4;
        schedule[3].next_sample = 0.0;
        schedule[3].next_negative = 0.0;
        let mut due = DueEdges::default();
        // Edge 0 (0 → 1) and 3 (1 → 0) are each other's reverse; point 0 runs in phase 0,
        // point 1 in phase 1 (for the test's sake).
        let reverse = [3, 2, 1, 0];
        let tail_phase = [1, 1, 0, 0];
        let sweep = Sweep {
            row_ptr: &row_ptr,
            reverse: &reverse,
            tail_phase: &tail_phase,
            epoch: 0,
            negative_sample_rate: 5.0,
        };
        due.sweep(&sweep, (0, 2), &mut due_at, &mut schedule);
        // Edge 0: (0 − (−0.4)) / 0.2 = 2 negative samples, next sample at epoch 1.
        assert_eq!(due.with_negatives(0).collect::<Vec<_>>(), vec![(0, 2)]);
        assert_eq!(due_at[0], 1);
        assert_eq!(due_at[1], 5, "an edge not due is untouched");
        // Edge 3: (0 − 0) / 0.4 = no negative sample.
        assert_eq!(due.with_negatives(1).collect::<Vec<_>>(), vec![(3, 0)]);
        assert_eq!(due.sample_bound(), 4);
        // Point 0's due edge has its tail in phase 1: its reaction is read after phase 1.
        assert_eq!(due.reactions_of(1, 0), &[3]);
        assert!(due.reactions_of(0, 0).is_empty());
        assert_eq!(due.reactions_of(0, 1), &[0]);
        assert!(due.reactions_of(1, 1).is_empty());
    }
}
