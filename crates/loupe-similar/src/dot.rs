//! The inner product every score is built on.

/// Lanes of independent accumulators: enough that the compiler keeps several SIMD adds in
/// flight (auto-vectorised from `chunks_exact`), so one query is limited by memory bandwidth
/// rather than by add latency.
const LANES: usize = 16;

/// Dot product `Σ aᵢ·bᵢ` of two equal-length slices (the shorter length is used otherwise).
///
/// Public because every score in this crate is one of these and tests compare against it;
/// the summation order is fixed (lane-wise, then lanes pairwise), so results are reproducible.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0_f32; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    let mut tail = 0.0_f32;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    // Pairwise lane reduction: 16 → 8 → 4 → 2 → 1.
    let mut width = LANES / 2;
    while width > 0 {
        for l in 0..width {
            acc[l] += acc[l + width];
        }
        width /= 2;
    }
    acc[0] + tail
}
