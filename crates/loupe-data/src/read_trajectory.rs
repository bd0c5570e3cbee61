//! Trajectories back in: the long format [`TrajectoryWriter`](crate::TrajectoryWriter) writes
//! (and the seed's animation notebooks use) — one row per point per recorded iteration,
//! `index`, `x`, `y`, `epoch` and any label columns — read one epoch at a time.
//!
//! A 30,000-point run recorded for 200 epochs is 6 million rows; [`Trajectory::scan`] reads
//! only the four small columns once (to check the file and find the epochs and the bounds a
//! fixed camera needs), and [`TrajectorySnapshots`] then fills one reused buffer per epoch,
//! so no more than one batch and one layout are in memory at a time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReader;

use crate::DataError;

/// Rows per batch while streaming: large enough that per-batch overhead vanishes, small
/// enough that a batch is a few megabytes.
const BATCH_ROWS: usize = 1 << 16;
/// The columns every trajectory has, in the order they are projected.
const REQUIRED: [&str; 4] = ["index", "x", "y", "epoch"];

/// Which slot (position in the layout arrays) each `index` value fills.
#[derive(Debug)]
enum Slots {
    /// `index` values are small: a table indexed by value (`u32::MAX` = not a point).
    Dense(Vec<u32>),
    /// Sparse `index` values (rows sampled from a larger table).
    Sparse(HashMap<u64, u32>),
}

impl Slots {
    fn new(indices: &[u64]) -> Option<Self> {
        let max = indices.iter().copied().max().unwrap_or(0);
        let mut slots = if max < (4 * indices.len() as u64).max(1024) {
            Self::Dense(vec![u32::MAX; max as usize + 1])
        } else {
            Self::Sparse(HashMap::with_capacity(indices.len()))
        };
        for (slot, &index) in indices.iter().enumerate() {
            let fresh = match &mut slots {
                Self::Dense(table) => {
                    let cell = &mut table[index as usize];
                    std::mem::replace(cell, slot as u32) == u32::MAX
                }
                Self::Sparse(map) => map.insert(index, slot as u32).is_none(),
            };
            if !fresh {
                return None;
            }
        }
        Some(slots)
    }

    fn get(&self, index: u64) -> Option<usize> {
        match self {
            Self::Dense(table) => usize::try_from(index)
                .ok()
                .and_then(|i| table.get(i))
                .filter(|&&s| s != u32::MAX)
                .map(|&s| s as usize),
            Self::Sparse(map) => map.get(&index).map(|&s| s as usize),
        }
    }
}

/// A trajectory file, checked: its points, its epochs in file order, and the box every
/// position of every epoch lies in.
///
/// The points are the rows of the first epoch, in file order ("slots"); every later epoch
/// must give each of them exactly one new position. Epochs must each be one run of rows (the
/// way runs are recorded); a file sorted by point instead is refused with a hint.
#[derive(Debug)]
pub struct Trajectory {
    path: PathBuf,
    epochs: Vec<u32>,
    indices: Vec<u64>,
    slots: Slots,
    bounds: ([f32; 2], [f32; 2]),
    other_columns: Vec<String>,
}

