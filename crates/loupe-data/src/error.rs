//! The one error type of this crate.

use std::io;
use std::path::{Path, PathBuf};

use arrow_schema::ArrowError;
use loupe_core::DatasetError;
use parquet::errors::ParquetError;
use zip::result::ZipError;

use crate::describe::list_bad_rows;
use crate::report::DroppedRow;

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
    /// Neither the first bytes nor the extension match a format Loupe reads.
    #[error(
        "{}: not a file Loupe can read (it starts with the bytes {magic}); Loupe reads \
         (Geo)Parquet, Arrow IPC/Feather v2, NumPy .npy/.npz, MNIST IDX (raw or gzip), and CSV \
         or TSV files named .csv or .tsv",
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
    /// The Arrow IPC (Feather v2) file or stream is damaged or truncated.
    #[error("{}: not a readable Arrow IPC file: {source}", path.display())]
    Ipc {
        /// The Arrow library's error.
        source: ArrowError,
        /// The file concerned.
        path: PathBuf,
    },
    /// The CSV text could not be parsed, e.g. a row with too many fields or a number column
    /// with text in it; the message gives the line.
    #[error("{}: could not parse the CSV: {source}", path.display())]
    Csv {
        /// The CSV reader's error.
        source: ArrowError,
        /// The file concerned.
        path: PathBuf,
    },
    /// The `.npz` zip archive is damaged or uses a compression method Loupe does not read.
    #[error("{}: not a readable .npz (zip) archive: {source}", path.display())]
    Zip {
        /// The zip library's error.
        source: ZipError,
        /// The file concerned.
        path: PathBuf,
    },
    /// A numpy array's header or data is not one Loupe understands, or ends early.
    #[error("{}: not a readable NumPy array: {reason}", path.display())]
    Npy {
        /// What is wrong, naming the `.npz` member when there is one.
        reason: String,
        /// The file concerned.
        path: PathBuf,
    },
    /// The data pages could not be decoded into Arrow arrays, or the table could not be
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
        "{}: no vectors found: no list-of-floats column, no column of JSON arrays and no \
         numeric columns to use (name them with the vector-columns option); the columns are: \
         {columns}",
        path.display()
    )]
    NoVectorColumn {
        /// Every column with its type, e.g. `id: utf8, geometry: binary`.
        columns: String,
        /// The file concerned.
        path: PathBuf,
    },
    /// No `.npz` array can hold the vectors.
    #[error("{}: no array of two or more dimensions holds numbers; the arrays are: {arrays}", path.display())]
    NoVectorArray {
        /// Every array with its dtype and shape.
        arrays: String,
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
        "{}: column `{column}` has type {data_type}, so it cannot hold the vectors (a list of \
         floats, text holding JSON arrays, or a number per column)",
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
    /// Rows whose vectors cannot be used, under [`BadRows::Stop`](crate::BadRows::Stop). The
    /// whole file was scanned, so `count` is the total.
    #[error(
        "{}: {count} {} of column `{column}` cannot be used: {}; drop them with the bad-rows \
         option, or fix the file",
        path.display(),
        crate::report::plural(*count, "row", "rows"),
        list_bad_rows(first, *count)
    )]
    BadRows {
        /// The vector column(s).
        column: String,
        /// How many rows are bad in all.
        count: usize,
        /// The first few bad rows, in file order.
        first: Vec<DroppedRow>,
        /// The file concerned.
        path: PathBuf,
    },
    /// Every row was left out, so nothing is left to lay out.
    #[error("{}: all {rows} rows of column `{column}` were left out ({summary})", path.display())]
    AllRowsDropped {
        /// The vector column(s).
        column: String,
        /// Rows read, all dropped.
        rows: usize,
        /// Why, e.g. `2 without a vector`.
        summary: String,
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
    /// Mean pooling was asked for a size the vectors cannot be split into.
    #[error(
        "{}: cannot mean-pool vectors of {dim} values to {target}: the length must be a \
         positive multiple of the target",
        path.display()
    )]
    PoolMismatch {
        /// Values per vector in the file.
        dim: usize,
        /// The size asked for.
        target: usize,
        /// The file concerned.
        path: PathBuf,
    },
    /// `column` and `vector_columns` were both given; they name the vectors in two ways.
    #[error(
        "{}: give either one vector column or several vector columns, not both",
        path.display()
    )]
    ConflictingOptions {
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
    /// An extra column handed to a layout writer does not have one value per row.
    #[error(
        "{}: cannot add column `{column}` to the layout: it has {len} values for {rows} rows",
        path.display()
    )]
    LayoutColumnLength {
        /// The extra column's name.
        column: String,
        /// Values it holds.
        len: usize,
        /// Rows in the dataset.
        rows: usize,
        /// The file that was to be written.
        path: PathBuf,
    },
    /// An extra column handed to a layout writer is named `x` or `y` or twice, which would
    /// make the file ambiguous.
    #[error(
        "{}: cannot add column `{column}` to the layout: the name is taken by the coordinates \
         or by another added column",
        path.display()
    )]
    LayoutColumnName {
        /// The clashing name.
        column: String,
        /// The file that was to be written.
        path: PathBuf,
    },
    /// A value of a geometry column declared as WKB is not valid WKB, so no truthful
    /// `geo` metadata (types, bounding box) or WKT can be written for it.
    #[error(
        "{}: row {row} of geometry column `{column}` is not valid WKB: {source}",
        path.display()
    )]
    InvalidGeometry {
        /// The geometry column.
        column: String,
        /// The first bad row (from 0).
        row: usize,
        /// What the WKB decoder found (boxed: it is large, and this error is rare).
        source: Box<loupe_geo::WkbError>,
        /// The file that was to be written.
        path: PathBuf,
    },
    /// Writing a Parquet file failed: a full disk, a vanished directory, or a value the
    /// Parquet encoder refused.
    #[error("{}: could not write the Parquet file: {source}", path.display())]
    ParquetWrite {
        /// The Parquet library's error.
        source: ParquetError,
        /// The file that was to be written.
        path: PathBuf,
    },
    /// Writing a CSV file failed, usually in the file system.
    #[error("{}: could not write the CSV file: {source}", path.display())]
    CsvWrite {
        /// The CSV writer's error.
        source: ArrowError,
        /// The file that was to be written.
        path: PathBuf,
    },
    /// A trajectory numbers its rows with 32-bit integers, so it cannot hold more rows.
    #[error(
        "{}: cannot write a trajectory of {rows} rows: its `index` column holds at most \
         4,294,967,295",
        path.display()
    )]
    TooManyRows {
        /// Rows asked for.
        rows: usize,
        /// The file that was to be written.
        path: PathBuf,
    },
    /// A file read as a Loupe layout lacks usable coordinates: no `x` or `y` column, one that
    /// does not hold numbers, or a row where it is empty, NaN or infinite.
    #[error("{}: not a usable Loupe layout: column `{column}` {problem}", path.display())]
    LayoutCoordinates {
        /// `x` or `y`.
        column: String,
        /// What is wrong with it, e.g. `is missing (the columns are: id, geometry)`.
        problem: String,
        /// The file concerned.
        path: PathBuf,
    },
    /// A file read as a trajectory (one row per point per recorded iteration) cannot be one:
    /// a column is missing or of the wrong type, or its rows are not grouped by epoch.
    #[error("{}: not a usable trajectory: {problem}", path.display())]
    BadTrajectory {
        /// What is wrong, e.g. `rows of epoch 20 are not together; sort the file by epoch`.
        problem: String,
        /// The file concerned.
        path: PathBuf,
    },
    /// A file that is not a table (NumPy, IDX) was given where a layout table was expected.
    #[error(
        "{}: not a layout table: layouts are read from Parquet or CSV files (found {format})",
        path.display()
    )]
    NotLayoutTable {
        /// What the file is instead.
        format: String,
        /// The file concerned.
        path: PathBuf,
    },
    /// RFC 7946 feature collections are always WGS 84 longitude/latitude, and this geometry
    /// cannot be brought there.
    #[error(
        "{}: cannot write GeoJSON, which is always longitude/latitude (WGS 84): geometry \
         column `{column}` {reason}; write GeoParquet (.parquet) to keep it in its own CRS",
        path.display()
    )]
    GeoJsonCrs {
        /// The geometry column.
        column: String,
        /// Why, e.g. `is in an undefined CRS (crs: null), which cannot be reprojected`.
        reason: String,
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
    /// A decoding library panicked on this file. Third-party decoders are not guaranteed to be
    /// panic-free on damaged input, and a bad file must never take the app down with it.
    #[error("{}: the file is damaged; the decoder failed with: {message}", path.display())]
    DecoderPanic {
        /// The panic's message.
        message: String,
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
            | Self::Ipc { path, .. }
            | Self::Csv { path, .. }
            | Self::Zip { path, .. }
            | Self::Npy { path, .. }
            | Self::Arrow { path, .. }
            | Self::NoRows { path }
            | Self::NoVectorColumn { path, .. }
            | Self::NoVectorArray { path, .. }
            | Self::MissingColumn { path, .. }
            | Self::NotVectorColumn { path, .. }
            | Self::BadRows { path, .. }
            | Self::AllRowsDropped { path, .. }
            | Self::ZeroDimension { path, .. }
            | Self::PoolMismatch { path, .. }
            | Self::ConflictingOptions { path }
            | Self::InvalidIdx { path, .. }
            | Self::TruncatedIdx { path, .. }
            | Self::IdxLabelsOnly { path }
            | Self::LabelCount { path, .. }
            | Self::LayoutLength { path, .. }
            | Self::LayoutColumnLength { path, .. }
            | Self::LayoutColumnName { path, .. }
            | Self::InvalidGeometry { path, .. }
            | Self::ParquetWrite { path, .. }
            | Self::CsvWrite { path, .. }
            | Self::TooManyRows { path, .. }
            | Self::LayoutCoordinates { path, .. }
            | Self::NotLayoutTable { path, .. }
            | Self::BadTrajectory { path, .. }
            | Self::GeoJsonCrs { path, .. }
            | Self::Dataset { path, .. }
            | Self::DecoderPanic { path, .. } => path,
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

    pub(crate) fn parquet_write(source: ParquetError, path: &Path) -> Self {
        Self::ParquetWrite {
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

    pub(crate) fn npy(reason: impl Into<String>, path: &Path) -> Self {
        Self::Npy {
            reason: reason.into(),
            path: path.to_path_buf(),
        }
    }

    pub(crate) fn no_rows(path: &Path) -> Self {
        Self::NoRows {
            path: path.to_path_buf(),
        }
    }

    /// Attaches the file and vector column to the data model's complaint.
    pub(crate) fn dataset(source: DatasetError, column: &str, path: &Path) -> Self {
        let path = path.to_path_buf();
        match source {
            DatasetError::NonFinite { row } => Self::BadRows {
                column: column.to_owned(),
                count: 1,
                first: vec![DroppedRow {
                    row,
                    reason: crate::DropReason::NonFinite,
                }],
                path,
            },
            DatasetError::ZeroDimension => Self::ZeroDimension {
                column: column.to_owned(),
                path,
            },
            source => Self::Dataset { source, path },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DropReason;

    #[test]
    fn dataset_errors_gain_file_and_column() {
        let err = DataError::dataset(DatasetError::NonFinite { row: 4 }, "emb", Path::new("a.pq"));
        let text = err.to_string();
        assert!(text.contains("a.pq") && text.contains("row 4") && text.contains("emb"));
        assert_eq!(err.path(), Path::new("a.pq"));
    }

    #[test]
    fn bad_rows_list_the_first_and_count_the_rest() {
        let first: Vec<DroppedRow> = [2, 5, 9]
            .into_iter()
            .map(|row| DroppedRow {
                row,
                reason: DropReason::NonFinite,
            })
            .collect();
        let err = DataError::BadRows {
            column: "emb".to_owned(),
            count: 40,
            first,
            path: PathBuf::from("x.csv"),
        };
        let text = err.to_string();
        assert!(text.starts_with("x.csv: 40 rows of column `emb`"), "{text}");
        assert!(
            text.contains("rows 2, 5 and 9 hold NaN or infinity"),
            "{text}"
        );
        assert!(text.contains("37 more"), "{text}");
    }
}
