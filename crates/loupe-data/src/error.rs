//! The one error type of this crate.

use std::io;
use std::path::{Path, PathBuf};

use arrow_schema::{ArrowError, DataType, Schema};
use loupe_core::DatasetError;
use parquet::errors::ParquetError;

/// Why a file could not be read or written.
///
/// Every variant carries the `path` of the file concerned and its message names that file and
/// the problem in words a user can act on, because the app shows these messages as they are.
/// Row numbers count from 0, like the app's tables. Where a lower-level error is the cause, its
/// text is part of the message (the app shows only the top-level message) and it is also
/// available through [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file does not exist; kept apart from other IO errors so the app can say so plainly.
    #[error("{}: file not found", path.display())]
    NotFound {
        /// The missing file.
        path: PathBuf,
    },
    /// Opening, reading or writing the file failed for another reason (permissions, a
    /// directory, a full disk, corrupt gzip data…).
    #[error("{}: could not read or write the file: {source}", path.display())]
    Io {
        /// The operating system's error.
        source: io::Error,
        /// The file concerned.
        path: PathBuf,
    },
    /// The first bytes match none of the formats Loupe reads.
    #[error(
        "{}: not a Parquet or MNIST IDX file (it starts with the bytes {magic}); Loupe reads \
         (Geo)Parquet and IDX files, raw or gzip-compressed",
        path.display()
    )]
    UnknownFormat {
        /// The first bytes of the file in hex, for bug reports.
        magic: String,
        /// The file concerned.
        path: PathBuf,
    },
    /// The Parquet footer or metadata is damaged, e.g. a truncated download.
    #[error("{}: not a readable Parquet file: {source}", path.display())]
    Parquet {
        /// The Parquet library's error.
        source: ParquetError,
        /// The file concerned.
        path: PathBuf,
    },
    /// The Parquet data pages could not be decoded into Arrow arrays, or the table could not be
    /// assembled.
    #[error("{}: could not decode the table: {source}", path.display())]
    Arrow {
        /// The Arrow library's error.
        source: ArrowError,
        /// The file concerned.
        path: PathBuf,
    },
    /// There is nothing to lay out.
    #[error("{}: the file has no rows", path.display())]
    NoRows {
        /// The file concerned.
        path: PathBuf,
    },
    /// No column could hold the vectors; the message lists what there is so the user can tell
    /// whether the file simply lacks embeddings.
    #[error(
        "{}: no column holds float vectors (a list, large_list or fixed_size_list of float16, \
         float32 or float64); the columns are: {columns}",
        path.display()
    )]
    NoVectorColumn {
        /// Every column with its type, e.g. `id: utf8, geometry: binary`.
        columns: String,
        /// The file concerned.
        path: PathBuf,
    },
    /// The column asked for does not exist (a typo, usually).
    #[error("{}: there is no column `{column}`; the columns are: {columns}", path.display())]
    MissingColumn {
        /// The name asked for.
        column: String,
        /// The names present, comma-separated.
        columns: String,
        /// The file concerned.
        path: PathBuf,
    },
    /// The column asked for exists but cannot hold vectors.
    #[error(
        "{}: column `{column}` has type {data_type}, not a list of floats, so it cannot hold \
         the vectors",
        path.display()
    )]
    NotVectorColumn {
        /// The column asked for.
        column: String,
        /// Its type, e.g. `list<int64>` or `utf8`.
        data_type: String,
        /// The file concerned.
        path: PathBuf,
    },
    /// A vector with a missing element cannot be placed by any layout. (Rows whose whole
    /// vector is null are skipped instead; see [`crate::skipped_null_vectors`].)
    #[error("{}: row {row} of column `{column}` has a null value inside its vector", path.display())]
    NullVector {
        /// The vector column.
        column: String,
        /// The first offending row.
        row: usize,
        /// The file concerned.
        path: PathBuf,
    },
    /// Every row's vector is null, so after skipping them nothing is left.
    #[error("{}: all {rows} rows have a null vector in column `{column}`", path.display())]
    AllVectorsNull {
        /// The vector column.
        column: String,
        /// Rows read, all null.
        rows: usize,
        /// The file concerned.
        path: PathBuf,
    },
    /// Vectors must all have one length to be compared.
    #[error(
        "{}: row {row} of column `{column}` has a vector of length {len}, but the rows before \
         it have length {expected}",
        path.display()
    )]
    RaggedVector {
        /// The vector column.
        column: String,
        /// The first offending row.
        row: usize,
        /// Its length.
        len: usize,
        /// The length of the rows before it.
        expected: usize,
        /// The file concerned.
        path: PathBuf,
    },
    /// A vector holds NaN or ±∞, which poisons every distance computed from it.
    #[error("{}: row {row} of column `{column}` holds NaN or infinity", path.display())]
    NonFinite {
        /// The vector column.
        column: String,
        /// The first offending row.
        row: usize,
        /// The file concerned.
        path: PathBuf,
    },
    /// Empty vectors carry nothing to lay out.
    #[error("{}: the vectors in column `{column}` are empty (dimension 0)", path.display())]
    ZeroDimension {
        /// The vector column.
        column: String,
        /// The file concerned.
        path: PathBuf,
    },
    /// The IDX header is not one Loupe understands.
    #[error("{}: not a valid IDX file: {reason}", path.display())]
    InvalidIdx {
        /// What is wrong with the header.
        reason: String,
        /// The file concerned.
        path: PathBuf,
    },
    /// The IDX data ends before the header says it should (an interrupted download).
    #[error(
        "{}: the IDX file is truncated: its header promises {expected} bytes of data but only \
         {actual} are present",
        path.display()
    )]
    TruncatedIdx {
        /// Bytes of data the header promises (for the rows asked for).
        expected: usize,
        /// Bytes actually present.
        actual: usize,
        /// The file concerned.
        path: PathBuf,
    },
    /// The user opened the labels half of an MNIST pair; the vectors are in the images file.
    #[error(
        "{}: this is an IDX labels file; open the matching images file instead (its labels \
         are found automatically)",
        path.display()
    )]
    IdxLabelsOnly {
        /// The labels file.
        path: PathBuf,
    },
    /// An IDX labels file that does not match its images file would mislabel every point.
    #[error("{}: the labels file has {labels} labels but there are {images} images", path.display())]
    LabelCount {
        /// Labels in the labels file.
        labels: usize,
        /// Images in the images file.
        images: usize,
        /// The labels file.
        path: PathBuf,
    },
    /// The layout passed to the writer does not have two coordinates per row.
    #[error(
        "{}: cannot write a layout of {xy_len} coordinates for {rows} rows (expected {})",
        path.display(),
        2 * rows
    )]
    LayoutLength {
        /// Rows in the dataset.
        rows: usize,
        /// Length of the interleaved `xy` slice.
        xy_len: usize,
        /// The file that was to be written.
        path: PathBuf,
    },
    /// The parts read could not be assembled into a dataset for another reason.
    #[error("{}: could not build the dataset: {source}", path.display())]
    Dataset {
        /// The data model's error.
        source: DatasetError,
        /// The file concerned.
        path: PathBuf,
    },
}

