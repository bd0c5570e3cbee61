//! A run's trajectory kept in memory, compactly, so any recorded iteration can be replayed.
//!
//! Each frame stores its positions quantised to 16 bits per coordinate relative to the frame's
//! own bounding box: 4 bytes per point instead of 8, and the error of a replayed coordinate is
//! at most half a quantisation step, `(max − min) / 65535 / 2` on that axis of that frame
//! (about 1.5e-3 units for a 200-unit wide t-SNE layout). Absolute 16-bit steps per frame keep
//! frames independent: any one is decoded without its predecessors, so scrubbing is O(N).
//!
//! Memory is bounded by a budget. While every iteration fits, every iteration is kept; when the
//! next one would not, every other kept frame is dropped and from then on only every `2k`-th
//! iteration is kept (`k` doubling each time), so a run of any length ends with frames evenly
//! spaced over all of it. The newest frame is always kept, so the end of a run can be replayed
//! exactly (within the quantisation error).

/// Bytes of a frame's header (iteration, box) counted against the budget.
const FRAME_HEADER_BYTES: usize = 24;

/// Why a timeline cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimelineError {
    /// The budget holds fewer than two frames: nothing could be replayed.
    #[error(
        "a timeline budget of {budget} bytes cannot hold two frames of {points} points \
         ({frame} bytes each); raise the budget"
    )]
    BudgetTooSmall {
        /// The budget asked for.
        budget: usize,
        /// Points per frame.
        points: usize,
        /// Bytes one frame takes.
        frame: usize,
    },
}

/// One recorded iteration.
#[derive(Debug, Clone)]
struct Frame {
    iteration: usize,
    lo: [f32; 2],
    step: [f32; 2],
    xy: Vec<u16>,
}

impl Frame {
    fn encode(iteration: usize, positions: &[f32]) -> Self {
        let (lo, hi) = bounds_2d(positions).unwrap_or(([0.0; 2], [0.0; 2]));
        let step = [0, 1].map(|axis| (hi[axis] - lo[axis]) / f32::from(u16::MAX));
        let xy = positions
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let axis = i % 2;
                if step[axis] > 0.0 && v.is_finite() {
                    ((v - lo[axis]) / step[axis])
                        .round()
                        .clamp(0.0, f32::from(u16::MAX)) as u16
                } else {
                    0
                }
            })
            .collect();
        Self {
            iteration,
            lo,
            step,
            xy,
        }
    }

    fn decode_into(&self, out: &mut Vec<f32>) {
        out.clear();
        out.extend(self.xy.iter().enumerate().map(|(i, &q)| {
            let axis = i % 2;
            self.lo[axis] + f32::from(q) * self.step[axis]
        }));
    }
}

/// The axis-aligned bounds `(min, max)` of interleaved x, y positions, ignoring non-finite
/// values; `None` when no point has a finite coordinate on each axis.
pub fn bounds_2d(positions: &[f32]) -> Option<([f32; 2], [f32; 2])> {
    let mut lo = [f32::INFINITY; 2];
    let mut hi = [f32::NEG_INFINITY; 2];
    for p in positions.chunks_exact(2) {
        for axis in 0..2 {
            if p[axis].is_finite() {
                lo[axis] = lo[axis].min(p[axis]);
                hi[axis] = hi[axis].max(p[axis]);
            }
        }
    }
    (lo[0] <= hi[0] && lo[1] <= hi[1]).then_some((lo, hi))
}

/// A marked iteration: where a phase or stage begins.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineMark {
    /// The first iteration of the phase.
    pub iteration: usize,
    /// What begins there ("embedding (exaggeration 1)").
    pub label: String,
}

/// The recorded iterations of one run. See the module docs for the encoding and the budget.
#[derive(Debug, Clone)]
pub struct Timeline {
    points: usize,
    budget: usize,
    every: usize,
    frames: Vec<Frame>,
    marks: Vec<TimelineMark>,
}

impl Timeline {
    /// An empty timeline for frames of `points` points, using at most `budget` bytes.
    pub fn new(points: usize, budget: usize) -> Result<Self, TimelineError> {
        let frame = Self::frame_bytes_for(points);
        if budget / frame.max(1) < 2 {
            return Err(TimelineError::BudgetTooSmall {
                budget,
                points,
                frame,
            });
        }
        Ok(Self {
            points,
            budget,
            every: 1,
            frames: Vec::new(),
            marks: Vec::new(),
        })
    }

    fn frame_bytes_for(points: usize) -> usize {
        4 * points + FRAME_HEADER_BYTES
    }

    /// Bytes one frame takes.
    pub fn frame_bytes(&self) -> usize {
        Self::frame_bytes_for(self.points)
    }

    /// Frames the budget holds.
    pub fn capacity(&self) -> usize {
        self.budget / self.frame_bytes()
    }

    /// Bytes the kept frames take.
    pub fn bytes(&self) -> usize {
        self.frames.len() * self.frame_bytes()
    }

    /// Points per frame.
    pub fn points(&self) -> usize {
        self.points
    }

    /// Every how many iterations a frame is kept now (1 while everything fits).
    pub fn every(&self) -> usize {
        self.every
    }

    /// Records the positions (interleaved x, y) after `iteration`. Frames of another size are
    /// ignored (a run that adds points starts its own timeline). Iterations must increase.
    pub fn push(&mut self, iteration: usize, positions: &[f32]) {
        if positions.len() != 2 * self.points {
            return;
        }
        if self
            .frames
            .last()
            .is_some_and(|last| last.iteration >= iteration)
        {
            return;
        }
        // The newest frame is kept even off the grid; the next push replaces it if it is.
        if let Some(last) = self.frames.last()
            && !last.iteration.is_multiple_of(self.every)
            && self.frames.len() > 1
        {
            self.frames.pop();
        }
        while self.frames.len() + 1 > self.capacity() {
            // Keep every other grid frame (and the first): the grid step doubles. Terminates:
            // once the step passes the iterations seen, only the first frame is left.
            self.every *= 2;
            let every = self.every;
            let mut index = 0;
            self.frames.retain(|f| {
                let keep = index == 0 || f.iteration.is_multiple_of(every);
                index += 1;
                keep
            });
        }
        self.frames.push(Frame::encode(iteration, positions));
    }

