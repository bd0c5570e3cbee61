//! Errors of the similarity engine.

/// Why a similarity request cannot be answered; every variant names the offending values so
/// the app and CLI can show a precise message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimilarError {
    /// The dimension must be at least 1, otherwise rows have no direction.
    #[error("vector dimension must be at least 1, got {dim}")]
    ZeroDimension {
        /// The dimension that was passed.
        dim: usize,
    },
    /// The flat buffer does not hold a whole number of rows.
    #[error("vector buffer of {len} values is not a multiple of the dimension {dim}")]
    RaggedVectors {
        /// Number of values in the buffer.
        len: usize,
        /// The row dimension.
        dim: usize,
    },
    /// A query vector has the wrong length.
    #[error("query has {found} values but the vectors have dimension {expected}")]
    QueryDimension {
        /// The vectors' dimension.
        expected: usize,
        /// The query's length.
        found: usize,
    },
    /// A query (or a derived direction such as a mean of positives) has zero or non-finite
    /// norm, so cosine to it is undefined.
    #[error("the {what} has zero or non-finite norm; cosine similarity is undefined")]
    ZeroQuery {
        /// Which query was degenerate ("query", "mean of positives", ...).
        what: &'static str,
    },
    /// A row with zero or non-finite norm was used as a query or positive.
    #[error("row {row} has zero or non-finite norm and cannot be used as a query")]
    UndefinedRow {
        /// The row index.
        row: usize,
    },
    /// A row index is past the end.
    #[error("row {row} is out of range (there are {rows} rows)")]
    RowOutOfRange {
        /// The row index.
        row: usize,
        /// Number of rows.
        rows: usize,
    },
    /// A per-row slice (labels, truth) has the wrong length.
    #[error("{what} has {found} entries but there are {expected} rows")]
    LengthMismatch {
        /// Which slice.
        what: &'static str,
        /// Number of rows.
        expected: usize,
        /// The slice's length.
        found: usize,
    },
    /// Every strategy needs at least one (defined) positive to start from.
    #[error("no positive rows are labelled (with a defined direction)")]
    NoPositives,
    /// Nothing is left to rank: every defined row is labelled.
    #[error("every one of the {rows} rows with a defined direction is already labelled")]
    AllLabelled {
        /// Number of rows with a defined direction.
        rows: usize,
    },
    /// The linear probe needs both classes.
    #[error(
        "the linear probe needs positives and negatives, got {positives} positives and {negatives} negatives"
    )]
    OneClass {
        /// Number of positives.
        positives: usize,
        /// Number of negatives.
        negatives: usize,
    },
    /// A strategy name that [`crate::Strategy`]'s parser does not know.
    #[error("unknown strategy {name:?} (known: mean, max, voted, voted:K, contrastive, probe)")]
    UnknownStrategy {
        /// The name as given.
        name: String,
    },
    /// The caller's progress callback asked to stop.
    #[error("cancelled")]
    Cancelled,
    /// A numeric parameter is out of its valid range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}
