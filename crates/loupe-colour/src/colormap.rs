//! Continuous colormaps: a perceptual sequential map and a diverging one.
//!
//! Both are built in Oklab (see [`crate::oklab`]), where straight lines and equal steps look
//! even, from a handful of published anchor colours; nothing is a copied lookup table.

use std::sync::OnceLock;

use crate::oklab::{Lab, lab_to_rgba, luminance, rgba_to_lab, rgba_to_linear};
use crate::{Rgba, opaque};

/// Entries in a [`Colormap::lut`].
pub const LUT_SIZE: usize = 256;

/// viridis at t = 0, ¼, ½, ¾, 1: the five colours of `viridis(5)` in the viridisLite R package
/// (Garnier et al.), sampling the map van der Walt & Smith designed for matplotlib (2015).
const VIRIDIS_KNOTS: [Rgba; 5] = [
    opaque(0x44, 0x01, 0x54),
    opaque(0x3b, 0x52, 0x8b),
    opaque(0x21, 0x90, 0x8c),
    opaque(0x5d, 0xc8, 0x63),
    opaque(0xfd, 0xe7, 0x25),
];

/// Moreland's cool–warm endpoints and near-white midpoint ("Diverging Color Maps for
/// Scientific Visualization", ISVC 2009, table of the recommended map).
const COOL: Rgba = opaque(0x3b, 0x4c, 0xc0);
const MID: Rgba = opaque(0xdd, 0xdd, 0xdd);
const WARM: Rgba = opaque(0xb4, 0x04, 0x26);

/// A continuous map from `t ∈ [0, 1]` to a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Colormap {
    /// Sequential, viridis-like: dark purple → blue → green → yellow with lightness rising
    /// linearly in Oklab, so ordering reads from brightness alone (also in greyscale and for
    /// colour-blind viewers). The opponent coordinates follow a natural cubic spline through
    /// five viridis colours; the lightness is their endpoints' straight line.
    #[default]
    Viridis,
    /// Diverging, after Moreland's cool–warm: blue → light grey → red, straight lines in
    /// Oklab with equal endpoint lightness, for values with a meaningful centre (a signed
    /// score; put the centre in the middle of the range).
    CoolWarm,
}

impl Colormap {
    /// Every map, for a menu.
    pub const ALL: [Self; 2] = [Self::Viridis, Self::CoolWarm];

    /// Human-readable name for menus and legends.
    pub fn name(self) -> &'static str {
        match self {
            Self::Viridis => "viridis",
            Self::CoolWarm => "cool–warm",
        }
    }

    /// Whether the map has a neutral centre (a signed quantity should be centred on it).
    pub fn is_diverging(self) -> bool {
        matches!(self, Self::CoolWarm)
    }

    /// The colour at `t`, clamped to `[0, 1]`; NaN gives [`crate::MISSING`].
    pub fn sample(self, t: f64) -> Rgba {
        if t.is_nan() {
            return crate::MISSING;
        }
        lab_to_rgba(self.lab(t.clamp(0.0, 1.0)))
    }

    /// [`LUT_SIZE`] evenly spaced samples (entry `i` is `t = i / 255`), computed once; colouring
    /// millions of points looks colours up here instead of converting each one, and a colour
    /// bar can draw it. In the sequential map an entry that 8-bit rounding left darker than
    /// the one before is nudged by one level, so lightness and luminance never fall.
    pub fn lut(self) -> &'static [Rgba; LUT_SIZE] {
        static VIRIDIS: OnceLock<[Rgba; LUT_SIZE]> = OnceLock::new();
        static COOL_WARM: OnceLock<[Rgba; LUT_SIZE]> = OnceLock::new();
        let cell = match self {
            Self::Viridis => &VIRIDIS,
            Self::CoolWarm => &COOL_WARM,
        };
        cell.get_or_init(|| {
            let mut lut: [Rgba; LUT_SIZE] =
                std::array::from_fn(|i| self.sample(i as f64 / (LUT_SIZE - 1) as f64));
            if !self.is_diverging() {
                for i in 1..LUT_SIZE {
                    lut[i] = no_darker(lut[i], lut[i - 1]);
                }
            }
            lut
        })
    }

    /// The LUT colour for `t` in `[0, 1]` (clamped; NaN → [`crate::MISSING`]).
    pub(crate) fn lookup(lut: &[Rgba; LUT_SIZE], t: f64) -> Rgba {
        if t.is_nan() {
            return crate::MISSING;
        }
        lut[(t.clamp(0.0, 1.0) * (LUT_SIZE - 1) as f64).round() as usize]
    }

    fn lab(self, t: f64) -> Lab {
        match self {
            Self::Viridis => viridis(t),
            Self::CoolWarm => cool_warm(t),
        }
    }
}

/// `c`, or when 8-bit rounding made it darker than `prev` (lower Oklab lightness or
/// luminance), the byte triple within ±1 of it nearest in Oklab that is not: the map's
/// lightness rises in Oklab, and this keeps it rising after rounding too.
fn no_darker(c: Rgba, prev: Rgba) -> Rgba {
    let (floor_l, floor_y) = (rgba_to_lab(prev).l, luminance(rgba_to_linear(prev)));
    let ok = |x: Rgba| rgba_to_lab(x).l >= floor_l && luminance(rgba_to_linear(x)) >= floor_y;
    if ok(c) {
        return c;
    }
    let target = rgba_to_lab(c);
    let mut best = (c, f64::INFINITY);
    for dr in -1..=1 {
        for dg in -1..=1 {
            for db in -1..=1 {
                let nudge = |v: u8, d: i32| (i32::from(v) + d).clamp(0, 255) as u8;
                let x = opaque(nudge(c[0], dr), nudge(c[1], dg), nudge(c[2], db));
                let d = rgba_to_lab(x).distance(target);
                if ok(x) && d < best.1 {
                    best = (x, d);
                }
            }
        }
    }
    best.0
}