impl Trajectory {
    /// Reads `index`, `x`, `y` and `epoch` once and checks them.
    ///
    /// `index` and `epoch` may be any integer type, `x` and `y` any numeric type (read as
    /// `f32`). Errors: [`DataError::NoRows`] for an empty file, [`DataError::BadTrajectory`]
    /// for a missing or mistyped column, a null or non-finite value, an `index` repeated
    /// within an epoch or unknown to the first epoch, an epoch with another number of rows,
    /// or epochs whose rows are interleaved.
    pub fn scan(path: &Path) -> Result<Self, DataError> {
        let (mut reader, other_columns) = open(path, &REQUIRED, None)?;
        let bad = |problem: String| DataError::BadTrajectory {
            problem,
            path: path.to_path_buf(),
        };
        let mut epochs: Vec<u32> = Vec::new();
        let mut first_indices: Vec<u64> = Vec::new();
        let mut slots: Option<Slots> = None;
        // Per slot: how many epochs had given it a position, to catch repeats and gaps.
        let mut filled: Vec<u32> = Vec::new();
        let mut rows_in_epoch = 0_usize;
        let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
        let mut row = 0_usize;
        while let Some(batch) = next_batch(&mut reader, path)? {
            let columns = Columns::of(&batch, path)?;
            for i in 0..batch.num_rows() {
                let epoch = columns.epoch.value(i);
                if epochs.last() != Some(&epoch) {
                    if epochs.contains(&epoch) {
                        return Err(bad(format!(
                            "rows of epoch {epoch} are not together (row {row}); sort the file \
                             by epoch"
                        )));
                    }
                    if let Some(&previous) = epochs.last() {
                        close_epoch(
                            previous,
                            rows_in_epoch,
                            &first_indices,
                            &mut slots,
                            &mut filled,
                        )
                        .map_err(&bad)?;
                    }
                    epochs.push(epoch);
                    rows_in_epoch = 0;
                }
                let (x, y) = (columns.x.value(i), columns.y.value(i));
                if !(x.is_finite() && y.is_finite()) {
                    return Err(bad(format!("row {row} has position ({x}, {y})")));
                }
                lo = [lo[0].min(x), lo[1].min(y)];
                hi = [hi[0].max(x), hi[1].max(y)];
                let index = columns.index.value(i);
                match &slots {
                    None => first_indices.push(index),
                    Some(slots) => {
                        let Some(slot) = slots.get(index) else {
                            return Err(bad(format!(
                                "index {index} (row {row}, epoch {epoch}) is not a point of the \
                                 first epoch"
                            )));
                        };
                        filled[slot] += 1;
                        if filled[slot] as usize != epochs.len() {
                            return Err(bad(format!(
                                "index {index} appears twice in epoch {epoch}"
                            )));
                        }
                    }
                }
                rows_in_epoch += 1;
                row += 1;
            }
        }
        let Some(&last) = epochs.last() else {
            return Err(DataError::no_rows(path));
        };
        close_epoch(last, rows_in_epoch, &first_indices, &mut slots, &mut filled).map_err(&bad)?;
        let slots = slots.ok_or_else(|| DataError::no_rows(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            epochs,
            indices: first_indices,
            slots,
            bounds: (lo, hi),
            other_columns,
        })
    }

    /// Number of points (rows per epoch).
    pub fn points(&self) -> usize {
        self.indices.len()
    }

    /// The recorded epochs (iterations), in file order.
    pub fn epochs(&self) -> &[u32] {
        &self.epochs
    }

    /// Each point's `index` value (its row in the dataset the run laid out), in slot order.
    pub fn indices(&self) -> &[u64] {
        &self.indices
    }

    /// The smallest and largest `x` and `y` over every epoch: the box a fixed camera shows.
    pub fn bounds(&self) -> ([f32; 2], [f32; 2]) {
        self.bounds
    }

    /// Columns other than `index`, `x`, `y` and `epoch` (labels, usually).
    pub fn other_columns(&self) -> &[String] {
        &self.other_columns
    }

