//! `.npz` → [`Dataset`]: one member array holds the vectors, 1-D members of the same length
//! become metadata columns, 0-d members become key/value metadata.
//!
//! The vectors are [`ReadOptions::column`] when given, else the first array named
//! `embeddings`, `embedding`, `vectors`, `X` or `data` (any case), else the only float array
//! of two or more dimensions, else the first numeric one. Members are stored or deflated
//! (`np.savez` / `np.savez_compressed`) and are decompressed as they are read.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{Field, Schema};
use arrow_select::filter::filter;
use loupe_core::Dataset;
use zip::ZipArchive;
use zip::result::ZipError;

use crate::assemble::{finish_dataset, keep_mask};
use crate::npy::array::Source;
use crate::npy::dtype::Kind;
use crate::npy::header::{Header, read_header};
use crate::npy::{read_vectors, with_image_shape};
use crate::report::{FileFormat, FileReport, Warning};
use crate::sink::Vectors;
use crate::{DataError, ReadOptions};

/// Array names that hold the vectors by convention, best first (compared ignoring case).
const PREFERRED_ARRAYS: [&str; 5] = ["embeddings", "embedding", "vectors", "x", "data"];

type Archive = ZipArchive<BufReader<File>>;

/// One `.npy` member of the archive.
struct Member {
    index: usize,
    /// The name less `.npy`, as `np.load` shows it.
    name: String,
    header: Header,
    /// Uncompressed bytes after the header.
    data_bytes: u64,
}

impl Member {
    fn source<'a>(&self, path: &'a Path) -> Source<'a> {
        Source {
            path,
            member: format!("array `{}`: ", self.name),
        }
    }
}

/// Reads an `.npz` archive.
pub(crate) fn read_npz(
    path: &Path,
    options: &ReadOptions,
) -> Result<(Dataset, FileReport), DataError> {
    let file = File::open(path).map_err(|e| DataError::io(e, path))?;
    let mut archive = ZipArchive::new(BufReader::new(file)).map_err(|e| zip_error(e, path))?;
    let mut report = FileReport::new(FileFormat::Npz);
    let members = list_members(&mut archive, path, &mut report)?;
    let chosen = choose(&members, options, path)?;
    let vector_member = &members[chosen];
    let source = vector_member.source(path);
    let mut entry = archive
        .by_index(vector_member.index)
        .map_err(|e| zip_error(e, path))?;
    read_header(&mut entry).map_err(|reason| source.error(reason))?;
    let vectors = read_vectors(
        &mut entry,
        &vector_member.header,
        vector_member.data_bytes,
        &vector_member.name,
        options,
        &source,
    )?;
    drop(entry);
    report.vector_columns = vec![vector_member.name.clone()];
    let all_rows = vector_member.header.shape.first().copied().unwrap_or(0);
    let metadata = metadata(
        &mut archive,
        &members,
        chosen,
        all_rows,
        &vectors,
        &mut report,
        path,
    )?;
    let label = vector_member.name.clone();
    let dataset = finish_dataset(path, &label, vectors, metadata, &mut report)?;
    Ok((with_image_shape(dataset, &members[chosen].header), report))
}

/// Every `.npy` member with its header; anything else in the archive is reported and skipped.
fn list_members(
    archive: &mut Archive,
    path: &Path,
    report: &mut FileReport,
) -> Result<Vec<Member>, DataError> {
    let mut members = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| zip_error(e, path))?;
        let full_name = entry.name().map_err(|e| zip_error(e, path))?.into_owned();
        if entry.is_dir() {
            continue;
        }
        let Some(name) = full_name.strip_suffix(".npy").map(str::to_owned) else {
            report.warnings.push(Warning::IgnoredArray {
                name: full_name,
                reason: "not a .npy file".to_owned(),
            });
            continue;
        };
        let source = Source {
            path,
            member: format!("array `{name}`: "),
        };
        let header = read_header(&mut entry).map_err(|reason| source.error(reason))?;
        let data_bytes = entry.size().saturating_sub(header.len as u64);
        members.push(Member {
            index,
            name,
            header,
            data_bytes,
        });
    }
    Ok(members)
}

/// The index in `members` of the vectors.
fn choose(members: &[Member], options: &ReadOptions, path: &Path) -> Result<usize, DataError> {
    let usable = |m: &Member| m.header.dtype.is_numeric() && m.header.shape.len() >= 2;
    if let Some(wanted) = &options.column {
        let Some(index) = members.iter().position(|m| &m.name == wanted) else {
            let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
            return Err(DataError::MissingColumn {
                column: wanted.clone(),
                columns: names.join(", "),
                path: path.to_path_buf(),
            });
        };
        if !usable(&members[index]) {
            return Err(DataError::NotVectorColumn {
                column: wanted.clone(),
                data_type: members[index].header.describe(),
                path: path.to_path_buf(),
            });
        }
        return Ok(index);
    }
    let candidates: Vec<usize> = (0..members.len())
        .filter(|&i| usable(&members[i]))
        .collect();
    let floats: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| members[i].header.dtype.kind == Kind::Float)
        .collect();
    PREFERRED_ARRAYS
        .iter()
        .find_map(|name| {
            candidates
                .iter()
                .copied()
                .find(|&i| members[i].name.eq_ignore_ascii_case(name))
        })
        .or(if floats.len() == 1 {
            floats.first().copied()
        } else {
            None
        })
        .or_else(|| candidates.first().copied())
        .ok_or_else(|| {
            let arrays: Vec<String> = members
                .iter()
                .map(|m| format!("{}: {}", m.name, m.header.describe()))
                .collect();
            DataError::NoVectorArray {
                arrays: if arrays.is_empty() {
                    "(none)".to_owned()
                } else {
                    arrays.join(", ")
                },
                path: path.to_path_buf(),
            }
        })
}

