//! The inner product every score is built on.
//!
//! One query over `N × D` rows is a matrix-vector product: at 1M × 768 it streams 3 GB, and on
//! a modern CPU the plain SSE2 build (x86-64's baseline) is compute-bound before it is
//! memory-bound. So on x86-64 with AVX2 + FMA (checked once at run time) the same lane-wise
//! loop is compiled for 256-bit registers with fused multiply-adds; elsewhere the portable
//! loop runs. Both have a fixed summation order, so a machine always gets the same scores.

/// Lanes of independent accumulators in the portable loop: enough that the compiler keeps
/// several SIMD adds in flight (auto-vectorised from `chunks_exact`).
const LANES: usize = 16;

/// Lanes in the AVX2 loop: four 256-bit accumulators.
#[cfg(target_arch = "x86_64")]
const WIDE_LANES: usize = 32;

/// Dot product `Σ aᵢ·bᵢ` of two equal-length slices (the shorter length is used otherwise).
///
/// Public because every score in this crate is one of these and tests compare against it.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    dot_fn()(a, b)
}

/// The fastest dot product this CPU supports, chosen once per call site so hot loops call a
/// plain function pointer.
pub(crate) fn dot_fn() -> fn(&[f32], &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return dot_x86_avx2;
        }
    }
    dot_portable
}

/// Lane-wise dot product: `L` independent partial sums over `chunks_exact(L)`, a scalar tail,
/// then a pairwise reduction of the lanes. `FMA` uses fused multiply-adds (only where the CPU
/// has them; in software they would be very slow).
#[inline]
fn dot_lanes<const L: usize, const FMA: bool>(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0_f32; L];
    let ca = a.chunks_exact(L);
    let cb = b.chunks_exact(L);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..L {
            acc[l] = if FMA {
                x[l].mul_add(y[l], acc[l])
            } else {
                acc[l] + x[l] * y[l]
            };
        }
    }
    let mut tail = 0.0_f32;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    let mut width = L / 2;
    while width > 0 {
        for l in 0..width {
            acc[l] += acc[l + width];
        }
        width /= 2;
    }
    acc[0] + tail
}

/// The portable loop (SSE2 on x86-64, NEON on aarch64).
fn dot_portable(a: &[f32], b: &[f32]) -> f32 {
    dot_lanes::<LANES, false>(a, b)
}

/// Safe entry to the AVX2 + FMA loop; only handed out by [`dot_fn`] after detection.
#[cfg(target_arch = "x86_64")]
fn dot_x86_avx2(a: &[f32], b: &[f32]) -> f32 {
    #[expect(
        unsafe_code,
        reason = "calling a #[target_feature] fn is unsafe only because the CPU might lack the \
                  features; dot_fn returns this function only after is_x86_feature_detected! \
                  confirmed avx2 and fma, and the callee itself uses no unsafe operations"
    )]
    // SAFETY: see the reason above: avx2 and fma were detected at run time.
    unsafe {
        dot_avx2_fma(a, b)
    }
}

/// [`dot_lanes`] compiled for AVX2 + FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_avx2_fma(a: &[f32], b: &[f32]) -> f32 {
    dot_lanes::<WIDE_LANES, true>(a, b)
}