    /// The values of column `name` for each point, in slot order (from the first epoch's
    /// rows), in the column's own Arrow type.
    pub fn column(&self, name: &str) -> Result<ArrayRef, DataError> {
        if !self.other_columns.iter().any(|c| c == name) {
            let mut columns: Vec<&str> = REQUIRED.to_vec();
            columns.extend(self.other_columns.iter().map(String::as_str));
            return Err(DataError::MissingColumn {
                column: name.to_owned(),
                columns: columns.join(", "),
                path: self.path.clone(),
            });
        }
        let (reader, _) = open(&self.path, &[name], Some(self.points()))?;
        let batches = reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| DataError::arrow(e, &self.path))?;
        let arrays: Vec<&dyn Array> = batches.iter().map(|b| b.column(0).as_ref()).collect();
        let column =
            arrow_select::concat::concat(&arrays).map_err(|e| DataError::arrow(e, &self.path))?;
        if column.len() != self.points() {
            return Err(DataError::BadTrajectory {
                problem: format!("the file changed while it was read (column `{name}`)"),
                path: self.path.clone(),
            });
        }
        Ok(column)
    }

    /// Streams the epochs in file order.
    pub fn snapshots(&self) -> Result<TrajectorySnapshots<'_>, DataError> {
        let (reader, _) = open(&self.path, &REQUIRED, None)?;
        Ok(TrajectorySnapshots {
            trajectory: self,
            reader,
            batch: None,
            offset: 0,
            next_epoch: 0,
            positions: vec![0.0; 2 * self.points()],
        })
    }
}

/// Ends an epoch: the first one fixes the points; every later one must have as many rows,
/// which (no index being repeated) gives each point exactly one position.
fn close_epoch(
    epoch: u32,
    rows: usize,
    first_indices: &[u64],
    slots: &mut Option<Slots>,
    filled: &mut Vec<u32>,
) -> Result<(), String> {
    if slots.is_none() {
        *slots = Some(
            Slots::new(first_indices)
                .ok_or_else(|| format!("an index appears twice in the first epoch ({epoch})"))?,
        );
        *filled = vec![1; first_indices.len()];
        return Ok(());
    }
    if rows != first_indices.len() {
        return Err(format!(
            "epoch {epoch} has {rows} rows but the first epoch has {}",
            first_indices.len()
        ));
    }
    Ok(())
}

/// The four required columns of one batch, cast to the types the reader works in.
struct Columns {
    index: arrow_array::UInt64Array,
    x: arrow_array::Float32Array,
    y: arrow_array::Float32Array,
    epoch: arrow_array::UInt32Array,
}

impl Columns {
    fn of(batch: &RecordBatch, path: &Path) -> Result<Self, DataError> {
        let get = |name: &str, to: &DataType| -> Result<ArrayRef, DataError> {
            let column = batch
                .column_by_name(name)
                .ok_or_else(|| bad_column(name, "is missing", path))?;
            let cast = arrow_cast::cast(column, to).map_err(|e| DataError::arrow(e, path))?;
            // Casting turns values the target type cannot hold (a negative index) into nulls.
            if cast.null_count() > column.null_count() {
                return Err(bad_column(
                    name,
                    &format!("holds values outside {to}"),
                    path,
                ));
            }
            if cast.null_count() > 0 {
                return Err(bad_column(name, "has empty (null) cells", path));
            }
            Ok(cast)
        };
        Ok(Self {
            index: get("index", &DataType::UInt64)?
                .as_primitive::<UInt64Type>()
                .clone(),
            x: get("x", &DataType::Float32)?
                .as_primitive::<Float32Type>()
                .clone(),
            y: get("y", &DataType::Float32)?
                .as_primitive::<Float32Type>()
                .clone(),
            epoch: get("epoch", &DataType::UInt32)?
                .as_primitive::<UInt32Type>()
                .clone(),
        })
    }
}

fn bad_column(name: &str, problem: &str, path: &Path) -> DataError {
    DataError::BadTrajectory {
        problem: format!("column `{name}` {problem}"),
        path: path.to_path_buf(),
    }
}

