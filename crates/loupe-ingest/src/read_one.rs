//! One file → its rows, ready to stack: read with `loupe-data`, geometry put in lon/lat, and
//! the columns that come from outside the table (file name, key/value metadata) prepared.

use std::iter::repeat_n;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use arrow_array::{ArrayRef, Date32Array, RecordBatch, RecordBatchOptions, StringArray};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use loupe_core::Dataset;
use loupe_data::{DataError, ReadOptions, read_file};
use loupe_geo::GEO_METADATA_KEY;

use crate::clay_name::ClayName;
use crate::geometry;
use crate::metadata_columns::metadata_columns;
use crate::report::{FailedFile, FailureKind, LoadedFile, file_name};

/// A file that loaded, before stacking.
pub(crate) struct Part {
    /// The vectors (and the original metadata, unused from here on).
    pub(crate) dataset: Dataset,
    /// The file's own columns, the geometry rewritten as lon/lat WKB.
    pub(crate) columns: RecordBatch,
    /// Columns from outside the table, under their wished-for names (`mgrs`, `gsd`, …); the
    /// final names are chosen once every file's columns are known.
    pub(crate) derived: Vec<Derived>,
    /// Its entry in the load report.
    pub(crate) info: LoadedFile,
}

/// One column from outside the table.
pub(crate) struct Derived {
    /// The name it would like (it gets [`crate::FILE_PREFIX`] before it while that is taken).
    pub(crate) name: String,
    /// One value per row.
    pub(crate) values: ArrayRef,
    /// Whether it comes from the file's key/value metadata (listed in the report).
    pub(crate) from_metadata: bool,
}

impl Derived {
    fn new(name: &str, values: ArrayRef) -> Self {
        Self {
            name: name.to_owned(),
            values,
            from_metadata: false,
        }
    }
}

/// Reads one file. `folder` adds the `source_file` column.
pub(crate) fn read_one(
    path: &Path,
    folder: bool,
    options: &ReadOptions,
) -> Result<Part, DataError> {
    let start = Instant::now();
    let (dataset, report) = read_file(path, options)?;
    let n = dataset.n_rows();
    let mut warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    let key_values = report.key_values.clone();

    let geo_json = key_values.get(GEO_METADATA_KEY).map(String::as_str);
    let converted = geometry::convert(dataset.metadata(), geo_json, &mut warnings);
    let columns = with_replaced(dataset.metadata(), converted.as_ref()).map_err(|source| {
        DataError::Arrow {
            source,
            path: path.to_path_buf(),
        }
    })?;

    let mut derived: Vec<Derived> = Vec::new();
    if folder {
        derived.push(Derived::new(
            "source_file",
            text_column(&file_name(path), n),
        ));
    }
    let clay = ClayName::parse(path);
    if let Some(c) = &clay {
        let date = |days| -> ArrayRef { Arc::new(Date32Array::from(vec![days; n])) };
        derived.push(Derived::new("mgrs", text_column(&c.mgrs, n)));
        derived.push(Derived::new("mindate", date(c.mindate)));
        derived.push(Derived::new("maxdate", date(c.maxdate)));
        derived.push(Derived::new("version", text_column(&c.version, n)));
    }
    for (key, value) in metadata_columns(&key_values) {
        derived.push(Derived {
            from_metadata: true,
            ..Derived::new(key, text_column(value, n))
        });
    }

    let info = LoadedFile {
        path: path.to_path_buf(),
        rows: n,
        format: report.format.to_string(),
        vector_columns: report.vector_columns.clone(),
        source_dim: report.source_dim,
        rows_read: report.rows_read,
        dropped: report.dropped.clone(),
        warnings,
        key_values,
        // Filled in with the final names when the files are stacked.
        metadata_columns: Vec::new(),
        clay,
        geometry: converted.map(|c| c.report),
        read_time: start.elapsed(),
    };
    Ok(Part {
        dataset,
        columns,
        derived,
        info,
    })
}

/// The failure entry for a reader's error: its message without the leading path, which the
/// report prints itself.
pub(crate) fn failed(path: &Path, error: &DataError) -> FailedFile {
    let text = error.to_string();
    let prefix = format!("{}: ", path.display());
    let reason = text.strip_prefix(&prefix).unwrap_or(&text).to_owned();
    let kind = if matches!(error, DataError::NoRows { .. }) {
        FailureKind::NoRows
    } else {
        FailureKind::Unreadable
    };
    FailedFile {
        path: path.to_path_buf(),
        kind,
        reason,
    }
}

/// `metadata` with the converted geometry column in place of the original (same name and
/// position, type `binary`, nullable); the schema's key/value metadata is not carried over
/// (it describes the file; the combined dataset gets its own).
fn with_replaced(
    metadata: &RecordBatch,
    converted: Option<&geometry::Converted>,
) -> Result<RecordBatch, ArrowError> {
    let schema = metadata.schema();
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| Field::clone(f)).collect();
    let mut columns = metadata.columns().to_vec();
    if let Some(c) = converted {
        fields[c.index] = Field::new(fields[c.index].name(), DataType::Binary, true);
        columns[c.index] = Arc::clone(&c.array);
    }
    let rows = RecordBatchOptions::new().with_row_count(Some(metadata.num_rows()));
    RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), columns, &rows)
}

fn text_column(value: &str, n: usize) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(repeat_n(value, n)))
}
