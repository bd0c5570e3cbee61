//! Why a colouring refused to run.

/// Why a colouring refused to run or stopped.
///
/// Every variant but [`ColourError::Cancelled`] describes bad input or parameters and is found
/// before any work starts, so the app can show the message instead of crashing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ColourError {
    /// Zero-dimensional rows have nothing to colour by.
    #[error("rows have dimension 0")]
    ZeroDimension,
    /// The buffer is not `N × dim` long.
    #[error("buffer has {len} values, which is not a multiple of the row width {dim}")]
    RaggedBuffer {
        /// Length of the buffer.
        len: usize,
        /// Declared row width (2 for layout positions).
        dim: usize,
    },
    /// Nothing to colour.
    #[error("no rows to colour")]
    EmptyInput,
    /// Point indices are kept as `u32` (category codes, kd-tree items).
    #[error("{n_points} points do not fit 32-bit indices")]
    TooManyPoints {
        /// Number of points.
        n_points: usize,
    },
    /// NaN or ±∞ in a vector makes its projections and distances meaningless.
    #[error("vector row {row} holds a non-finite value (NaN or infinity)")]
    NonFiniteVector {
        /// The first offending row.
        row: usize,
    },
    /// A point without a finite position has no layout neighbours.
    #[error("point {point} has a non-finite position")]
    NonFinitePosition {
        /// The first offending point.
        point: usize,
    },
    /// The layout and the vectors must describe the same points.
    #[error("{vectors} vector rows but {positions} layout positions")]
    PointCountMismatch {
        /// Rows of the vector buffer.
        vectors: usize,
        /// Points in the layout.
        positions: usize,
    },
    /// A colour range needs finite ends with `lo ≤ hi`.
    #[error("colour range [{lo}, {hi}] is not a finite interval")]
    InvalidRange {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Clipping percentiles must satisfy `0 ≤ lo ≤ hi ≤ 100`.
    #[error("percentiles ({lo}, {hi}) are not within 0 ≤ lo ≤ hi ≤ 100")]
    InvalidPercentiles {
        /// Lower percentile.
        lo: f64,
        /// Upper percentile.
        hi: f64,
    },
    /// The trust map averages over at least one layout neighbour.
    #[error("the number of layout neighbours is 0")]
    ZeroNeighbours,
    /// A PCA-based colouring needs at least one component.
    #[error("asked for 0 principal components")]
    ZeroComponents,
    /// `FastICA` estimates between 1 and `pca_components` sources.
    #[error("asked for {sources} independent components from {pca_components} principal ones")]
    InvalidSources {
        /// Requested independent components.
        sources: usize,
        /// Principal components they are estimated in.
        pca_components: usize,
    },
    /// `FastICA` needs at least one iteration.
    #[error("max_iter is 0")]
    ZeroIterations,
    /// The convergence tolerance must be a finite, non-negative number.
    #[error("tolerance {tol} is not a finite non-negative number")]
    InvalidTolerance {
        /// The tolerance given.
        tol: f64,
    },
    /// `loupe_tsne::Pca` refused the input (should not happen after the checks here).
    #[error("PCA failed: {reason}")]
    Pca {
        /// The PCA's own message.
        reason: String,
    },
    /// The progress callback asked to stop.
    #[error("cancelled")]
    Cancelled,
}
