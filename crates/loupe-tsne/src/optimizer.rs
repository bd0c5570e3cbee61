//! openTSNE's gradient descent with momentum and per-coordinate gains
//! (`tsne.gradient_descent`; the gains are Jacobs' 1988 delta-bar-delta rule as used by
//! van der Maaten & Hinton 2008, §3.4).

use rayon::prelude::*;

/// Smallest gain added back on every shrink (openTSNE's `min_gain`).
pub const MIN_GAIN: f64 = 0.01;

/// Points per parallel task of a step. Fixed, so that the per-chunk sums of the re-centring
/// (and therefore every result) are identical whatever the thread count.
const CHUNK: usize = 2048;

/// The optimiser's state; it persists across phases as openTSNE's optimiser object does.
#[derive(Debug, Clone)]
pub(crate) struct GradientDescent {
    gains: Vec<f64>,
    update: Vec<f64>,
    /// Per chunk of points: the sum of the moved positions (for the re-centring).
    partial_sums: Vec<[f64; 2]>,
}

/// Settings of one step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepSettings {
    pub learning_rate: f64,
    pub momentum: f64,
    pub max_step_norm: Option<f64>,
}

/// `np.sign`: 0 for ±0 (so the first step, with a zero update, counts as a sign flip).
fn sign(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

impl GradientDescent {
    /// Gains 1 and a zero update for `len` coordinates.
    pub(crate) fn new(len: usize) -> Self {
        Self {
            gains: vec![1.0; len],
            update: vec![0.0; len],
            partial_sums: Vec::new(),
        }
    }

    /// One step on the layout `y` (interleaved x, y) given its gradient:
    /// gain += 0.2 where sign(update) ≠ sign(gradient), else gain = 0.8·gain + 0.01;
    /// update = momentum·update − lr·gain·gradient; update rows longer than `max_step_norm`
    /// are scaled to that length; y += update; then y is re-centred to zero mean.
    ///
    /// Runs in parallel over fixed chunks of points; the mean is the chunks' sums added in
    /// chunk order (a reassociation of the sequential sum), so results do not depend on the
    /// thread count.
    pub(crate) fn step(&mut self, y: &mut [f64], grad: &[f64], s: StepSettings) {
        self.partial_sums
            .resize((y.len() / 2).div_ceil(CHUNK), [0.0; 2]);
        y.par_chunks_mut(2 * CHUNK)
            .zip(grad.par_chunks(2 * CHUNK))
            .zip(self.gains.par_chunks_mut(2 * CHUNK))
            .zip(self.update.par_chunks_mut(2 * CHUNK))
            .zip(self.partial_sums.par_iter_mut())
            .for_each(|((((y, grad), gains), update), sum)| {
                *sum = step_chunk(y, grad, gains, update, s);
            });
        let sum = self
            .partial_sums
            .iter()
            .fold([0.0; 2], |acc, p| [acc[0] + p[0], acc[1] + p[1]]);
        let n = (y.len() / 2).max(1) as f64;
        let mean = [sum[0] / n, sum[1] / n];
        y.par_chunks_mut(2 * CHUNK).for_each(|y| {
            for p in y.chunks_exact_mut(2) {
                p[0] -= mean[0];
                p[1] -= mean[1];
            }
        });
    }
}

/// The step on one chunk of points, before re-centring; returns the sum of the moved points.
fn step_chunk(
    y: &mut [f64],
    grad: &[f64],
    gains: &mut [f64],
    update: &mut [f64],
    s: StepSettings,
) -> [f64; 2] {
    for ((gain, update), &g) in gains.iter_mut().zip(update.iter_mut()).zip(grad) {
        if sign(*update) == sign(g) {
            *gain = *gain * 0.8 + MIN_GAIN;
        } else {
            *gain += 0.2;
        }
        *update = s.momentum * *update - s.learning_rate * *gain * g;
    }
    if let Some(max_norm) = s.max_step_norm {
        for u in update.chunks_exact_mut(2) {
            let norm = (u[0] * u[0] + u[1] * u[1]).sqrt();
            if norm > max_norm {
                u[0] = u[0] / norm * max_norm;
                u[1] = u[1] / norm * max_norm;
            }
        }
    }
    let mut sum = [0.0; 2];
    for (p, u) in y.chunks_exact_mut(2).zip(update.chunks_exact(2)) {
        p[0] += u[0];
        p[1] += u[1];
        sum[0] += p[0];
        sum[1] += p[1];
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(
        clippy::float_cmp,
        reason = "1 + 0.2 and 0.8 + 0.01 are computed exactly as written"
    )]
    fn gains_momentum_clip_and_centring() {
        let mut gd = GradientDescent::new(4);
        let mut y = vec![0.0, 0.0, 1.0, 1.0];
        let s = StepSettings {
            learning_rate: 10.0,
            momentum: 0.5,
            max_step_norm: Some(5.0),
        };
        // First step: update is 0, so every coordinate counts as flipped: gain 1.2.
        gd.step(&mut y, &[0.1, 0.0, -1.0, 0.0], s);
        assert_eq!(gd.gains[0], 1.2);
        assert_eq!(gd.gains[1], 0.8 + MIN_GAIN); // sign(0) == sign(0)
        assert!((gd.update[0] + 1.2).abs() < 1e-12);
        // −10·1.2·(−1) = 12 is clipped to the max step norm 5.
        assert!((gd.update[2] - 5.0).abs() < 1e-12);
        assert!((y[0] + y[2]).abs() < 1e-12 && (y[1] + y[3]).abs() < 1e-12);
        // Gradient +0.1 against a negative update: flipped again, gain grows.
        gd.step(&mut y, &[0.1, 0.0, 0.0, 0.0], s);
        assert!((gd.gains[0] - (1.2 + 0.2)).abs() < 1e-12);
        // Gradient −0.1 with the (still negative) update: same sign, gain shrinks.
        gd.step(&mut y, &[-0.1, 0.0, 0.0, 0.0], s);
        assert!((gd.gains[0] - (1.4 * 0.8 + MIN_GAIN)).abs() < 1e-12);
    }
}