    /// Marks the start of a phase (kept whatever the budget).
    pub fn mark(&mut self, iteration: usize, label: impl Into<String>) {
        let label = label.into();
        if self
            .marks
            .last()
            .is_some_and(|m| m.iteration == iteration && m.label == label)
        {
            return;
        }
        self.marks.push(TimelineMark { iteration, label });
    }

    /// The phase starts marked so far.
    pub fn marks(&self) -> &[TimelineMark] {
        &self.marks
    }

    /// Number of kept frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether no frame is kept.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The iteration of kept frame `index`.
    pub fn iteration(&self, index: usize) -> Option<usize> {
        self.frames.get(index).map(|f| f.iteration)
    }

    /// The kept frame showing `iteration` or the latest one before it.
    pub fn index_at(&self, iteration: usize) -> Option<usize> {
        let after = self.frames.partition_point(|f| f.iteration <= iteration);
        after.checked_sub(1)
    }

    /// Decodes kept frame `index` into `out` (interleaved x, y); false when there is none.
    pub fn frame_into(&self, index: usize, out: &mut Vec<f32>) -> bool {
        match self.frames.get(index) {
            Some(frame) => {
                frame.decode_into(out);
                true
            }
            None => false,
        }
    }

    /// Kept frame `index`, decoded.
    pub fn frame(&self, index: usize) -> Option<Vec<f32>> {
        let mut out = Vec::with_capacity(2 * self.points);
        self.frame_into(index, &mut out).then_some(out)
    }

    /// The largest error of a decoded coordinate of frame `index`, per axis: half a step.
    pub fn max_error(&self, index: usize) -> Option<[f32; 2]> {
        self.frames
            .get(index)
            .map(|f| [f.step[0] * 0.5, f.step[1] * 0.5])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random_frame(rng: &mut ChaCha8Rng, points: usize, spread: f32) -> Vec<f32> {
        (0..2 * points)
            .map(|_| rng.random_range(-spread..spread))
            .collect()
    }

    #[test]
    fn every_iteration_replays_within_half_a_step_while_it_fits() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let points = 500;
        let mut timeline = Timeline::new(points, 1 << 20).unwrap();
        let mut published = Vec::new();
        for iteration in 1..=50 {
            let frame = random_frame(&mut rng, points, 10.0 * iteration as f32);
            timeline.push(iteration, &frame);
            published.push(frame);
        }
        assert_eq!(timeline.len(), 50);
        assert_eq!(timeline.every(), 1);
        for (index, expected) in published.iter().enumerate() {
            assert_eq!(timeline.iteration(index), Some(index + 1));
            let replayed = timeline.frame(index).unwrap();
            let [ex, ey] = timeline.max_error(index).unwrap();
            let spread = 10.0 * (index + 1) as f32;
            for (i, (&a, &b)) in replayed.iter().zip(expected).enumerate() {
                let bound = if i % 2 == 0 { ex } else { ey };
                // Half a step, plus a few ulps (of the frame's extent) of f32 rounding.
                assert!(
                    (a - b).abs() <= bound + 8.0 * f32::EPSILON * 3.0 * spread,
                    "{a} vs {b} frame {index} bound {bound}"
                );
            }
        }
    }

    #[test]
    fn the_budget_is_respected_and_frames_stay_evenly_spread() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let points = 100;
        let frame_bytes = 4 * points + FRAME_HEADER_BYTES;
        let budget = 10 * frame_bytes + 7;
        let mut timeline = Timeline::new(points, budget).unwrap();
        for iteration in 1..=1000 {
            timeline.push(iteration, &random_frame(&mut rng, points, 5.0));
            assert!(timeline.bytes() <= budget, "at iteration {iteration}");
        }
        assert!(timeline.len() >= 5, "{} frames", timeline.len());
        assert_eq!(timeline.iteration(0), Some(1), "the first frame is kept");
        assert_eq!(
            timeline.iteration(timeline.len() - 1),
            Some(1000),
            "the newest frame is kept"
        );
        let every = timeline.every();
        for index in 1..timeline.len() - 1 {
            assert!(timeline.iteration(index).unwrap().is_multiple_of(every));
        }
        assert_eq!(timeline.index_at(999), Some(timeline.len() - 2));
        assert_eq!(timeline.index_at(0), None);
    }

    #[test]
    fn a_budget_below_two_frames_is_an_error_and_odd_frames_are_ignored() {
        let err = Timeline::new(1000, 4000).unwrap_err();
        assert!(err.to_string().contains("two frames"), "{err}");
        let mut timeline = Timeline::new(2, 1000).unwrap();
        timeline.push(1, &[0.0, 0.0, 1.0, 1.0]);
        timeline.push(2, &[0.0, 0.0]);
        timeline.push(1, &[0.0, 0.0, 2.0, 2.0]);
        assert_eq!(
            timeline.len(),
            1,
            "wrong size and non-increasing are ignored"
        );
        // A degenerate frame (all points equal) decodes exactly.
        timeline.push(3, &[4.0, -2.0, 4.0, -2.0]);
        assert_eq!(timeline.frame(1).unwrap(), vec![4.0, -2.0, 4.0, -2.0]);
    }
}
