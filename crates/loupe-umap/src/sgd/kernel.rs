//! Pass 1 of an epoch for a block of points.
//!
//! First the block's samples are listed, point by point in the order each point takes them:
//! for every edge the epoch's sweep found due, its attraction towards the edge's tail, then
//! its negative samples (targets from a counter-based hash).
//!
//! Then the moves. Each point's samples form one long dependency chain (every sample moves
//! the point the next sample starts from), and a chain of `pow`s and divisions is slow
//! however few instructions it has. So [`LANES`] points advance side by side, one sample each
//! per round: a scalar pass gathers every lane's next target, then one branch-free pass
//! computes all the lanes' moves, which the compiler turns into SIMD. The gather runs a round
//! ahead of the moves: a vector load of lanes that scalar stores have only just written
//! stalls until the stores retire (it cannot be forwarded), which had cost a quarter of the
//! epoch. A lane that finishes its point takes the block's next one. Every point still takes
//! its own samples in exactly the order of a one-point loop, and lanes never read each other,
//! so the result does not depend on which points share a round.

use std::sync::atomic::{AtomicU64, Ordering};

use super::pow::pow_normal;
use super::schedule::DueEdges;
use super::{CLIP, Kernel, REPULSION_EPSILON};
use crate::rng::{GOLDEN, below, draw, sample_key};

/// Points advanced side by side.
pub(crate) const LANES: usize = 8;

/// What every task of an epoch reads.
pub(crate) struct Shared<'a> {
    pub(crate) tails: &'a [u32],
    pub(crate) reactions: &'a Reactions,
    pub(crate) frozen: &'a [f32],
    pub(crate) kernel: Kernel,
    pub(crate) alpha: f32,
    pub(crate) epoch: usize,
    pub(crate) seed_key: u64,
    pub(crate) n_points: u32,
    /// Run the baseline build even where AVX2 is available (for the test that both agree).
    pub(crate) baseline_only: bool,
}

/// One block of points: its positions and its scratch (this epoch's due edges listed).
pub(crate) struct Job<'a> {
    pub(crate) first_point: usize,
    pub(crate) first_edge: usize,
    pub(crate) layout: &'a mut [f32],
    pub(crate) scratch: &'a mut Scratch,
}

/// The steps the edges' tails take because the edges were sampled (umap-learn's
/// `move_other`), one slot per edge, **stored at the edge itself**: the step edge `i → j`
/// gives `j` is written by `i`'s task into the slot of `i → j`, and pass 2 has `j` read it
/// through the reverse edge `j → i`. The writes land in the block's own edge range, which
/// stays in cache; the scattered accesses are the reads of pass 2, which can overlap, where
/// scattered writes had held up the sample loop's own loads behind them. Each slot has a
/// single writer per epoch (the edge's head) and is read only after the pass that writes it
/// has ended, so relaxed atomic stores and loads are all it takes; they compile to plain
/// moves.
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

/// What the lanes do this round, one array per field so that [`Shared::move_lanes`]
/// vectorises.
#[derive(Debug, Clone, Copy, Default)]
struct Round {
    /// Where each lane's sample's other end is (frozen), `[x, y]`: one 8-byte load each.
    target: [[f32; 2]; LANES],
    /// Each lane's [`Sample::slot`].
    slot: [u32; LANES],
    /// 1 for a lane with a point, 0 for an idle one.
    active: [u32; LANES],
}

/// A bit per lane, lane `l` at bit `l`.
type LaneMask = u32;

/// The lanes whose `flags` are set: comparisons gathered into a mask, which the compiler
/// turns into one vector compare, so that a per-lane branch is taken only for the lanes the
/// mask names.
#[expect(
    clippy::inline_always,
    reason = "inlined into the AVX2 build, or it would run as baseline code there"
)]
#[inline(always)]
fn mask(flags: [bool; LANES]) -> LaneMask {
    flags
        .iter()
        .enumerate()
        .fold(0, |m, (l, &f)| m | (LaneMask::from(f) << l))
}

/// The lanes of `mask`, lowest first.
#[expect(
    clippy::inline_always,
    reason = "inlined into the AVX2 build, or it would run as baseline code there"
)]
#[inline(always)]
fn lanes_of(mut mask: LaneMask) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let l = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            l
        })
    })
}

/// One sample of a point's epoch, in the order the point takes them.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    /// The point at the sample's other end (its frozen position is the target).
    target: u32,
    /// For an edge's attraction, the edge (its reaction slot); [`NEGATIVE`] for a negative
    /// sample.
    slot: u32,
}

/// [`Sample::slot`] of a negative sample.
const NEGATIVE: u32 = u32::MAX;