fn viridis(t: f64) -> Lab {
    let knots = VIRIDIS_KNOTS.map(rgba_to_lab);
    let first = knots[0].l;
    let last = knots[knots.len() - 1].l;
    Lab {
        l: first + (last - first) * t,
        a: natural_spline(&knots.map(|k| k.a), t),
        b: natural_spline(&knots.map(|k| k.b), t),
    }
}

fn cool_warm(t: f64) -> Lab {
    let (mut cool, mid, mut warm) = (rgba_to_lab(COOL), rgba_to_lab(MID), rgba_to_lab(WARM));
    let l = 0.5 * (cool.l + warm.l);
    cool.l = l;
    warm.l = l;
    if t <= 0.5 {
        cool.lerp(mid, 2.0 * t)
    } else {
        mid.lerp(warm, 2.0 * t - 1.0)
    }
}

/// The natural cubic spline (zero curvature at both ends) through `y[i]` at `t = i / (n−1)`,
/// evaluated at `t`. The knot curvatures solve the usual tridiagonal system
/// `M[i−1] + 4 M[i] + M[i+1] = 6 (y[i+1] − 2 y[i] + y[i−1]) / h²` (Thomas algorithm).
fn natural_spline<const N: usize>(y: &[f64; N], t: f64) -> f64 {
    let h = 1.0 / (N - 1) as f64;
    let mut m = [0.0; N];
    // Forward sweep over the interior knots 1..N−1 (diagonal 4, off-diagonals 1).
    let mut diag = [0.0; N];
    let mut rhs = [0.0; N];
    for i in 1..N - 1 {
        let d = 6.0 * (y[i + 1] - 2.0 * y[i] + y[i - 1]) / (h * h);
        let w = if i == 1 { 0.0 } else { 1.0 / diag[i - 1] };
        diag[i] = 4.0 - w;
        rhs[i] = d - w * rhs[i - 1];
    }
    for i in (1..N - 1).rev() {
        m[i] = (rhs[i] - m[i + 1]) / diag[i];
    }
    let i = ((t / h).floor() as usize).min(N - 2);
    let u = t / h - i as f64;
    let v = 1.0 - u;
    v * y[i] + u * y[i + 1] + h * h / 6.0 * ((v * v * v - v) * m[i] + (u * u * u - u) * m[i + 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Rgba, b: Rgba, tol: u8) -> bool {
        a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= tol)
    }

    #[test]
    fn viridis_endpoints_and_knots() {
        let map = Colormap::Viridis;
        assert_eq!(map.sample(0.0), opaque(0x44, 0x01, 0x54));
        assert_eq!(map.sample(1.0), opaque(0xfd, 0xe7, 0x25));
        assert_eq!(map.sample(-3.0), map.sample(0.0));
        assert_eq!(map.sample(f64::NAN), crate::MISSING);
        // Only the lightness is straightened, so the interior knots move a little.
        for (i, &knot) in VIRIDIS_KNOTS.iter().enumerate() {
            let got = map.sample(i as f64 / 4.0);
            assert!(close(got, knot, 5), "knot {i}: {got:?} vs {knot:?}");
        }
    }

    #[test]
    fn sequential_luminance_rises_monotonically() {
        let lut = Colormap::Viridis.lut();
        let lab: Vec<f64> = lut.iter().map(|&c| rgba_to_lab(c).l).collect();
        let y: Vec<f64> = lut.iter().map(|&c| luminance(rgba_to_linear(c))).collect();
        for i in 1..LUT_SIZE {
            assert!(
                lab[i] >= lab[i - 1],
                "L falls at {i}: {:?} → {:?}",
                lut[i - 1],
                lut[i]
            );
            assert!(
                y[i] >= y[i - 1],
                "Y falls at {i}: {:?} → {:?}",
                lut[i - 1],
                lut[i]
            );
        }
        // Rising steadily, well beyond 8-bit rounding, every 4 entries.
        for i in 4..LUT_SIZE {
            assert!(lab[i] > lab[i - 4] + 0.005, "L at {i}");
            assert!(y[i] > y[i - 4], "Y at {i}");
        }
    }

    #[test]
    fn diverging_is_light_in_the_middle_and_symmetric_in_lightness() {
        let map = Colormap::CoolWarm;
        assert!(map.is_diverging() && !Colormap::Viridis.is_diverging());
        assert_eq!(map.sample(0.5), MID);
        let l = |t: f64| rgba_to_lab(map.sample(t)).l;
        for i in 1..=50 {
            let d = f64::from(i) / 100.0;
            assert!(l(0.5 - d) < l(0.5 - d + 0.01) + 1e-3);
            assert!(l(0.5 + d) < l(0.5 + d - 0.01) + 1e-3);
            assert!((l(0.5 - d) - l(0.5 + d)).abs() < 0.02, "asymmetric at ±{d}");
        }
        let (cool, warm) = (map.sample(0.0), map.sample(1.0));
        assert!(cool[2] > cool[0] && warm[0] > warm[2]);
    }

    #[test]
    fn spline_interpolates_its_knots_and_lines() {
        let y = [0.0, 1.0, 4.0, 2.0, -1.0];
        for (i, &v) in y.iter().enumerate() {
            assert!((natural_spline(&y, i as f64 / 4.0) - v).abs() < 1e-12);
        }
        let line = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((natural_spline(&line, 0.3) - 2.2).abs() < 1e-12);
    }
}
