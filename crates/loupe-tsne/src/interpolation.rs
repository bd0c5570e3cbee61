//! The interpolation grid of FFT-accelerated t-SNE (Linderman et al. 2019, "Fast
//! interpolation-based t-SNE for improved visualization of single-cell RNA-seq data", Nature
//! Methods 16, 243–245): its size, its geometry and the Lagrange weights of a point.
//!
//! Every choice follows openTSNE 1.0.4's `estimate_negative_gradient_fft_2d` (`_tsne.pyx`):
//! a square grid spanning the layout's minimum to maximum over both axes, cut into
//! `max(min_num_intervals, ⌊spread / ints_in_interval⌋)` intervals per axis, rounded up to the
//! next size in its list of FFT-friendly sizes and capped at 1,000; three interpolation nodes
//! per interval, at 1/6, 1/2 and 5/6 of it.

/// Interpolation nodes per interval and axis (openTSNE's `n_interpolation_points`).
pub(crate) const NODES_PER_INTERVAL: usize = 3;
/// Fewest intervals per axis (openTSNE's `min_num_intervals`).
pub(crate) const MIN_INTERVALS: usize = 50;
/// Intended side of an interval in layout units (openTSNE's `ints_in_interval`).
pub(crate) const INTERVAL_SIDE: f64 = 1.0;
/// Most intervals per axis: wider layouts get coarser intervals.
pub(crate) const MAX_INTERVALS: usize = 1000;

/// openTSNE's interval counts whose FFT sizes factor into small primes (`2^a 3^b 5^c 7^d`
/// times at most one 11 or 13).
const FFT_FRIENDLY: [u16; 206] = [
    20, 21, 22, 24, 25, 26, 27, 28, 30, 32, 33, 35, 36, 39, 40, 42, 44, 45, 48, 49, 50, 52, 54, 55,
    56, 60, 63, 64, 65, 66, 70, 72, 75, 77, 78, 80, 81, 84, 88, 90, 91, 96, 98, 99, 100, 104, 105,
    108, 110, 112, 117, 120, 125, 126, 128, 130, 132, 135, 140, 144, 147, 150, 154, 156, 160, 162,
    165, 168, 175, 176, 180, 182, 189, 192, 195, 196, 198, 200, 208, 210, 216, 220, 224, 225, 231,
    234, 240, 243, 245, 250, 252, 256, 260, 264, 270, 273, 275, 280, 288, 294, 297, 300, 308, 312,
    315, 320, 324, 325, 330, 336, 343, 350, 351, 352, 360, 364, 375, 378, 384, 385, 390, 392, 396,
    400, 405, 416, 420, 432, 440, 441, 448, 450, 455, 462, 468, 480, 486, 490, 495, 500, 504, 512,
    520, 525, 528, 539, 540, 546, 550, 560, 567, 576, 585, 588, 594, 600, 616, 624, 625, 630, 637,
    640, 648, 650, 660, 672, 675, 686, 693, 700, 702, 704, 720, 728, 729, 735, 750, 756, 768, 770,
    780, 784, 792, 800, 810, 819, 825, 832, 840, 864, 875, 880, 882, 891, 896, 900, 910, 924, 936,
    945, 960, 972, 975, 980, 990, 1000,
];

/// Intervals per axis for a layout whose coordinates span `spread` (max − min over both axes).
pub(crate) fn intervals_for_spread(spread: f64) -> usize {
    // openTSNE truncates (`<int>fmax(...)`); the saturating cast maps NaN to 0 → the minimum.
    let wanted = (spread / INTERVAL_SIDE).max(MIN_INTERVALS as f64) as usize;
    FFT_FRIENDLY
        .iter()
        .map(|&s| usize::from(s))
        .find(|&s| s >= wanted)
        .unwrap_or(MAX_INTERVALS)
}

/// Where the grid lies: `intervals` square intervals of side `width` per axis from `origin`
/// (the same in x and y).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GridGeometry {
    pub origin: f64,
    pub width: f64,
    pub intervals: usize,
}

impl GridGeometry {
    /// The grid for layout `y` (interleaved x, y).
    pub(crate) fn covering(y: &[f64]) -> Self {
        let (min, max) = y
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let (min, max) = if min.is_finite() && max.is_finite() {
            (min, max)
        } else {
            (0.0, 0.0)
        };
        // A layout of coincident points still needs intervals of positive width.
        let spread = (max - min).max(1e-9);
        let intervals = intervals_for_spread(spread);
        Self {
            origin: min,
            width: spread / intervals as f64,
            intervals,
        }
    }

    /// Interpolation nodes per axis.
    pub(crate) fn nodes(&self) -> usize {
        self.intervals * NODES_PER_INTERVAL
    }

    /// Distance between neighbouring nodes.
    pub(crate) fn node_spacing(&self) -> f64 {
        self.width / NODES_PER_INTERVAL as f64
    }

    /// The centre of the grid (either axis), a good origin for coordinates.
    pub(crate) fn center(&self) -> f64 {
        self.origin + 0.5 * self.width * self.intervals as f64
    }

    /// The interval holding coordinate `v` and `v`'s position in it, in `[0, 1]`. The right
    /// edge belongs to the last interval, as in openTSNE.
    pub(crate) fn locate(&self, v: f64) -> (usize, f64) {
        let t = ((v - self.origin) / self.width).max(0.0);
        let idx = (t as usize).min(self.intervals - 1);
        (idx, t - idx as f64)
    }
}

/// Lagrange basis polynomials through the nodes at 1/6, 1/2, 5/6 of an interval, evaluated at
/// relative position `u` (openTSNE's `interpolate`).
pub(crate) fn lagrange_weights(u: f64) -> [f64; NODES_PER_INTERVAL] {
    let h = 1.0 / NODES_PER_INTERVAL as f64;
    let nodes: [f64; NODES_PER_INTERVAL] = std::array::from_fn(|k| (k as f64 + 0.5) * h);
    std::array::from_fn(|k| {
        let mut num = 1.0;
        let mut den = 1.0;
        for (m, &t) in nodes.iter().enumerate() {
            if m != k {
                num *= u - t;
                den *= nodes[k] - t;
            }
        }
        num / den
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_counts_follow_opentsne() {
        assert_eq!(intervals_for_spread(0.0), 50);
        assert_eq!(intervals_for_spread(50.9), 50);
        assert_eq!(intervals_for_spread(51.0), 52);
        assert_eq!(intervals_for_spread(113.2), 117);
        assert_eq!(intervals_for_spread(999.5), 1000);
        assert_eq!(intervals_for_spread(5_000.0), 1000);
        assert_eq!(intervals_for_spread(f64::NAN), 50);
    }

    #[test]
    fn weights_interpolate_quadratics_exactly() {
        for u in [0.0, 0.1, 0.5, 0.77, 1.0] {
            let w = lagrange_weights(u);
            let nodes = [1.0 / 6.0, 0.5, 5.0 / 6.0];
            let f = |x: f64| 3.0 * x * x - x + 2.0;
            let interp: f64 = w.iter().zip(nodes).map(|(wk, t)| wk * f(t)).sum();
            assert!((interp - f(u)).abs() < 1e-12);
        }
    }

    #[test]
    fn locate_clamps_the_right_edge() {
        let g = GridGeometry::covering(&[-1.0, 0.0, 3.0, 2.0]);
        assert_eq!(g.intervals, 50);
        assert_eq!(g.locate(3.0).0, 49);
        assert!((g.locate(3.0).1 - 1.0).abs() < 1e-9);
        assert_eq!(g.locate(-1.0), (0, 0.0));
    }
}