/// A block's due edges and samples for one epoch, kept between epochs so that an epoch
/// allocates nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    /// This epoch's due edges, listed by the sweep at the epoch's start.
    pub(crate) due: DueEdges,
    /// Every sample of the block, grouped by point, each point's in the order it takes them:
    /// for every due edge its attraction, then its negative samples; then one idle sample,
    /// where lanes without a point read. Only the first `n_samples + 1` are this epoch's.
    samples: Vec<Sample>,
    n_samples: usize,
    /// Point `p` of the block owns `samples[sample_starts[p]..sample_starts[p + 1]]`.
    sample_starts: Vec<u32>,
}

/// The lanes' state: which point each advances and where it is in that point's samples.
struct Lanes<'s> {
    samples: &'s [Sample],
    sample_starts: &'s [u32],
    /// The sample idle lanes read (never advanced past).
    idle: u32,
    /// The block's point in each lane (meaningless for an idle lane).
    point: [usize; LANES],
    /// The lane's next sample and the end of its point's samples.
    next: [u32; LANES],
    end: [u32; LANES],
    /// 1 for a lane with a point, 0 for an idle one.
    active: [u32; LANES],
    /// The block's next point to hand to a lane.
    next_point: usize,
    /// Lanes with a point.
    busy: usize,
}

impl Lanes<'_> {
    /// Gives lane `l` the block's next point with samples, or makes it idle (reading the
    /// idle sample) when none is left. Points without samples do not move. Returns whether
    /// the lane got a point.
    fn assign(&mut self, l: usize) -> bool {
        let n_block = self.sample_starts.len() - 1;
        while self.next_point < n_block {
            let p = self.next_point;
            self.next_point += 1;
            let (start, end) = (self.sample_starts[p], self.sample_starts[p + 1]);
            if start < end {
                self.point[l] = p;
                (self.next[l], self.end[l]) = (start, end);
                self.busy += 1 - self.active[l] as usize;
                self.active[l] = 1;
                return true;
            }
        }
        (self.next[l], self.end[l]) = (self.idle, u32::MAX);
        self.busy -= self.active[l] as usize;
        self.active[l] = 0;
        false
    }

    /// Moves every lane with a point to its next sample; returns the lanes whose point has
    /// no sample left (they still hold its position).
    #[expect(
        clippy::inline_always,
        reason = "inlined into the AVX2 build, or it would run as baseline code there"
    )]
    #[inline(always)]
    fn advance(&mut self) -> LaneMask {
        for (next, &active) in self.next.iter_mut().zip(&self.active) {
            *next += active;
        }
        mask(std::array::from_fn(|l| self.next[l] == self.end[l]))
    }

    /// The lanes' next samples, their targets read from `frozen`.
    #[expect(
        clippy::inline_always,
        reason = "inlined into the AVX2 build, or it would run as baseline code there"
    )]
    #[inline(always)]
    fn gather(&self, frozen: &[[f32; 2]], round: &mut Round) {
        for l in 0..LANES {
            let sample = self.samples[self.next[l] as usize];
            round.target[l] = frozen[sample.target as usize];
            round.slot[l] = sample.slot;
        }
        round.active = self.active;
    }
}

