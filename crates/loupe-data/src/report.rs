//! What a read found besides the data: the format, where the vectors came from, the rows left
//! out and why, warnings, and the file's own key/value metadata.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use loupe_core::Dataset;

/// Everything [`read_file`](crate::read_file) learnt about a file that is not in the
/// [`Dataset`], so the app can tell the user what happened instead of silently changing data.
///
/// Row numbers count from 0 over the file's data rows (a CSV header is not a row), before
/// anything is dropped, so they match what the user sees in pandas, duckdb or a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileReport {
    /// How the file was recognised.
    pub format: FileFormat,
    /// The columns (or `.npz` array) the vectors were read from, in order: one name for a list
    /// or JSON column, many for a wide table.
    pub vector_columns: Vec<String>,
    /// Values per vector in the file, before any [`mean_pool_to`](crate::ReadOptions::mean_pool_to).
    pub source_dim: usize,
    /// Rows of the file looked at (up to the limit), including dropped ones.
    pub rows_read: usize,
    /// Every row left out, in file order.
    pub dropped: Vec<DroppedRow>,
    /// Things the user may want to know that did not stop the read.
    pub warnings: Vec<Warning>,
    /// The file's own key/value metadata — Parquet and Arrow IPC schema metadata, e.g. the
    /// `date`, `gsd` and `uri` of Clay v1.5 files — minus Arrow's internal `ARROW:schema`.
    /// Kept as text so a caller can turn any of it into a constant column or a caption.
    pub key_values: BTreeMap<String, String>,
}

impl FileReport {
    /// An empty report for a file of `format`; readers fill in the rest.
    pub(crate) fn new(format: FileFormat) -> Self {
        Self {
            format,
            vector_columns: Vec::new(),
            source_dim: 0,
            rows_read: 0,
            dropped: Vec::new(),
            warnings: Vec::new(),
            key_values: BTreeMap::new(),
        }
    }

    /// How many dropped rows had no vector at all (the count the app shows as "skipped").
    pub fn null_vectors(&self) -> usize {
        self.dropped
            .iter()
            .filter(|d| d.reason == DropReason::NullVector)
            .count()
    }

    /// One line for a status bar, e.g. `3 rows left out: 2 without a vector, 1 with NaN or
    /// infinity`; `None` when nothing was dropped.
    pub fn dropped_summary(&self) -> Option<String> {
        (!self.dropped.is_empty()).then(|| {
            format!(
                "{} {} left out: {}",
                self.dropped.len(),
                plural(self.dropped.len(), "row", "rows"),
                count_reasons(&self.dropped)
            )
        })
    }
}

/// `2 without a vector, 1 with NaN or infinity`: how many rows per reason, in order of first
/// appearance.
pub(crate) fn count_reasons(dropped: &[DroppedRow]) -> String {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for row in dropped {
        let label = row.reason.short_label();
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(l, n)| format!("{n} {l}")).collect();
    parts.join(", ")
}

/// The file formats Loupe reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileFormat {
    /// Apache Parquet, including (Geo)Parquet.
    Parquet,
    /// Arrow IPC file format, which is also Feather v2.
    ArrowFile,
    /// Arrow IPC stream format (`.arrows`).
    ArrowStream,
    /// Comma- or tab-separated text with a header row.
    Csv,
    /// One numpy array (`.npy`).
    Npy,
    /// A zip of numpy arrays (`.npz`).
    Npz,
    /// MNIST's IDX, raw or gzip-compressed.
    Idx,
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Parquet => "Parquet",
            Self::ArrowFile => "Arrow IPC file",
            Self::ArrowStream => "Arrow IPC stream",
            Self::Csv => "CSV",
            Self::Npy => "NumPy .npy",
            Self::Npz => "NumPy .npz",
            Self::Idx => "MNIST IDX",
        })
    }
}

/// One row left out of the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DroppedRow {
    /// The row's number in the file, from 0.
    pub row: usize,
    /// Why it could not be used.
    pub reason: DropReason,
}

impl fmt::Display for DroppedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {} {}", self.row, self.reason)
    }
}

