//! What a caller may ask of a read: which columns hold the vectors, how many rows, what to do
//! with unusable rows, and whether to pool long patch vectors down.

/// What to read from a file; the default reads every row, picks the vectors itself and fails
/// on rows it cannot use (see [`BadRows`]).
///
/// Construct it with struct-update syntax, `ReadOptions { limit: Some(10), ..Default::default() }`,
/// so that fields added later keep today's behaviour at every call site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The one column holding the vectors: a list-of-floats column, a text column of JSON
    /// arrays (CSV), or the array's name in an `.npz`. `None` picks one (see
    /// [`read_file`](crate::read_file)). Ignored for `.npy` and IDX files, which hold one array.
    pub column: Option<String>,
    /// Several numeric columns that together form the vector (wide tables such as
    /// `label, pixel1 … pixel784`), instead of guessing them. Tables only (Parquet, Arrow IPC,
    /// CSV); cannot be combined with `column`.
    pub vector_columns: Option<VectorColumns>,
    /// Read only the first `n` rows of the file, for a quick look at a large file; reading
    /// stops early. Rows dropped as bad still count towards the limit.
    pub limit: Option<usize>,
    /// What to do with rows whose vector cannot be used (NaN, nulls, wrong length).
    pub bad_rows: BadRows,
    /// Average each vector down to this many values while reading.
    ///
    /// Clay's patch-level embeddings flatten a 16 × 16 grid of 768-d patch vectors into
    /// 196,608 values per row, laid out patch-major (`[patch][channel]`). With
    /// `mean_pool_to: Some(768)`, value `c` of the result is the mean of values
    /// `c, c + 768, c + 2·768, …` of the row — the mean over patches of channel `c`. The
    /// vector length must be a multiple of the target. Rows are pooled one at a time as they
    /// are decoded, so the full-length vectors are never held together in memory.
    pub mean_pool_to: Option<usize>,
}

/// Names the numeric columns of a wide table that make up the vector, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VectorColumns {
    /// Every numeric column named this prefix followed by a number, e.g. `pixel` for
    /// `pixel1 … pixel784` or `emb_` for `emb_0 … emb_383`.
    Prefix(String),
    /// Exactly these columns, in this order.
    Names(Vec<String>),
}

/// What to do with rows whose vector cannot be used.
///
/// Rows whose *whole* vector is missing (null, or every wide column empty) are always dropped
/// and reported: real files hold rows that were never embedded, and refusing such a file would
/// help nobody. The other problems — NaN or infinity, a null value inside a vector, a vector of
/// a different length, text that is not an array of numbers — follow this policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BadRows {
    /// Fail with [`DataError::BadRows`](crate::DataError::BadRows), which lists the first
    /// offending rows and how many there are in all, so the user can decide. The safe default:
    /// silently losing rows would shift every row-number-based join the user makes later.
    #[default]
    Stop,
    /// Leave those rows (and their metadata) out and list them in the
    /// [`FileReport`](crate::FileReport).
    Drop,
}