impl Shared<'_> {
    /// Pass 1 for one block: lists its samples and moves its points. On x86-64 with AVX2 the
    /// same code runs compiled for AVX2, which gives the same bits: it uses only IEEE basic
    /// operations (no fused multiply-add), which round alike at any vector width.
    pub(crate) fn run(&self, job: Job<'_>) {
        #[cfg(target_arch = "x86_64")]
        if !self.baseline_only && std::arch::is_x86_feature_detected!("avx2") {
            self.run_x86_avx2(job);
            return;
        }
        self.run_portable(job);
    }

    /// Safe entry to the AVX2 build; only called after detection.
    #[cfg(target_arch = "x86_64")]
    fn run_x86_avx2(&self, job: Job<'_>) {
        #[expect(
            unsafe_code,
            reason = "calling a #[target_feature] fn is unsafe only because the CPU might lack \
                      the feature; run checks is_x86_feature_detected!(\"avx2\") first, and the \
                      callee itself uses no unsafe operations"
        )]
        // SAFETY: see the reason above: avx2 was detected at run time.
        unsafe {
            self.run_avx2(job);
        }
    }

    /// [`Shared::run_portable`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn run_avx2(&self, job: Job<'_>) {
        self.run_portable(job);
    }

    /// The kernel for the target's baseline (SSE2 on x86-64, NEON on aarch64); inlined into
    /// the AVX2 build.
    #[expect(
        clippy::inline_always,
        reason = "inlined into the AVX2 build, or it would run as baseline code there"
    )]
    #[inline(always)]
    fn run_portable(&self, job: Job<'_>) {
        let Job {
            first_point,
            first_edge,
            layout,
            scratch,
        } = job;
        self.list_samples(first_point, first_edge, scratch);
        let mut lanes = Lanes {
            samples: &scratch.samples,
            sample_starts: &scratch.sample_starts,
            idle: scratch.n_samples as u32,
            point: [0; LANES],
            next: [0; LANES],
            end: [0; LANES],
            active: [0; LANES],
            next_point: 0,
            busy: 0,
        };
        let (frozen, _) = self.frozen.as_chunks::<2>();
        let mut x = [0.0_f32; LANES];
        let mut y = [0.0_f32; LANES];
        for l in 0..LANES {
            if lanes.assign(l) {
                let p = lanes.point[l];
                (x[l], y[l]) = (layout[2 * p], layout[2 * p + 1]);
            }
        }
        // Software-pipelined: the next round's samples are gathered before this round's
        // moves are computed, so the moves never read what the gather has only just
        // stored (a load spanning several fresh scalar stores stalls until they retire).
        let mut rounds = [Round::default(), Round::default()];
        let [mut round, mut upcoming] = rounds.each_mut();
        lanes.gather(frozen, round);
        let mut finished_points = [0_usize; LANES];
        while lanes.busy > 0 {
            let finished = lanes.advance();
            for l in lanes_of(finished) {
                finished_points[l] = lanes.point[l];
                lanes.assign(l);
            }
            lanes.gather(frozen, upcoming);
            let [step_x, step_y] = self.move_lanes(&mut x, &mut y, round);
            let attractions = mask(std::array::from_fn(|l| {
                round.active[l] != 0 && round.slot[l] != NEGATIVE
            }));
            for l in lanes_of(attractions) {
                self.reactions
                    .store(round.slot[l] as usize, [-step_x[l], -step_y[l]]);
            }
            for l in lanes_of(finished) {
                let done = finished_points[l];
                (layout[2 * done], layout[2 * done + 1]) = (x[l], y[l]);
                let p = lanes.point[l];
                (x[l], y[l]) = (layout[2 * p], layout[2 * p + 1]);
            }
            std::mem::swap(&mut round, &mut upcoming);
        }
    }

    /// Lists each point's samples from the block's due edges: every due edge's attraction
    /// followed by its negative samples, whose targets come from a hash of (seed, epoch,
    /// edge, sample). Branch-free per sample: a negative sample that drew its own point
    /// (umap-learn skips those) is written and then not counted.
    fn list_samples(&self, first_point: usize, first_edge: usize, scratch: &mut Scratch) {
        let Scratch {
            due,
            samples,
            n_samples,
            sample_starts,
        } = scratch;
        let bound = due.sample_bound() + 1;
        if samples.len() < bound {
            samples.resize(bound, Sample::default());
        }
        sample_starts.clear();
        let mut len = 0;
        for p in 0..due.n_points() {
            sample_starts.push(len as u32);
            let i = (first_point + p) as u32;
            for (local, negatives) in due.with_negatives(p) {
                let e = first_edge + local as usize;
                samples[len] = Sample {
                    target: self.tails[e],
                    slot: e as u32,
                };
                len += 1;
                // Negative sample p hashes key + p·GOLDEN (p from 1).
                let mut counter = sample_key(self.seed_key, self.epoch as u64, e as u64);
                for _ in 0..negatives {
                    counter = counter.wrapping_add(GOLDEN);
                    let k = below(draw(counter), self.n_points);
                    samples[len] = Sample {
                        target: k,
                        slot: NEGATIVE,
                    };
                    len += usize::from(k != i);
                }
            }
        }
        sample_starts.push(len as u32);
        samples[len] = Sample {
            target: 0,
            slot: NEGATIVE,
        };
        *n_samples = len;
    }

    /// Every lane's move for its sample, branch-free: the attraction
    /// `−2ab·d^(2(b−1)) / (1 + a·d^(2b))` or the repulsion `2γb / ((ε + d²)(1 + a·d^(2b)))`
    /// times the offset, each component clipped to ±4, times the learning rate. Returns the
    /// steps taken.
    #[expect(
        clippy::inline_always,
        reason = "inlined into the AVX2 build, or it would run as baseline code there"
    )]
    #[inline(always)]
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
            let [target_x, target_y] = round.target[l];
            let (dx, dy) = (x[l] - target_x, y[l] - target_y);
            let d2 = dx * dx + dy * dy;
            let pow_b = pow_normal(d2.max(f32::MIN_POSITIVE), b);
            let denominator = a * pow_b + 1.0;
            // One division for either kind: attraction −2ab·d^(2b) / (d²·(1 + a·d^(2b))),
            // repulsion 2γb / ((ε + d²)·(1 + a·d^(2b))).
            let attract = round.slot[l] != NEGATIVE;
            let numerator = if attract {
                attraction_scale * pow_b
            } else {
                repulsion_scale
            };
            let base = if attract { d2 } else { REPULSION_EPSILON + d2 };
            let coeff = numerator / (base * denominator);
            let moves = round.active[l] != 0 && d2 > 0.0;
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
