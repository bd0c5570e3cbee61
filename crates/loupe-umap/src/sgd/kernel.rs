//! Pass 1 of an epoch for a block of points.
//!
//! First the block's edge range is swept in order: every edge due this epoch has its
//! schedule advanced (umap-learn's bookkeeping) and becomes an [`Event`] — tail and number
//! of negative samples — in the block's event list, grouped by point. Sweeping in memory
//! order lets the hardware prefetch the schedule, which is far larger than the caches;
//! visiting it point by point in the sampling loop stalled on a cache miss per edge.
//!
//! Then the samples. Each point's samples form one long dependency chain (every sample
//! moves the point the next sample starts from), and a chain of `pow`s and divisions is slow
//! however few instructions it has. So [`LANES`] points advance side by side, one sample each
//! per round: a scalar pass picks every lane's next sample (an attraction towards an event's
//! tail, or a negative sample), then one branch-free pass computes all the lanes' moves,
//! which the compiler turns into SIMD. A lane that finishes its point takes the block's next
//! one. Every point still takes its own samples in exactly the order of a one-point loop,
//! and lanes never read each other, so the result does not depend on which points share a
//! round.

use std::sync::atomic::{AtomicU64, Ordering};

use super::pow::pow_normal;
use super::{CLIP, Kernel, REPULSION_EPSILON};
use crate::rng::{GOLDEN, below, draw, sample_key};

/// Points advanced side by side.
pub(crate) const LANES: usize = 8;

/// What every task of an epoch reads.
pub(crate) struct Shared<'a> {
    pub(crate) row_ptr: &'a [usize],
    pub(crate) reverse: &'a [u32],
    pub(crate) reactions: &'a Reactions,
    pub(crate) frozen: &'a [f32],
    pub(crate) kernel: Kernel,
    pub(crate) alpha: f32,
    pub(crate) epoch: usize,
    pub(crate) negative_sample_rate: f32,
    pub(crate) seed_key: u64,
    pub(crate) n_points: u32,
}

/// One block of points and its slices of the per-edge arrays.
pub(crate) struct Job<'a> {
    pub(crate) first_point: usize,
    pub(crate) first_edge: usize,
    pub(crate) layout: &'a mut [f32],
    pub(crate) due_at: &'a mut [u32],
    pub(crate) schedule: &'a mut [EdgeState],
    pub(crate) scratch: &'a mut Scratch,
}

/// An edge's sampling schedule, umap-learn's `epoch_of_next_sample`,
/// `epoch_of_next_negative_sample` and `epochs_per_sample` (its
/// `epochs_per_negative_sample` is `epochs_per_sample / negative_sample_rate`), with the
/// edge's tail: what a due edge needs, in 16 bytes. umap-learn keeps the schedule in `f64`;
/// `f32` counts epochs (at most thousands) to a ten-thousandth and halves the schedule's
/// memory (22 MB instead of 45 MB at 70,000 points).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EdgeState {
    pub(crate) next_sample: f32,
    pub(crate) next_negative: f32,
    pub(crate) epochs_per_sample: f32,
    pub(crate) tail: u32,
}

/// The first epoch `n` with `next_sample ≤ n`: `⌈next_sample⌉` (without the libm call the
/// baseline x86-64 target makes for `ceil`).
#[inline]
pub(crate) fn due_epoch(next_sample: f32) -> u32 {
    if next_sample <= 0.0 {
        return 0;
    }
    let whole = next_sample as u32;
    if (whole as f32) < next_sample {
        whole.saturating_add(1)
    } else {
        whole
    }
}

/// The steps the edges' tails take because the edges were sampled (umap-learn's
/// `move_other`), one slot per edge, **stored at the reverse edge**: the step edge `i → j`
/// gives `j` is written by `i`'s task into the slot of `j → i`, so that pass 2 reads each
/// point's slots in the order of its own edges, from memory in order. Each slot has a single
/// writer per epoch (the owner of its reverse edge) and is read only after the pass that
/// writes it has ended, so relaxed atomic stores and loads are all it takes; they compile to
/// plain moves.
#[derive(Debug, Default)]
pub(crate) struct Reactions(Vec<AtomicU64>);

impl Reactions {
    pub(crate) fn new(n_edges: usize) -> Self {
        Self((0..n_edges).map(|_| AtomicU64::new(0)).collect())
    }

    #[inline]
    pub(crate) fn store(&self, slot: usize, step: [f32; 2]) {
        let bits = u64::from(step[0].to_bits()) | (u64::from(step[1].to_bits()) << 32);
        self.0[slot].store(bits, Ordering::Relaxed);
    }

