//! The files' rows → one dataset: agree on a vector length, name the derived columns, stack
//! the metadata by column name and the vectors into one buffer, and describe the result.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{ArrowError, Field, Schema};
use loupe_core::{Dataset, DatasetError};
use loupe_data::SKIPPED_NULL_VECTORS_KEY;
use loupe_geo::GEO_METADATA_KEY;

use crate::geometry::combined_geo;
use crate::metadata_columns::{SKIPPED_KEYS, derived_name};
use crate::read_one::Part;
use crate::report::{FailedFile, FailureKind, LoadedFile};

/// The stacked dataset and the per-file account.
pub(crate) struct Assembled {
    pub(crate) dataset: Dataset,
    pub(crate) files: Vec<LoadedFile>,
    pub(crate) failed: Vec<FailedFile>,
}

/// Stacks the parts that loaded, in order; `results` are in file order. `Err` carries the
/// failures when nothing loaded, or the data model's complaint.
pub(crate) fn assemble(
    name: &str,
    results: Vec<Result<Part, FailedFile>>,
) -> Result<Assembled, AssembleError> {
    let mut failed: Vec<(usize, FailedFile)> = Vec::new();
    let mut parts: Vec<(usize, Part)> = Vec::new();
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(part) => parts.push((index, part)),
            Err(f) => failed.push((index, f)),
        }
    }
    let Some(dim) = common_dim(parts.iter().map(|(_, p)| p.dataset.dim())) else {
        return Err(AssembleError::NothingLoaded(
            failed.into_iter().map(|(_, f)| f).collect(),
        ));
    };
    let (kept, odd): (Vec<_>, Vec<_>) =
        parts.into_iter().partition(|(_, p)| p.dataset.dim() == dim);
    for (index, part) in odd {
        let got = part.dataset.dim();
        failed.push((
            index,
            FailedFile {
                path: part.info.path,
                kind: FailureKind::Dimension {
                    dim: got,
                    expected: dim,
                },
                reason: format!("vectors have {got} values; the other files have {dim}"),
            },
        ));
    }
    failed.sort_by_key(|(index, _)| *index);
    let failed = failed.into_iter().map(|(_, f)| f).collect();
    let mut parts: Vec<Part> = kept.into_iter().map(|(_, p)| p).collect();

    let metadata = stack_metadata(name, &mut parts)?;
    let first = &parts[0].dataset;
    let (vector_column, image_shape) = (first.vector_column().to_owned(), first.image_shape());
    let files: Vec<LoadedFile> = parts.iter().map(|p| p.info.clone()).collect();
    let total: usize = parts.iter().map(|p| p.dataset.n_rows()).sum();
    let mut vectors = Vec::with_capacity(total * dim);
    for part in parts {
        // Each part is dropped as soon as it is copied, so peak memory stays near one copy.
        vectors.extend_from_slice(part.dataset.vectors());
    }
    let dataset =
        Dataset::new(name, vector_column, vectors, dim, metadata)?.with_image_shape(image_shape);
    Ok(Assembled {
        dataset,
        files,
        failed,
    })
}

/// Why assembling failed.
pub(crate) enum AssembleError {
    /// No file loaded; each one's reason.
    NothingLoaded(Vec<FailedFile>),
    /// The data model refused the combination.
    Dataset(DatasetError),
}

impl From<DatasetError> for AssembleError {
    fn from(e: DatasetError) -> Self {
        Self::Dataset(e)
    }
}

impl From<ArrowError> for AssembleError {
    fn from(e: ArrowError) -> Self {
        Self::Dataset(DatasetError::Arrow(e))
    }
}

/// The most common vector length; ties go to the earliest file. `None` when there are none.
fn common_dim(dims: impl Iterator<Item = usize>) -> Option<usize> {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for dim in dims {
        match counts.iter_mut().find(|(d, _)| *d == dim) {
            Some((_, n)) => *n += 1,
            None => counts.push((dim, 1)),
        }
    }
    // `max_by_key` keeps the last of equal maxima; reversing makes that the earliest file.
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(d, _)| d)
}

