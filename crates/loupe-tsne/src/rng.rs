//! Seeded random streams. Each use gets its own `ChaCha8` stream of the run's seed, so adding a
//! random draw in one place never shifts the numbers drawn in another.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Which part of the pipeline a stream feeds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    /// Start vectors of the PCA that reduces the input (`pca_dims`).
    PcaReduce = 1,
    /// Start vectors of the 2-D PCA initialisation.
    PcaInit = 2,
    /// Jitter added to the initial layout.
    Jitter = 3,
}

/// A generator for `stream` of `seed`.
pub(crate) fn rng(seed: u64, stream: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    rng
}

/// One standard-normal draw (Box–Muller; `rand` itself ships no normal distribution).
pub(crate) fn standard_normal(rng: &mut impl Rng) -> f64 {
    // 1 − U lies in (0, 1], so the logarithm is finite.
    let u1 = 1.0 - rng.random::<f64>();
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}