impl DataError {
    /// The file this error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::NotFound { path }
            | Self::Io { path, .. }
            | Self::UnknownFormat { path, .. }
            | Self::Parquet { path, .. }
            | Self::Arrow { path, .. }
            | Self::NoRows { path }
            | Self::NoVectorColumn { path, .. }
            | Self::MissingColumn { path, .. }
            | Self::NotVectorColumn { path, .. }
            | Self::NullVector { path, .. }
            | Self::AllVectorsNull { path, .. }
            | Self::RaggedVector { path, .. }
            | Self::NonFinite { path, .. }
            | Self::ZeroDimension { path, .. }
            | Self::InvalidIdx { path, .. }
            | Self::TruncatedIdx { path, .. }
            | Self::IdxLabelsOnly { path }
            | Self::LabelCount { path, .. }
            | Self::LayoutLength { path, .. }
            | Self::Dataset { path, .. } => path,
        }
    }

    /// An IO error, with "not found" singled out.
    pub(crate) fn io(source: io::Error, path: &Path) -> Self {
        let path = path.to_path_buf();
        if source.kind() == io::ErrorKind::NotFound {
            Self::NotFound { path }
        } else {
            Self::Io { source, path }
        }
    }

    pub(crate) fn parquet(source: ParquetError, path: &Path) -> Self {
        Self::Parquet {
            source,
            path: path.to_path_buf(),
        }
    }

    pub(crate) fn arrow(source: ArrowError, path: &Path) -> Self {
        Self::Arrow {
            source,
            path: path.to_path_buf(),
        }
    }

    /// Attaches the file and vector column to the data model's complaint.
    pub(crate) fn dataset(source: DatasetError, column: &str, path: &Path) -> Self {
        let path = path.to_path_buf();
        let column = column.to_owned();
        match source {
            DatasetError::NonFinite { row } => Self::NonFinite { column, row, path },
            DatasetError::ZeroDimension => Self::ZeroDimension { column, path },
            source => Self::Dataset { source, path },
        }
    }
}

/// A short lowercase spelling of an Arrow type, as pyarrow and duckdb users know them:
/// `list<float32>`, `fixed_size_list<float32>[384]`, `utf8`.
pub(crate) fn type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::List(f) => format!("list<{}>", type_name(f.data_type())),
        DataType::LargeList(f) => format!("large_list<{}>", type_name(f.data_type())),
        DataType::FixedSizeList(f, n) => {
            format!("fixed_size_list<{}>[{n}]", type_name(f.data_type()))
        }
        DataType::Utf8 => "utf8".to_owned(),
        DataType::LargeUtf8 => "large_utf8".to_owned(),
        DataType::Utf8View => "utf8_view".to_owned(),
        other => other.to_string().to_lowercase(),
    }
}

/// `name: type, name: type, …` for messages that must show what a file holds.
pub(crate) fn describe_columns(schema: &Schema) -> String {
    let columns: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.name(), type_name(f.data_type())))
        .collect();
    if columns.is_empty() {
        "(none)".to_owned()
    } else {
        columns.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::Field;
    use std::sync::Arc;

    #[test]
    fn type_names_read_like_pyarrow() {
        let item = Arc::new(Field::new("item", DataType::Float32, true));
        assert_eq!(type_name(&DataType::List(item.clone())), "list<float32>");
        assert_eq!(
            type_name(&DataType::FixedSizeList(item, 3)),
            "fixed_size_list<float32>[3]"
        );
        assert_eq!(type_name(&DataType::Utf8), "utf8");
        assert_eq!(type_name(&DataType::Int64), "int64");
    }

    #[test]
    fn dataset_errors_gain_file_and_column() {
        let err = DataError::dataset(DatasetError::NonFinite { row: 4 }, "emb", Path::new("a.pq"));
        let text = err.to_string();
        assert!(text.contains("a.pq") && text.contains("row 4") && text.contains("emb"));
        assert_eq!(err.path(), Path::new("a.pq"));
    }
}
