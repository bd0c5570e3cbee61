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

/// Lanes in the AVX2 loop: eight 256-bit accumulators, enough to keep both FMA ports busy
/// through the 4-cycle FMA latency.
#[cfg(target_arch = "x86_64")]
const WIDE_LANES: usize = 64;

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
        if has_avx2_fma() {
            return dot_x86_avx2;
        }
    }
    dot_portable
}

/// Lane-wise dot product: `L` independent partial sums over `chunks_exact(L)`, a scalar tail,
/// then a pairwise reduction of the lanes. `FMA` uses fused multiply-adds (only where the CPU
/// has them; in software they would be very slow).
#[expect(
    clippy::inline_always,
    reason = "must be inlined into the #[target_feature] callers to be compiled for AVX2 + FMA; \
              a non-inlined copy would call mul_add in software (measured 13× slower)"
)]
#[inline(always)]
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
    finish(acc, ra, rb)
}

/// Adds the scalar tail `Σ rᵢ·qᵢ` to the pairwise reduction of the lanes (as [`dot_lanes`]).
#[expect(
    clippy::inline_always,
    reason = "must be inlined into the #[target_feature] callers to be compiled for AVX2 + FMA; \
              a non-inlined copy would call mul_add in software (measured 13× slower)"
)]
#[inline(always)]
fn finish<const L: usize>(mut acc: [f32; L], r: &[f32], q: &[f32]) -> f32 {
    let mut tail = 0.0_f32;
    for (x, y) in r.iter().zip(q) {
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

/// Dot products of every `dim`-long row of `block` with `q` into `out`, one row at a time:
/// streaming two rows at once measured slower (83 vs 67 ms at 1M × 768 on 2 cores).
#[expect(
    clippy::inline_always,
    reason = "must be inlined into the #[target_feature] callers to be compiled for AVX2 + FMA; \
              a non-inlined copy would call mul_add in software (measured 13× slower)"
)]
#[inline(always)]
fn dots_with<const L: usize, const FMA: bool>(block: &[f32], q: &[f32], out: &mut [f32]) {
    for (row, o) in block.chunks_exact(q.len()).zip(out.iter_mut()) {
        *o = dot_lanes::<L, FMA>(row, q);
    }
}

/// `out[i] = block_row(i) · q` for the rows of a row-major block, with the fastest kernel
/// this CPU supports; each value equals [`dot`] of that row exactly (same kernel, same summation order).
pub(crate) fn dots(block: &[f32], q: &[f32], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx2_fma() {
            dots_x86_avx2(block, q, out);
            return;
        }
    }
    dots_with::<LANES, false>(block, q, out);
}

/// Whether the AVX2 + FMA kernels may run (cached by the standard library after the first
/// check).
#[cfg(target_arch = "x86_64")]
fn has_avx2_fma() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// Safe entry to the AVX2 + FMA block kernel; only called after detection.
#[cfg(target_arch = "x86_64")]
fn dots_x86_avx2(block: &[f32], q: &[f32], out: &mut [f32]) {
    #[expect(
        unsafe_code,
        reason = "calling a #[target_feature] fn is unsafe only because the CPU might lack the \
                  features; dots checks is_x86_feature_detected! for avx2 and fma first, and \
                  the callee itself uses no unsafe operations"
    )]
    // SAFETY: see the reason above: avx2 and fma were detected at run time.
    unsafe {
        dots_avx2_fma(block, q, out);
    }
}

/// [`dots_with`] compiled for AVX2 + FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dots_avx2_fma(block: &[f32], q: &[f32], out: &mut [f32]) {
    dots_with::<WIDE_LANES, true>(block, q, out);
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