/// Why a row's vector could not be used; each variant says what to fix in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DropReason {
    /// The whole vector is missing (null, or every vector column empty): never embedded.
    NullVector,
    /// Some but not all values of the vector are missing.
    NullValue,
    /// The vector holds NaN or ±∞, which poisons every distance computed from it.
    NonFinite,
    /// The vector's length differs from the first vector's in the file (the first row with
    /// values, even if they were unusable for another reason).
    Ragged {
        /// This row's length.
        len: usize,
        /// The first vector's length, which all rows must share.
        expected: usize,
    },
    /// A text cell that should hold a JSON array of numbers does not (CSV).
    Malformed,
}

impl DropReason {
    /// The reason as a verb phrase for one row (`holds NaN or infinity`) or several (`hold NaN
    /// or infinity`), so messages can list rows sharing a reason together.
    pub(crate) fn phrase(self, many: bool) -> String {
        let (one, several) = match self {
            Self::NullVector => ("has no vector (null)", "have no vector (null)"),
            Self::NullValue => (
                "has a null value inside its vector",
                "have null values inside their vectors",
            ),
            Self::NonFinite => ("holds NaN or infinity", "hold NaN or infinity"),
            Self::Ragged { len, expected } => {
                let verb = if many { "have" } else { "has" };
                let values = plural(len, "value", "values");
                return format!("{verb} {len} {values} where the first vector has {expected}");
            }
            Self::Malformed => (
                "is not a JSON array of numbers",
                "are not JSON arrays of numbers",
            ),
        };
        (if many { several } else { one }).to_owned()
    }

    /// A plural noun phrase for counts in summaries.
    fn short_label(self) -> &'static str {
        match self {
            Self::NullVector => "without a vector",
            Self::NullValue => "with a null value",
            Self::NonFinite => "with NaN or infinity",
            Self::Ragged { .. } => "of a different length",
            Self::Malformed => "not an array of numbers",
        }
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.phrase(false))
    }
}

/// Something worth telling the user that did not stop the read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// An `.npz` array that became neither the vectors nor a per-row column.
    IgnoredArray {
        /// The array's name (without `.npy`).
        name: String,
        /// Why, e.g. `2 dimensions` or `length 10, not one value per row`.
        reason: String,
    },
    /// An IDX images file has no labels file beside it, so there is nothing to colour by.
    NoLabels {
        /// The names tried.
        tried: Vec<PathBuf>,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IgnoredArray { name, reason } => write!(f, "array `{name}` ignored: {reason}"),
            Self::NoLabels { tried } => {
                let names: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
                write!(f, "no labels file found (tried {})", names.join(", "))
            }
        }
    }
}

/// Schema metadata key under which the readers record how many rows they left out because
/// their vector was null, so [`skipped_null_vectors`] works on a bare [`Dataset`].
pub const SKIPPED_NULL_VECTORS_KEY: &str = "loupe:skipped_null_vectors";

/// How many rows of the file were left out of `dataset` because their vector was null.
///
/// Kept for callers that only hold the [`Dataset`] (the app's side panel); the full story,
/// including rows dropped for other reasons, is [`FileReport::dropped`] from
/// [`read_file`](crate::read_file).
pub fn skipped_null_vectors(dataset: &Dataset) -> usize {
    dataset
        .metadata()
        .schema_ref()
        .metadata()
        .get(SKIPPED_NULL_VECTORS_KEY)
        .and_then(|count| count.parse().ok())
        .unwrap_or(0)
}

/// `word` or its plural, for counts in messages.
pub(crate) fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_count_each_reason() {
        let mut report = FileReport::new(FileFormat::Csv);
        assert_eq!(report.dropped_summary(), None);
        for (row, reason) in [
            (1, DropReason::NullVector),
            (4, DropReason::NonFinite),
            (7, DropReason::NullVector),
        ] {
            report.dropped.push(DroppedRow { row, reason });
        }
        assert_eq!(report.null_vectors(), 2);
        assert_eq!(
            report.dropped_summary().as_deref(),
            Some("3 rows left out: 2 without a vector, 1 with NaN or infinity")
        );
        let ragged = DroppedRow {
            row: 3,
            reason: DropReason::Ragged {
                len: 2,
                expected: 3,
            },
        };
        assert_eq!(
            ragged.to_string(),
            "row 3 has 2 values where the first vector has 3"
        );
    }
}