/// A Parquet reader over `columns` (checked to exist with suitable types) and the names of
/// the file's other columns.
fn open(
    path: &Path,
    columns: &[&str],
    limit: Option<usize>,
) -> Result<(ParquetRecordBatchReader, Vec<String>), DataError> {
    let builder = crate::read_parquet::check::open_checked(path)?;
    let schema = Arc::clone(builder.schema());
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let mut roots = Vec::with_capacity(columns.len());
    for &name in columns {
        let Some(root) = names.iter().position(|&n| n == name) else {
            return Err(bad_column(
                name,
                &format!(
                    "is missing (a trajectory has index, x, y and epoch; the columns are: {})",
                    names.join(", ")
                ),
                path,
            ));
        };
        let data_type = schema.field(root).data_type();
        let fits = match name {
            "index" | "epoch" => data_type.is_integer(),
            "x" | "y" => data_type.is_numeric(),
            _ => true,
        };
        if !fits {
            return Err(bad_column(
                name,
                &format!("has type {data_type}; it must hold numbers"),
                path,
            ));
        }
        roots.push(root);
    }
    let others = names
        .iter()
        .filter(|n| !REQUIRED.contains(n))
        .map(|&n| n.to_owned())
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let mut builder = builder.with_projection(mask).with_batch_size(BATCH_ROWS);
    if let Some(limit) = limit {
        builder = builder.with_limit(limit);
    }
    let reader = builder.build().map_err(|e| DataError::parquet(e, path))?;
    Ok((reader, others))
}

fn next_batch(
    reader: &mut ParquetRecordBatchReader,
    path: &Path,
) -> Result<Option<RecordBatch>, DataError> {
    reader
        .next()
        .transpose()
        .map_err(|e| DataError::arrow(e, path))
}

/// The epochs of a [`Trajectory`], one at a time, into one reused buffer.
pub struct TrajectorySnapshots<'a> {
    trajectory: &'a Trajectory,
    reader: ParquetRecordBatchReader,
    batch: Option<Columns>,
    offset: usize,
    next_epoch: usize,
    positions: Vec<f32>,
}

impl TrajectorySnapshots<'_> {
    /// The next epoch's number and positions (interleaved `x, y` in slot order), or `None`
    /// after the last. The slice is valid until the next call.
    pub fn next_snapshot(&mut self) -> Result<Option<(u32, &[f32])>, DataError> {
        let trajectory = self.trajectory;
        let Some(&epoch) = trajectory.epochs.get(self.next_epoch) else {
            return Ok(None);
        };
        let path = trajectory.path.as_path();
        let changed = || DataError::BadTrajectory {
            problem: "the file changed while it was read".to_owned(),
            path: path.to_path_buf(),
        };
        let mut rows = 0;
        while rows < trajectory.points() {
            if self
                .batch
                .as_ref()
                .is_none_or(|b| self.offset >= b.epoch.len())
            {
                let batch = next_batch(&mut self.reader, path)?.ok_or_else(changed)?;
                self.batch = Some(Columns::of(&batch, path)?);
                self.offset = 0;
            }
            let Some(batch) = &self.batch else {
                return Err(changed());
            };
            while self.offset < batch.epoch.len() && rows < trajectory.points() {
                let i = self.offset;
                if batch.epoch.value(i) != epoch {
                    return Err(changed());
                }
                let slot = trajectory
                    .slots
                    .get(batch.index.value(i))
                    .ok_or_else(changed)?;
                self.positions[2 * slot] = batch.x.value(i);
                self.positions[2 * slot + 1] = batch.y.value(i);
                self.offset += 1;
                rows += 1;
            }
        }
        self.next_epoch += 1;
        Ok(Some((epoch, &self.positions)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_dense_and_sparse() {
        let dense = Slots::new(&[2, 0, 1]).expect("distinct");
        assert!(matches!(dense, Slots::Dense(_)));
        assert_eq!(dense.get(2), Some(0));
        assert_eq!(dense.get(1), Some(2));
        assert_eq!(dense.get(3), None);
        assert_eq!(dense.get(u64::MAX), None);
        let sparse = Slots::new(&[5_000_000, 7]).expect("distinct");
        assert!(matches!(sparse, Slots::Sparse(_)));
        assert_eq!(sparse.get(5_000_000), Some(0));
        assert_eq!(sparse.get(8), None);
        assert!(Slots::new(&[1, 1]).is_none());
    }
}
