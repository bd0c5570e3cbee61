//! Seeded randomness. Preparation draws from `ChaCha8` streams of the run's seed, one stream per
//! use; the SGD draws its negative samples from a counter-based hash of (seed, epoch, edge,
//! sample), so a draw depends only on *which* sample it is, never on which thread takes it or
//! in what order.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Which part of the pipeline a stream feeds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    /// Start vectors of the PCA that reduces the input (`pca_dims`).
    PcaReduce = 1,
    /// Start vectors of the PCA initialisation (or fallback).
    PcaInit = 2,
    /// Start block of the spectral eigensolver.
    Spectral = 3,
    /// Noise added to the initial layout, or the random initial layout itself.
    InitNoise = 4,
}

/// A generator for `stream` of `seed`.
pub(crate) fn rng(seed: u64, stream: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    rng
}

/// One standard-normal draw (Box–Muller).
pub(crate) fn standard_normal(rng: &mut impl Rng) -> f64 {
    // 1 − U lies in (0, 1], so the logarithm is finite.
    let radius = (-2.0 * (1.0 - rng.random::<f64>()).ln()).sqrt();
    radius * (std::f64::consts::TAU * rng.random::<f64>()).cos()
}

/// SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mix whose outputs
/// for consecutive inputs are statistically independent — the counter-based generator of the
/// SGD.
#[inline]
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One multiply-xorshift of a Weyl-sequence counter: the negative samples' draw. The counter
/// starts at a fully mixed [`sample_key`] and steps by [`GOLDEN`], so one round of mixing is
/// enough for picking a uniform index with [`below`] (which reads the high, best-mixed bits).
#[inline]
pub(crate) fn draw(counter: u64) -> u64 {
    (counter ^ (counter >> 32)).wrapping_mul(0xd6e8_feb8_6659_fd93)
}

/// The golden-ratio increment of SplitMix64's counter.
pub(crate) const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The key of edge `edge`'s negative samples in epoch `epoch`; sample `p` is then
/// `draw(key + (p + 1)·GOLDEN)`.
#[inline]
pub(crate) fn sample_key(seed_key: u64, epoch: u64, edge: u64) -> u64 {
    mix64(seed_key ^ mix64((epoch << 40) ^ edge))
}

/// A uniform index below `n` from 64 random bits (Lemire's multiply-shift, on the high half).
#[inline]
pub(crate) fn below(bits: u64, n: u32) -> u32 {
    (((bits >> 32) * u64::from(n)) >> 32) as u32
}
