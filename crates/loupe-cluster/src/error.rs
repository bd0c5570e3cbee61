/// Why k-means refused to run.
///
/// Every variant describes bad input or parameters, checked by
/// [`crate::KMeansParams::validate`] before any work starts, so the app can show the
/// message instead of crashing; once the input passes, fitting cannot fail.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// Zero-dimensional rows have no geometry to cluster.
    #[error("rows have dimension 0")]
    ZeroDimension,
    /// The buffer is not `n_points × dim` long.
    #[error("buffer has {len} values, which is not a multiple of the dimension {dim}")]
    RaggedBuffer {
        /// Length of the buffer.
        len: usize,
        /// Declared dimension.
        dim: usize,
    },
    /// Nothing to cluster.
    #[error("no rows to cluster")]
    EmptyInput,
    /// `k = 0` asks for no clusters at all.
    #[error("asked for 0 clusters")]
    ZeroClusters,
    /// Every cluster needs at least one point.
    #[error("asked for {k} clusters but there are only {n_points} points")]
    TooManyClusters {
        /// Requested clusters.
        k: usize,
        /// Number of points.
        n_points: usize,
    },
    /// Labels are stored as `u32` to halve their memory.
    #[error("{n_points} points do not fit 32-bit labels")]
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
    /// At least one iteration (or one pass, for mini-batch) is needed to fit anything.
    #[error("max_iter is 0")]
    ZeroIterations,
    /// The convergence tolerance must be a finite, non-negative number.
    #[error("tolerance {tol} is not a finite non-negative number")]
    InvalidTolerance {
        /// The tolerance given.
        tol: f64,
    },
    /// A mini-batch needs at least one row.
    #[error("mini-batch size is 0")]
    ZeroBatchSize,
    /// The elbow helper was given no values of k to try.
    #[error("no cluster counts to try")]
    NoClusterCounts,
}
