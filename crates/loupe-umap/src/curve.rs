//! The low-dimensional similarity curve `1 / (1 + a·d^(2b))` and the fit of `a`, `b` to
//! `min_dist` and `spread` (McInnes et al. 2018, §3.2 and appendix C; umap-learn's
//! `find_ab_params`).

use crate::ParamError;

/// Samples of the target curve: umap-learn uses 300 points on `[0, 3·spread]`.
const SAMPLES: usize = 300;
/// Levenberg–Marquardt iterations at most; the fit converges in a few dozen.
const MAX_ITERATIONS: usize = 500;

/// Fits `a`, `b` so that `1 / (1 + a·x^(2b))` matches, in the least-squares sense over 300
/// points of `[0, 3·spread]`, the offset exponential that is 1 below `min_dist` and
/// `exp(−(x − min_dist)/spread)` beyond it — umap-learn's `find_ab_params`, which calls
/// SciPy's `curve_fit` (MINPACK's Levenberg–Marquardt) from `(1, 1)`.
///
/// Here Levenberg–Marquardt runs with the analytic Jacobian from the same start, to the same
/// optimum: the defaults (`min_dist` 0.1, `spread` 1) give `a ≈ 1.5769`, `b ≈ 0.8951`.
pub fn find_ab_params(spread: f64, min_dist: f64) -> Result<(f64, f64), ParamError> {
    let failed = ParamError::CurveFit { min_dist, spread };
    if !(spread.is_finite() && spread > 0.0 && min_dist.is_finite() && min_dist >= 0.0) {
        return Err(failed);
    }
    let xs: Vec<f64> = (0..SAMPLES)
        .map(|i| 3.0 * spread * i as f64 / (SAMPLES - 1) as f64)
        .collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|&x| {
            if x < min_dist {
                1.0
            } else {
                (-(x - min_dist) / spread).exp()
            }
        })
        .collect();
    let cost = |a: f64, b: f64| -> f64 {
        xs.iter()
            .zip(&ys)
            .map(|(&x, &y)| (curve(x, a, b) - y).powi(2))
            .sum()
    };
    let (mut a, mut b) = (1.0_f64, 1.0_f64);
    let mut current = cost(a, b);
    let mut lambda = 1e-3;
    for _ in 0..MAX_ITERATIONS {
        // Normal equations JᵀJ·δ = −Jᵀr of the residuals r = f(x) − y.
        let (mut jtj, mut jtr) = ([0.0_f64; 3], [0.0_f64; 2]);
        for (&x, &y) in xs.iter().zip(&ys) {
            let (r, da, db) = residual_and_gradient(x, y, a, b);
            jtj[0] += da * da;
            jtj[1] += da * db;
            jtj[2] += db * db;
            jtr[0] += da * r;
            jtr[1] += db * r;
        }
        let mut improved = false;
        while lambda < 1e12 {
            // Marquardt's scaling: damp each parameter by its own curvature.
            let (m00, m11) = (jtj[0] * (1.0 + lambda), jtj[2] * (1.0 + lambda));
            let det = m00 * m11 - jtj[1] * jtj[1];
            if det.abs() < f64::MIN_POSITIVE {
                lambda *= 10.0;
                continue;
            }
            let da = -(m11 * jtr[0] - jtj[1] * jtr[1]) / det;
            let db = -(m00 * jtr[1] - jtj[1] * jtr[0]) / det;
            let (na, nb) = (a + da, b + db);
            let trial = cost(na, nb);
            if na > 0.0 && nb > 0.0 && trial.is_finite() && trial <= current {
                let step = (da.abs() / a.abs().max(1e-300)).max(db.abs() / b.abs().max(1e-300));
                let gain = current - trial;
                (a, b, current) = (na, nb, trial);
                lambda = (lambda / 10.0).max(1e-15);
                improved = true;
                if step < 1e-14 || gain <= 1e-16 * current {
                    return finish(a, b, failed);
                }
                break;
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    finish(a, b, failed)
}

fn finish(a: f64, b: f64, failed: ParamError) -> Result<(f64, f64), ParamError> {
    if a.is_finite() && b.is_finite() && a > 0.0 && b > 0.0 {
        Ok((a, b))
    } else {
        Err(failed)
    }
}

/// `1 / (1 + a·x^(2b))`, the membership strength of two points at distance `x` in the layout.
pub fn curve(x: f64, a: f64, b: f64) -> f64 {
    1.0 / (1.0 + a * x.powf(2.0 * b))
}

/// Residual `f(x) − y` and its derivatives with respect to `a` and `b`.
fn residual_and_gradient(x: f64, y: f64, a: f64, b: f64) -> (f64, f64, f64) {
    if x <= 0.0 {
        return (1.0 - y, 0.0, 0.0);
    }
    let u = x.powf(2.0 * b);
    let f = 1.0 / (1.0 + a * u);
    let f2 = f * f;
    (f - y, -u * f2, -a * u * 2.0 * x.ln() * f2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values printed by umap-learn 0.5.12 itself (`umap.umap_.find_ab_params(spread,
    /// min_dist)` in the bench venv, SciPy 1.17.1), copied here.
    const UMAP_LEARN: [(f64, f64, f64, f64); 6] = [
        (1.0, 0.1, 1.576_943_460_269_765_2, 0.895_060_877_851_573_3),
        (1.0, 0.5, 0.583_030_020_341_442_5, 1.334_166_992_431_491_4),
        (1.0, 0.0, 1.932_808_397_343_15, 0.790_494_973_223_383_1),
        (2.0, 0.25, 0.416_273_496_670_131_86, 0.921_855_132_407_287_3),
        (1.0, 0.01, 1.895_605_866_433_903_5, 0.800_637_844_286_049_9),
        (0.5, 0.5, 1.667_716_867_141_227, 1.929_240_437_199_466_7),
    ];

    #[test]
    fn matches_umap_learn() {
        for (spread, min_dist, a_ref, b_ref) in UMAP_LEARN {
            let (a, b) = find_ab_params(spread, min_dist).unwrap();
            assert!(
                (a - a_ref).abs() < 1e-4 * a_ref && (b - b_ref).abs() < 1e-4 * b_ref,
                "spread {spread}, min_dist {min_dist}: got ({a}, {b}), umap-learn ({a_ref}, {b_ref})"
            );
        }
    }

    #[test]
    fn rejects_nonsense() {
        assert!(find_ab_params(0.0, 0.1).is_err());
        assert!(find_ab_params(1.0, f64::NAN).is_err());
        assert!(find_ab_params(1.0, -0.1).is_err());
    }
}