/// Every part's columns plus its derived ones, stacked by name (through [`Dataset::concat`],
/// on stand-in datasets of one value per row so that the vectors are not copied here), with
/// the combined schema metadata. Renames the parts' derived columns in their reports.
fn stack_metadata(name: &str, parts: &mut [Part]) -> Result<RecordBatch, AssembleError> {
    let data_columns: BTreeSet<String> = parts
        .iter()
        .flat_map(|p| {
            p.columns
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut stand_ins = Vec::with_capacity(parts.len());
    for part in parts.iter_mut() {
        let schema = part.columns.schema();
        let mut fields: Vec<Field> = schema.fields().iter().map(|f| Field::clone(f)).collect();
        let mut columns: Vec<ArrayRef> = part.columns.columns().to_vec();
        // Names in use in this part: every file's data columns (so each derived column gets
        // the same name in every file) and the derived columns named so far (so a metadata
        // entry `version` does not collide with the file name's `version`).
        let mut taken = data_columns.clone();
        part.info.metadata_columns.clear();
        for derived in &part.derived {
            let name = derived_name(&derived.name, &taken);
            taken.insert(name.clone());
            if derived.from_metadata {
                part.info.metadata_columns.push(name.clone());
            }
            fields.push(Field::new(name, derived.values.data_type().clone(), true));
            columns.push(Arc::clone(&derived.values));
        }
        let rows = part.dataset.n_rows();
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        let batch =
            RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), columns, &options)?;
        stand_ins.push(Dataset::new(name, "", vec![0.0; rows], 1, batch)?);
    }
    let refs: Vec<&Dataset> = stand_ins.iter().collect();
    let stacked = Dataset::concat(name, &refs)?;
    let metadata = stacked.metadata();
    let schema =
        Schema::new(metadata.schema().fields().clone()).with_metadata(schema_metadata(parts));
    let options = RecordBatchOptions::new().with_row_count(Some(metadata.num_rows()));
    Ok(RecordBatch::try_new_with_options(
        Arc::new(schema),
        metadata.columns().to_vec(),
        &options,
    )?)
}

/// The combined schema's key/value metadata: the key/values every file agrees on (less the
/// ones that describe a file rather than its rows), the `geo` entry describing the lon/lat
/// geometry, and the total of rows left out for lack of a vector.
fn schema_metadata(parts: &[Part]) -> std::collections::HashMap<String, String> {
    let mut agreed: BTreeMap<&String, &String> = parts[0].info.key_values.iter().collect();
    for part in &parts[1..] {
        agreed.retain(|k, v| part.info.key_values.get(*k) == Some(*v));
    }
    let mut out: std::collections::HashMap<String, String> = agreed
        .into_iter()
        .filter(|(k, _)| !SKIPPED_KEYS.contains(&k.as_str()) && !k.starts_with("loupe:"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(geo) = combined_geo(parts.iter().filter_map(|p| p.info.geometry.as_ref())) {
        out.insert(GEO_METADATA_KEY.to_owned(), geo);
    }
    let skipped: usize = parts
        .iter()
        .flat_map(|p| &p.info.dropped)
        .filter(|d| d.reason == loupe_data::DropReason::NullVector)
        .count();
    if skipped > 0 {
        out.insert(SKIPPED_NULL_VECTORS_KEY.to_owned(), skipped.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_length_wins_and_ties_go_to_the_first_file() {
        assert_eq!(common_dim([768, 1024, 768].into_iter()), Some(768));
        assert_eq!(common_dim([1024, 768, 768].into_iter()), Some(768));
        assert_eq!(common_dim([1024, 768].into_iter()), Some(1024));
        assert_eq!(common_dim([3, 5, 5, 3].into_iter()), Some(3));
        assert_eq!(common_dim(std::iter::empty()), None);
    }
}
