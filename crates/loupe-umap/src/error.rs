use loupe_knn::KnnError;
use loupe_tsne::TsneError;

/// A parameter that cannot work, found by [`crate::UmapParams::validate`] before anything runs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// UMAP needs a point and at least two neighbours besides it.
    #[error("UMAP needs at least {min} points, got {n_points}")]
    TooFewPoints {
        /// Points in the data.
        n_points: usize,
        /// The smallest workable number.
        min: usize,
    },
    /// Neighbour indices are `u32`.
    #[error("{n_points} points do not fit the 32-bit neighbour indices")]
    TooManyPoints {
        /// Points in the data.
        n_points: usize,
    },
    /// `n_neighbors` counts the point itself (as umap-learn does), so it must lie in
    /// `2 ..= N − 1`.
    #[error(
        "n_neighbors must be between 2 and {max} (N − 1) for {n_points} points, got {n_neighbors}"
    )]
    NeighborsOutOfRange {
        /// The rejected value.
        n_neighbors: usize,
        /// Points in the data.
        n_points: usize,
        /// The largest allowed value.
        max: usize,
    },
    /// umap-learn's rule: the curve is flat (1) up to `min_dist` and decays over `spread`, so
    /// `min_dist` beyond `spread` has no sensible fit.
    #[error("min_dist ({min_dist}) must not exceed spread ({spread})")]
    MinDistAboveSpread {
        /// The rejected minimum distance.
        min_dist: f64,
        /// The spread it was compared with.
        spread: f64,
    },
    /// The least-squares fit of `a` and `b` did not produce finite positive values.
    #[error("could not fit the curve parameters a, b for min_dist {min_dist} and spread {spread}")]
    CurveFit {
        /// The minimum distance.
        min_dist: f64,
        /// The spread.
        spread: f64,
    },
    /// Any other numeric parameter outside its domain.
    #[error("{name} must be {expected}, got {value}")]
    OutOfRange {
        /// The parameter's field name.
        name: &'static str,
        /// The rejected value (integers converted to `f64`).
        value: f64,
        /// The allowed range, in words.
        expected: &'static str,
    },
}

/// Why a UMAP run could not be prepared or carried out.
#[derive(Debug, thiserror::Error)]
pub enum UmapError {
    /// The parameters were invalid.
    #[error("invalid UMAP parameters: {0}")]
    Params(#[from] ParamError),
    /// The vector buffer does not match the point count the parameters were validated for.
    #[error("vector buffer of {len} values does not hold {n_points} vectors of dimension {dim}")]
    InputShape {
        /// Length of the buffer.
        len: usize,
        /// Points the parameters were validated for.
        n_points: usize,
        /// Declared dimension.
        dim: usize,
    },
    /// A precomputed neighbour graph that does not fit the parameters.
    #[error(
        "the neighbour graph has {n_points} points × {k} neighbours; expected {expected_points} × {expected_k} (n_neighbors − 1)"
    )]
    GraphShape {
        /// Points in the graph.
        n_points: usize,
        /// Neighbours per point in the graph.
        k: usize,
        /// Points the parameters were validated for.
        expected_points: usize,
        /// `n_neighbors − 1`.
        expected_k: usize,
    },
    /// NaN or ±∞ in the input make every distance meaningless.
    #[error("row {row} of the vectors holds a non-finite value (NaN or infinity)")]
    NonFinite {
        /// The first offending row.
        row: usize,
    },
    /// The nearest-neighbour search rejected its input.
    #[error("nearest-neighbour search failed: {0}")]
    Knn(#[from] KnnError),
    /// A PCA initialisation was asked of an engine built from a neighbour graph alone.
    #[error("PCA initialisation needs the input vectors, but only a neighbour graph was given")]
    NoVectorsForPca,
    /// The PCA (input reduction or fallback initialisation) rejected its input.
    #[error("PCA failed: {0}")]
    Pca(#[source] TsneError),
    /// The operating system refused to start the engine thread.
    #[error("could not start the UMAP thread")]
    Spawn(#[source] std::io::Error),
    /// The run was cancelled before preparation finished.
    #[error("the UMAP run was cancelled during preparation")]
    Cancelled,
    /// The engine thread panicked (a bug); the run's last snapshot is still readable.
    #[error("the UMAP thread panicked")]
    WorkerPanicked,
}

impl UmapError {
    /// Checks that `len` values hold `n_points` vectors of dimension `dim` (and `dim > 0`).
    pub(crate) fn check_input_shape(len: usize, n_points: usize, dim: usize) -> Result<(), Self> {
        if dim == 0 || Some(len) != n_points.checked_mul(dim) {
            return Err(Self::InputShape { len, n_points, dim });
        }
        Ok(())
    }
}