    #[inline]
    pub(crate) fn load(&self, slot: usize) -> [f32; 2] {
        let bits = self.0[slot].load(Ordering::Relaxed);
        [
            f32::from_bits(bits as u32),
            f32::from_bits((bits >> 32) as u32),
        ]
    }
}

impl Clone for Reactions {
    fn clone(&self) -> Self {
        Self(
            self.0
                .iter()
                .map(|a| AtomicU64::new(a.load(Ordering::Relaxed)))
                .collect(),
        )
    }
}

/// An edge due this epoch.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Event {
    /// The edge's index within the block.
    local: u32,
    tail: u32,
    negatives: u32,
}

/// A block's event list, kept between epochs so that an epoch allocates nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    events: Vec<Event>,
    /// Point `p` of the block owns `events[starts[p]..starts[p + 1]]`.
    starts: Vec<u32>,
}

impl Scratch {
    /// The edges (indices within the block) of the block's point `p` sampled this epoch.
    pub(crate) fn due_edges(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        let range = self.starts[p] as usize..self.starts[p + 1] as usize;
        self.events[range].iter().map(|e| e.local as usize)
    }
}

/// A lane's progress through its current point's samples.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    /// The point's index within the block, or [`Cursor::IDLE`].
    point: usize,
    /// Next event, and the end of the point's events.
    event: usize,
    end: usize,
    /// Samples left in the current event: its attraction (first) and its negative samples.
    left: u32,
    /// Whether the next sample is the event's attraction.
    attract: bool,
    /// The current event's tail and edge (index within the block).
    tail: u32,
    local: u32,
    /// Counter of the negative samples' hash.
    counter: u64,
}

impl Cursor {
    /// A lane without a point.
    const IDLE: usize = usize::MAX;
}

impl Default for Cursor {
    fn default() -> Self {
        Self {
            point: Self::IDLE,
            event: 0,
            end: 0,
            left: 0,
            attract: false,
            tail: 0,
            local: 0,
            counter: 0,
        }
    }
}

/// What the lanes do this round, one array per field so that [`Shared::move_lanes`]
/// vectorises.
#[derive(Debug, Clone, Copy, Default)]
struct Round {
    /// Where each lane's sample's other end is (frozen).
    target_x: [f32; LANES],
    target_y: [f32; LANES],
    /// [`IDLE`], [`REPEL`] or [`ATTRACT`].
    kind: [u32; LANES],
    /// For an attraction, the edge (index within the block) whose tail step to record.
    edge: [u32; LANES],
}

/// A lane without a sample this round.
const IDLE: u32 = 0;
/// A negative sample.
const REPEL: u32 = 1;
/// An edge's attraction.
const ATTRACT: u32 = 2;

