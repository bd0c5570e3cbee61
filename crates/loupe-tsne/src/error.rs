use loupe_knn::KnnError;

/// A parameter that cannot work, found by [`crate::TsneParams::validate`] before anything runs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// Perplexity is the effective number of neighbours; it must be a positive number.
    #[error("perplexity must be a finite number greater than 0, got {perplexity}")]
    InvalidPerplexity {
        /// The rejected value.
        perplexity: f64,
    },
    /// Affinities need each point to have at least one other point.
    #[error("t-SNE needs at least {min} points, got {n_points}")]
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

/// Why a t-SNE run could not be prepared or carried out.
#[derive(Debug, thiserror::Error)]
pub enum TsneError {
    /// The parameters were invalid.
    #[error("invalid t-SNE parameters: {0}")]
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
    /// NaN or ±∞ in the input make every distance meaningless.
    #[error("row {row} of the vectors holds a non-finite value (NaN or infinity)")]
    NonFinite {
        /// The first offending row.
        row: usize,
    },
    /// The nearest-neighbour search rejected its input.
    #[error("nearest-neighbour search failed: {0}")]
    Knn(#[from] KnnError),
    /// The operating system refused to start the engine thread.
    #[error("could not start the t-SNE thread")]
    Spawn(#[source] std::io::Error),
    /// The run was cancelled before preparation finished.
    #[error("the t-SNE run was cancelled during preparation")]
    Cancelled,
    /// The engine thread panicked (a bug); the run's last snapshot is still readable.
    #[error("the t-SNE thread panicked")]
    WorkerPanicked,
}

impl TsneError {
    /// Checks that `len` values hold `n_points` vectors of dimension `dim` (and `dim > 0`);
    /// the one shape check every entry point makes before anything runs.
    pub(crate) fn check_input_shape(len: usize, n_points: usize, dim: usize) -> Result<(), Self> {
        if dim == 0 || Some(len) != n_points.checked_mul(dim) {
            return Err(Self::InputShape { len, n_points, dim });
        }
        Ok(())
    }
}
