//! A fast, deterministic `powf` for the SGD's kernel.

/// `x^y` for a positive normal `x` (the caller guarantees it) as `2^(y·log2 x)` with short
/// polynomials (relative error ≈ 1e-6): the SGD calls it once per sample, where the libm
/// `powf` would dominate the epoch. Pure arithmetic without branches, so that a loop over
/// lanes of them vectorises, and as deterministic as the rest.
#[expect(
    clippy::inline_always,
    reason = "inlined into the SGD kernel's AVX2 build, or it would run as baseline code there"
)]
#[inline(always)]
pub(crate) fn pow_normal(x: f32, y: f32) -> f32 {
    exp2(y * log2(x))
}

/// `log2 x` for positive normal `x`: exponent plus `log2 m` for the mantissa brought into
/// `[√½, √2)`, by the odd series of `atanh((m − 1)/(m + 1))` to `t⁷` (|t| ≤ 0.172, error
/// below 1e-7).
// Always inlined, as `pow_normal` is.
#[inline(always)]
fn log2(x: f32) -> f32 {
    const SQRT_2: f32 = std::f32::consts::SQRT_2;
    const C1: f32 = 2.0 / std::f32::consts::LN_2;
    const C3: f32 = C1 / 3.0;
    const C5: f32 = C1 / 5.0;
    const C7: f32 = C1 / 7.0;
    let bits = x.to_bits();
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let big = m > SQRT_2;
    let m = if big { m * 0.5 } else { m };
    let exponent = ((bits >> 23) & 0xff) as i32 - 127 + i32::from(big);
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    exponent as f32 + t * (C1 + t2 * (C3 + t2 * (C5 + t2 * C7)))
}

/// `2^z`: `2^round(z)` from the exponent bits times a degree-6 Taylor polynomial of
/// `2^f = e^(f·ln 2)` for `f ∈ [−½, ½]` (error below 2e-7). `z` is clamped to the normal
/// range.
// Always inlined, as `pow_normal` is.
#[inline(always)]
fn exp2(z: f32) -> f32 {
    const L1: f32 = std::f32::consts::LN_2;
    const L2: f32 = L1 * L1 / 2.0;
    const L3: f32 = L2 * L1 / 3.0;
    const L4: f32 = L3 * L1 / 4.0;
    const L5: f32 = L4 * L1 / 5.0;
    const L6: f32 = L5 * L1 / 6.0;
    // Adding and subtracting 1.5·2²³ rounds to the nearest integer in the FPU itself (the
    // baseline x86-64 target has no rounding instruction, and `round` is a libm call). The sum
    // also holds that integer in its low mantissa bits, read off with integer arithmetic: a
    // float-to-int cast (`as i32`, which saturates) would not vectorise.
    const ROUNDER: f32 = 12_582_912.0;
    let z = z.clamp(-126.0, 127.0);
    let shifted = z + ROUNDER;
    let whole = shifted - ROUNDER;
    let f = z - whole;
    let p = 1.0 + f * (L1 + f * (L2 + f * (L3 + f * (L4 + f * (L5 + f * L6)))));
    let n = shifted.to_bits().wrapping_sub(ROUNDER.to_bits()) as i32;
    p * f32::from_bits(((n + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast_pow(x: f32, y: f32) -> f32 {
        if x.is_normal() {
            pow_normal(x, y)
        } else {
            x.powf(y)
        }
    }

    #[test]
    fn fast_pow_is_accurate() {
        for &x in &[1e-30_f32, 1e-6, 0.01, 0.3, 1.0, 1.7, 42.0, 1e4, 3e20] {
            for &y in &[0.895_f32, -0.105, 1.5, 0.5, 2.0] {
                let (got, want) = (fast_pow(x, y), f64::from(x).powf(f64::from(y)));
                if want < f64::from(f32::MIN_POSITIVE) || want > 1e38 {
                    // Results beyond the normal range are clamped (never met in use).
                    continue;
                }
                let rel = ((f64::from(got) - want) / want).abs();
                // The f32 product y·log2(x) carries an error proportional to its size.
                let allowed = 2e-6 + 1e-7 * (f64::from(y) * f64::from(x).log2()).abs();
                assert!(rel < allowed, "{x}^{y}: {got} vs {want} ({rel:e})");
            }
        }
        assert!((fast_pow(1e-40, 0.9) - 1e-40_f32.powf(0.9)).abs() < 1e-36);
    }
}