impl Shared<'_> {
    pub(crate) fn run(&self, job: Job<'_>) {
        let Job {
            first_point,
            first_edge,
            layout,
            due_at,
            schedule,
            scratch,
        } = job;
        let n_block = layout.len() / 2;
        self.collect_events(
            (first_point, n_block, first_edge),
            due_at,
            schedule,
            scratch,
        );
        let mut cursors = [Cursor::default(); LANES];
        let mut x = [0.0_f32; LANES];
        let mut y = [0.0_f32; LANES];
        let mut round = Round::default();
        let mut next_point = 0;
        loop {
            let mut any = false;
            for l in 0..LANES {
                let c = &mut cursors[l];
                // A new event (or point) about once in six samples; the rest is branch-free.
                while c.left == 0 {
                    if c.point == Cursor::IDLE {
                        if next_point == n_block {
                            break;
                        }
                        *c = Cursor {
                            point: next_point,
                            event: scratch.starts[next_point] as usize,
                            end: scratch.starts[next_point + 1] as usize,
                            ..Cursor::default()
                        };
                        (x[l], y[l]) = (layout[2 * next_point], layout[2 * next_point + 1]);
                        next_point += 1;
                    } else if c.event < c.end {
                        let event = scratch.events[c.event];
                        c.event += 1;
                        c.left = 1 + event.negatives;
                        c.attract = true;
                        (c.tail, c.local) = (event.tail, event.local);
                        let edge = (first_edge + event.local as usize) as u64;
                        c.counter = sample_key(self.seed_key, self.epoch as u64, edge);
                    } else {
                        (layout[2 * c.point], layout[2 * c.point + 1]) = (x[l], y[l]);
                        c.point = Cursor::IDLE;
                    }
                }
                let (kind, target, edge) = if c.left == 0 {
                    (IDLE, 0, 0)
                } else {
                    c.left -= 1;
                    let attract = c.attract;
                    c.attract = false;
                    // A negative sample steps the counter first (sample p hashes key + p·GOLDEN).
                    c.counter = c.counter.wrapping_add(if attract { 0 } else { GOLDEN });
                    let k = below(draw(c.counter), self.n_points) as usize;
                    let kind = if attract {
                        ATTRACT
                    } else if k == first_point + c.point {
                        // umap-learn skips a negative sample that drew the point itself.
                        IDLE
                    } else {
                        REPEL
                    };
                    (kind, if attract { c.tail as usize } else { k }, c.local)
                };
                round.kind[l] = kind;
                round.edge[l] = edge;
                round.target_x[l] = self.frozen[2 * target];
                round.target_y[l] = self.frozen[2 * target + 1];
                any |= cursors[l].point != Cursor::IDLE;
            }
            if !any {
                return;
            }
            let steps = self.move_lanes(&mut x, &mut y, &round);
            let [step_x, step_y] = steps;
            for (((&kind, &edge), sx), sy) in
                round.kind.iter().zip(&round.edge).zip(step_x).zip(step_y)
            {
                if kind == ATTRACT {
                    let slot = self.reverse[first_edge + edge as usize] as usize;
                    self.reactions.store(slot, [-sx, -sy]);
                }
            }
        }
    }

    /// Sweeps the block's edges in order, advancing the schedule of every edge due this
    /// epoch (umap-learn's bookkeeping) and listing it as an event of its point.
    fn collect_events(
        &self,
        (first_point, n_block, first_edge): (usize, usize, usize),
        due_at: &mut [u32],
        schedule: &mut [EdgeState],
        scratch: &mut Scratch,
    ) {
        let epoch = self.epoch as u32;
        let now = self.epoch as f32;
        scratch.events.clear();
        scratch.starts.clear();
        for i in first_point..first_point + n_block {
            scratch.starts.push(scratch.events.len() as u32);
            for e in self.row_ptr[i]..self.row_ptr[i + 1] {
                let local = e - first_edge;
                if due_at[local] > epoch {
                    continue;
                }
                let state = &mut schedule[local];
                state.next_sample += state.epochs_per_sample;
                due_at[local] = due_epoch(state.next_sample);
                let mut negatives = 0;
                if self.negative_sample_rate > 0.0 {
                    let per_negative = state.epochs_per_sample / self.negative_sample_rate;
                    // Truncation is umap-learn's `int(...)`; a negative count means none.
                    negatives = ((now - state.next_negative) / per_negative).max(0.0) as u32;
                    state.next_negative += negatives as f32 * per_negative;
                }
                scratch.events.push(Event {
                    local: local as u32,
                    tail: state.tail,
                    negatives,
                });
            }
        }
        scratch.starts.push(scratch.events.len() as u32);
    }

    /// Every lane's move for its sample, branch-free: the attraction
    /// `−2ab·d^(2(b−1)) / (1 + a·d^(2b))` or the repulsion `2γb / ((ε + d²)(1 + a·d^(2b)))`
    /// times the offset, each component clipped to ±4, times the learning rate. Returns the
    /// steps taken.
    #[inline]
    fn move_lanes(
        &self,
        x: &mut [f32; LANES],
        y: &mut [f32; LANES],
        round: &Round,
    ) -> [[f32; LANES]; 2] {
        let Kernel { a, b, gamma } = self.kernel;
        let attraction_scale = -2.0 * a * b;
        let repulsion_scale = 2.0 * gamma * b;
        let mut steps = [[0.0_f32; LANES]; 2];
        for l in 0..LANES {
            let (dx, dy) = (x[l] - round.target_x[l], y[l] - round.target_y[l]);
            let d2 = dx * dx + dy * dy;
            let pow_b = pow_normal(d2.max(f32::MIN_POSITIVE), b);
            let denominator = a * pow_b + 1.0;
            // One division for either kind: attraction −2ab·d^(2b) / (d²·(1 + a·d^(2b))),
            // repulsion 2γb / ((ε + d²)·(1 + a·d^(2b))).
            let attract = round.kind[l] == ATTRACT;
            let numerator = if attract {
                attraction_scale * pow_b
            } else {
                repulsion_scale
            };
            let base = if attract { d2 } else { REPULSION_EPSILON + d2 };
            let coeff = numerator / (base * denominator);
            let moves = round.kind[l] != IDLE && d2 > 0.0;
            let step_x = (coeff * dx).clamp(-CLIP, CLIP) * self.alpha;
            let step_y = (coeff * dy).clamp(-CLIP, CLIP) * self.alpha;
            let step_x = if moves { step_x } else { 0.0 };
            let step_y = if moves { step_y } else { 0.0 };
            x[l] += step_x;
            y[l] += step_y;
            steps[0][l] = step_x;
            steps[1][l] = step_y;
        }
        steps
    }
}