/// The 1-D members with one value per row, as columns without the dropped rows; 0-d members
/// go into the report's key/value metadata, anything else is reported as ignored.
fn metadata(
    archive: &mut Archive,
    members: &[Member],
    chosen: usize,
    all_rows: usize,
    vectors: &Vectors,
    report: &mut FileReport,
    path: &Path,
) -> Result<RecordBatch, DataError> {
    let keep = keep_mask(0, vectors.rows_read, &vectors.dropped);
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let shape = member.header.shape.as_slice();
        if i == chosen {
            continue;
        }
        let elements = match shape {
            [] => 1,
            [n] if *n == all_rows => vectors.rows_read,
            _ => {
                let reason = if shape.len() == 1 {
                    format!(
                        "its {} values are not one per row ({all_rows} rows)",
                        shape[0]
                    )
                } else {
                    format!(
                        "shape {} is not one value per row",
                        member.header.describe()
                    )
                };
                report.warnings.push(Warning::IgnoredArray {
                    name: member.name.clone(),
                    reason,
                });
                continue;
            }
        };
        let array = read_values(archive, member, elements, path)?;
        if shape.is_empty() {
            let options = FormatOptions::default();
            if let Ok(text) = ArrayFormatter::try_new(array.as_ref(), &options) {
                report
                    .key_values
                    .insert(member.name.clone(), text.value(0).to_string());
            }
            continue;
        }
        let array = match &keep {
            Some(keep) => filter(array.as_ref(), keep).map_err(|e| DataError::arrow(e, path))?,
            None => array,
        };
        fields.push(Field::new(&member.name, array.data_type().clone(), true));
        columns.push(array);
    }
    let rows = vectors.rows_read - vectors.dropped.len();
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), columns, &options)
        .map_err(|e| DataError::arrow(e, path))
}

/// The first `elements` values of a member as an Arrow array.
fn read_values(
    archive: &mut Archive,
    member: &Member,
    elements: usize,
    path: &Path,
) -> Result<ArrayRef, DataError> {
    let source = member.source(path);
    let size = member.header.dtype.size;
    let needed = member
        .header
        .elements()
        .and_then(|n| n.checked_mul(size))
        .ok_or_else(|| source.error("its shape is too large"))?;
    if needed as u64 > member.data_bytes {
        return Err(source.error(format!(
            "the data is truncated: {} needs {needed} bytes but only {} are there",
            member.header.describe(),
            member.data_bytes
        )));
    }
    let mut entry = archive
        .by_index(member.index)
        .map_err(|e| zip_error(e, path))?;
    read_header(&mut entry).map_err(|reason| source.error(reason))?;
    let mut bytes = Vec::new();
    let len = (elements * size) as u64;
    let read = entry.take(len).read_to_end(&mut bytes);
    match read {
        Ok(n) if n as u64 == len => Ok(member.header.dtype.to_arrow(&bytes)),
        Ok(_) => Err(source.error("the data ends earlier than its header says")),
        Err(e) => Err(source.error(format!("the compressed data is corrupt ({e})"))),
    }
}

/// Zip errors, with an operating-system failure kept apart from a damaged archive.
fn zip_error(error: ZipError, path: &Path) -> DataError {
    match error {
        ZipError::Io(source) if source.kind() != std::io::ErrorKind::UnexpectedEof => {
            DataError::io(source, path)
        }
        source => DataError::Zip {
            source,
            path: path.to_path_buf(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::npy::dtype::Dtype;

    fn member(name: &str, descr: &str, shape: &[usize]) -> Member {
        Member {
            index: 0,
            name: name.to_owned(),
            header: Header {
                dtype: Dtype::parse(descr).expect("dtype"),
                fortran_order: false,
                shape: shape.to_vec(),
                len: 128,
            },
            data_bytes: 0,
        }
    }

    #[test]
    fn chooses_by_name_then_the_only_float_then_the_first() {
        let path = Path::new("a.npz");
        let auto = ReadOptions::default();
        let members = [
            member("labels", "<i8", &[5]),
            member("pixels", "|u1", &[5, 4]),
            member("pca", "<f4", &[5, 2]),
            member("X", "<f8", &[5, 3]),
        ];
        assert_eq!(choose(&members, &auto, path).expect("X"), 3);
        assert_eq!(choose(&members[..3], &auto, path).expect("only float"), 2);
        let two_floats = [member("a", "<f4", &[5, 2]), member("b", "<f4", &[5, 2])];
        assert_eq!(choose(&two_floats, &auto, path).expect("first"), 0);
        let err = choose(&members[..1], &auto, path).expect_err("no 2-D");
        assert!(err.to_string().contains("labels: <i8 (5,)"), "{err}");
        let named = ReadOptions {
            column: Some("labels".to_owned()),
            ..ReadOptions::default()
        };
        let err = choose(&members, &named, path).expect_err("1-D");
        assert!(matches!(err, DataError::NotVectorColumn { .. }), "{err}");
    }
}
