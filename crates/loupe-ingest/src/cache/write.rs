//! Writing a cache entry: an Arrow IPC file of one record batch, the metadata columns plus the
//! vectors as a `fixed_size_list<float32>[D]` column, with the header (dataset facts and load
//! report) as JSON in the schema metadata.
//!
//! One batch keeps the vectors contiguous in the file, so a reader can hand them out straight
//! from the memory mapping; the vector column is built over the dataset's own buffer (no
//! copy), and Arrow's writer streams buffers to the file without gathering them first.
//! Written to a temporary file beside the entry, synced, made read-only, then renamed, so a
//! half-written entry is never seen under the entry's name.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use arrow_array::{ArrayRef, FixedSizeListArray, Float32Array, RecordBatch, RecordBatchOptions};
use arrow_ipc::writer::FileWriter;
use arrow_schema::{DataType, Field, Schema};
use loupe_core::Dataset;

use super::{CacheError, HEADER_KEY, Header, VECTOR_FIELD};
use crate::progress::{Counter, Stage};

/// Temporary files older than this are left over from a crash and are removed.
const STALE_TEMP: Duration = Duration::from_hours(1);

/// Writes `dataset` under `path`, atomically.
pub(crate) fn write_entry(
    path: &Path,
    dataset: &Dataset,
    header: &Header,
    progress: &(dyn Fn(&crate::Progress) + Sync),
) -> Result<(), CacheError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| CacheError::io(e, dir))?;
    let temp = temp_path(path);
    let result = write_file(&temp, dataset, header, progress)
        .and_then(|()| fs::rename(&temp, path).map_err(|e| CacheError::io(e, path)));
    if result.is_err() {
        // Best effort: the temporary name is never read, so a leftover only costs disk.
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_file(
    temp: &Path,
    dataset: &Dataset,
    header: &Header,
    progress: &(dyn Fn(&crate::Progress) + Sync),
) -> Result<(), CacheError> {
    let counter = Counter::start(Stage::WritingCache, 1, progress);
    let metadata = dataset.metadata();
    let dim = dataset.dim();
    let item = Arc::new(Field::new("item", DataType::Float32, false));
    let mut fields: Vec<Field> = metadata
        .schema()
        .fields()
        .iter()
        .map(|f| Field::clone(f))
        .collect();
    let size =
        i32::try_from(dim).map_err(|_| CacheError::invalid("dimension too large".into(), temp))?;
    fields.push(Field::new(
        VECTOR_FIELD,
        DataType::FixedSizeList(Arc::clone(&item), size),
        false,
    ));
    let mut schema_metadata = metadata.schema().metadata().clone();
    let json =
        serde_json::to_string(header).map_err(|e| CacheError::invalid(e.to_string(), temp))?;
    schema_metadata.insert(HEADER_KEY.to_owned(), json);
    let schema = Arc::new(Schema::new_with_metadata(fields, schema_metadata));

    // The dataset's own buffer, shared: Arrow's writer streams it to the file without a copy.
    let values = Float32Array::new(dataset.vector_buffer(), None);
    let list = FixedSizeListArray::try_new(item, size, Arc::new(values), None)
        .map_err(|e| CacheError::arrow(e, temp))?;
    let mut columns: Vec<ArrayRef> = metadata.columns().to_vec();
    columns.push(Arc::new(list));
    let options = RecordBatchOptions::new().with_row_count(Some(dataset.n_rows()));
    let batch = RecordBatch::try_new_with_options(Arc::clone(&schema), columns, &options)
        .map_err(|e| CacheError::arrow(e, temp))?;

    let file = File::create(temp).map_err(|e| CacheError::io(e, temp))?;
    let mut writer = FileWriter::try_new(BufWriter::with_capacity(1 << 20, file), &schema)
        .map_err(|e| CacheError::arrow(e, temp))?;
    writer
        .write(&batch)
        .map_err(|e| CacheError::arrow(e, temp))?;
    writer.finish().map_err(|e| CacheError::arrow(e, temp))?;
    let mut out = writer
        .into_inner()
        .map_err(|e| CacheError::arrow(e, temp))?;
    out.flush().map_err(|e| CacheError::io(e, temp))?;
    let file = out
        .into_inner()
        .map_err(|e| CacheError::io(e.into_error(), temp))?;
    // On disk before the rename makes it visible: a crash then leaves the old state or the
    // whole new file, never a renamed but partly written one.
    file.sync_all().map_err(|e| CacheError::io(e, temp))?;
    // Read-only, so that nothing writes into a file that readers memory-map (see `mmap`).
    let mut permissions = file
        .metadata()
        .map_err(|e| CacheError::io(e, temp))?
        .permissions();
    permissions.set_readonly(true);
    fs::set_permissions(temp, permissions).map_err(|e| CacheError::io(e, temp))?;
    counter.step(dataset.n_rows());
    Ok(())
}

/// A name in the same directory (so the rename is atomic) that no other writer uses.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// Removes older entries for the same source (`{source}-*.arrow` other than `keep`) and
/// temporary files left by crashed writers. Best effort: failures only leave files behind.
pub(crate) fn remove_stale(dir: &Path, source: &str, keep: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!("{source}-");
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let old_version = name.starts_with(&prefix)
            && path.extension().is_some_and(|e| e == "arrow")
            && path != keep;
        let abandoned = name.starts_with('.')
            && name.contains(".arrow.tmp-")
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > STALE_TEMP);
        if old_version || abandoned {
            let _ = fs::remove_file(&path);
        }
    }
}
