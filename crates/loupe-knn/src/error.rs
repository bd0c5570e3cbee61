/// Why a nearest-neighbour search could not run.
///
/// Every variant describes bad input, not an internal failure: the search itself cannot fail
/// once the input is consistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KnnError {
    /// Zero-dimensional vectors have no geometry to search.
    #[error("vectors have dimension 0")]
    ZeroDimension,
    /// The buffer is not `n_points × dim` long.
    #[error("vector buffer has {len} values, which is not a multiple of the dimension {dim}")]
    RaggedBuffer {
        /// Length of the buffer.
        len: usize,
        /// Declared dimension.
        dim: usize,
    },
    /// `k = 0` asks for nothing; it is almost certainly a caller's mistake.
    #[error("asked for 0 neighbours")]
    ZeroNeighbors,
    /// Each point has only `n_points − 1` other points to be its neighbours.
    #[error("asked for {k} neighbours but there are only {n_points} points (at most n − 1)")]
    TooManyNeighbors {
        /// Requested neighbours per point.
        k: usize,
        /// Number of points.
        n_points: usize,
    },
    /// Neighbour indices are stored as `u32` to halve the graph's memory.
    #[error("{n_points} points do not fit the 32-bit neighbour indices")]
    TooManyPoints {
        /// Number of points.
        n_points: usize,
    },
    /// NaN or ±∞ make every distance to that row meaningless.
    #[error("row {row} holds a non-finite value (NaN or infinity)")]
    NonFinite {
        /// The first offending row.
        row: usize,
    },
}
