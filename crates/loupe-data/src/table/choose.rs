//! Which column(s) of a table hold the vectors — the rule shared by Parquet, Arrow IPC and CSV.
//!
//! Asked for by name: [`ReadOptions::column`] (a list-of-floats or JSON-text column) or
//! [`ReadOptions::vector_columns`] (numeric columns of a wide table). Otherwise, first match
//! wins:
//!
//! 1. a `list`, `large_list` or `fixed_size_list` of `float16/32/64`: the only one, or among
//!    several the first named like [`PREFERRED_COLUMNS`], or else the first;
//! 2. a text column whose first value is a JSON array of numbers (`"[0.1, 0.2]"`, as
//!    `df.to_csv` writes list columns), preferring the same names;
//! 3. the largest run of numeric columns named one stem plus a number (`pixel1 … pixel784`,
//!    `emb_0 … emb_383`, pandas' `0 … 767`), ties going to the first; a `label` or `id`
//!    column has no numbered siblings so it stays metadata;
//! 4. every floating-point column, when there are at least two (`sepal_length, …`); integer
//!    columns such as labels and ids stay metadata. Not in layouts Loupe wrote itself, whose
//!    float columns `x` and `y` are coordinates.

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};

use crate::DataError;
use crate::describe::{column_names, describe_columns, type_name};
use crate::options::{ReadOptions, VectorColumns};
use crate::table::json_array::{Cell, parse_array};

/// Vector column names that win when a file has several candidates, best first.
pub(crate) const PREFERRED_COLUMNS: [&str; 6] = [
    "embeddings",
    "embedding",
    "vector",
    "vectors",
    "features",
    "emb",
];

/// Where a table's vectors are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VectorSource {
    /// A list of floats per row.
    List(usize),
    /// A JSON array of numbers per row, as text.
    Text(usize),
    /// One number per column, these columns in this order.
    Wide(Vec<usize>),
}

impl VectorSource {
    /// The columns the vectors come from; every other column is metadata.
    pub(crate) fn indices(&self) -> &[usize] {
        match self {
            Self::List(i) | Self::Text(i) => std::slice::from_ref(i),
            Self::Wide(indices) => indices,
        }
    }

    /// A name for the vectors: the column's, or `first..last` for a wide table.
    pub(crate) fn label(&self, schema: &Schema) -> String {
        let name = |i: usize| schema.field(i).name().clone();
        match self.indices() {
            [only] => name(*only),
            [first, .., last] => format!("{}..{}", name(*first), name(*last)),
            [] => String::new(),
        }
    }
}

/// Chooses the vector column(s) of `schema`; `peek` (the first rows) tells JSON text apart.
pub(crate) fn choose_vectors(
    schema: &Schema,
    peek: Option<&RecordBatch>,
    options: &ReadOptions,
    path: &std::path::Path,
) -> Result<VectorSource, DataError> {
    let missing = |column: String| DataError::MissingColumn {
        column,
        columns: column_names(schema),
        path: path.to_path_buf(),
    };
    let not_vector = |index: usize| DataError::NotVectorColumn {
        column: schema.field(index).name().clone(),
        data_type: type_name(schema.field(index).data_type()),
        path: path.to_path_buf(),
    };
    match (&options.column, &options.vector_columns) {
        (Some(_), Some(_)) => Err(DataError::ConflictingOptions {
            path: path.to_path_buf(),
        }),
        (Some(wanted), None) => {
            let index = schema
                .index_of(wanted)
                .map_err(|_| missing(wanted.clone()))?;
            let data_type = schema.field(index).data_type();
            if is_float_list(data_type) {
                Ok(VectorSource::List(index))
            } else if is_text(data_type)
                && peek.and_then(|b| json_array_in(b, index)) != Some(false)
            {
                Ok(VectorSource::Text(index))
            } else {
                Err(not_vector(index))
            }
        }
        (None, Some(VectorColumns::Prefix(prefix))) => {
            let indices: Vec<usize> = numeric_columns(schema)
                .filter(|&i| numbered_stem(schema.field(i).name()) == Some(prefix.as_str()))
                .collect();
            if indices.is_empty() {
                return Err(missing(format!("{prefix}<number>")));
            }
            Ok(VectorSource::Wide(indices))
        }
        (None, Some(VectorColumns::Names(names))) => {
            if names.is_empty() {
                return Err(missing("(no names given)".to_owned()));
            }
            let mut indices = Vec::with_capacity(names.len());
            for name in names {
                let index = schema.index_of(name).map_err(|_| missing(name.clone()))?;
                if !is_numeric(schema.field(index).data_type()) {
                    return Err(not_vector(index));
                }
                indices.push(index);
            }
            Ok(VectorSource::Wide(indices))
        }
        (None, None) => guess(schema, peek).ok_or_else(|| DataError::NoVectorColumn {
            columns: describe_columns(schema),
            path: path.to_path_buf(),
        }),
    }
}

/// The automatic rule, in the order the module documentation gives.
fn guess(schema: &Schema, peek: Option<&RecordBatch>) -> Option<VectorSource> {
    let lists: Vec<usize> = (0..schema.fields().len())
        .filter(|&i| is_float_list(schema.field(i).data_type()))
        .collect();
    if let Some(index) = preferred(schema, &lists) {
        return Some(VectorSource::List(index));
    }
    let texts: Vec<usize> = peek.map_or_else(Vec::new, |batch| {
        (0..schema.fields().len())
            .filter(|&i| {
                is_text(schema.field(i).data_type()) && json_array_in(batch, i) == Some(true)
            })
            .collect()
    });
    if let Some(index) = preferred(schema, &texts) {
        return Some(VectorSource::Text(index));
    }
    if let Some(run) = longest_numbered_run(schema) {
        return Some(VectorSource::Wide(run));
    }
    if schema
        .metadata()
        .contains_key(crate::write_layout::LAYOUT_KEY)
    {
        // A layout written by Loupe: its float columns are coordinates, not an embedding.
        return None;
    }
    let floats: Vec<usize> = numeric_columns(schema)
        .filter(|&i| schema.field(i).data_type().is_floating())
        .collect();
    (floats.len() >= 2).then_some(VectorSource::Wide(floats))
}

/// Among `candidates`, the first with a conventional vector name, or else the first.
fn preferred(schema: &Schema, candidates: &[usize]) -> Option<usize> {
    PREFERRED_COLUMNS
        .iter()
        .find_map(|name| {
            candidates
                .iter()
                .find(|&&i| schema.field(i).name().eq_ignore_ascii_case(name))
        })
        .or_else(|| candidates.first())
        .copied()
}

/// The numeric columns sharing the most common stem (name less a numeric suffix), when at
/// least two do.
fn longest_numbered_run(schema: &Schema) -> Option<Vec<usize>> {
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for index in numeric_columns(schema) {
        let Some(stem) = numbered_stem(schema.field(index).name()) else {
            continue;
        };
        match groups.iter_mut().find(|(s, _)| *s == stem) {
            Some((_, members)) => members.push(index),
            None => groups.push((stem, vec![index])),
        }
    }
    // `max_by_key` keeps the last of equals; scanning in reverse makes ties go to the first.
    groups
        .into_iter()
        .rev()
        .max_by_key(|(_, members)| members.len())
        .map(|(_, members)| members)
        .filter(|members| members.len() >= 2)
}

/// `pixel12` → `pixel`, `emb_0` → `emb_`, `7` → the empty stem; `None` without a numeric
/// suffix.
fn numbered_stem(name: &str) -> Option<&str> {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    (stem.len() < name.len()).then_some(stem)
}

fn numeric_columns(schema: &Schema) -> impl Iterator<Item = usize> + '_ {
    (0..schema.fields().len()).filter(|&i| is_numeric(schema.field(i).data_type()))
}

/// Whether the first non-null value of a text column parses as a JSON array of numbers;
/// `None` when the batch has no such value to look at.
fn json_array_in(batch: &RecordBatch, index: usize) -> Option<bool> {
    let column = batch.columns().get(index)?;
    let first = match column.data_type() {
        DataType::Utf8 => column.as_string::<i32>().iter().flatten().next(),
        DataType::LargeUtf8 => column.as_string::<i64>().iter().flatten().next(),
        DataType::Utf8View => column.as_string_view().iter().flatten().next(),
        _ => None,
    };
    let mut scratch = Vec::new();
    first.map(|text| parse_array(text, &mut scratch) == Cell::Values)
}

/// Whether a column can hold the vectors on its own: a list of any float width.
pub(crate) fn is_float_list(data_type: &DataType) -> bool {
    match data_type {
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            item.data_type().is_floating()
        }
        _ => false,
    }
}

fn is_text(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

/// Integers and floats: what one value of a wide vector may be.
fn is_numeric(data_type: &DataType) -> bool {
    data_type.is_integer() || data_type.is_floating()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::Field;
    use std::path::Path;

    fn schema(fields: &[(&str, DataType)]) -> Schema {
        Schema::new(
            fields
                .iter()
                .map(|(n, t)| Field::new(*n, t.clone(), true))
                .collect::<Vec<_>>(),
        )
    }

    fn auto(s: &Schema) -> Result<VectorSource, DataError> {
        choose_vectors(s, None, &ReadOptions::default(), Path::new("f.parquet"))
    }

    #[test]
    fn prefers_conventional_names_then_the_first() {
        let floats = DataType::new_list(DataType::Float32, true);
        let s = schema(&[
            ("id", DataType::Utf8),
            ("pca", floats.clone()),
            ("Embedding", floats.clone()),
        ]);
        assert_eq!(auto(&s).expect("found"), VectorSource::List(2));
        let options = ReadOptions {
            column: Some("pca".to_owned()),
            ..ReadOptions::default()
        };
        let chosen = choose_vectors(&s, None, &options, Path::new("f")).expect("found");
        assert_eq!(chosen, VectorSource::List(1));
        let s = schema(&[("a", floats.clone()), ("b", floats)]);
        assert_eq!(auto(&s).expect("found"), VectorSource::List(0));
    }

    #[test]
    fn wide_tables_take_the_longest_numbered_run() {
        let mut fields = vec![("label", DataType::Int64), ("id2", DataType::Int64)];
        let names: Vec<String> = (1..=4).map(|i| format!("pixel{i}")).collect();
        fields.extend(names.iter().map(|n| (n.as_str(), DataType::UInt8)));
        fields.push(("x1", DataType::Float64));
        let s = schema(&fields);
        assert_eq!(
            auto(&s).expect("wide"),
            VectorSource::Wide(vec![2, 3, 4, 5])
        );
        assert_eq!(auto(&s).expect("wide").label(&s), "pixel1..pixel4");
        let s = schema(&[
            ("species", DataType::Utf8),
            ("sepal_length", DataType::Float64),
            ("count", DataType::Int64),
            ("petal_width", DataType::Float32),
        ]);
        assert_eq!(auto(&s).expect("floats"), VectorSource::Wide(vec![1, 3]));
    }

    #[test]
    fn named_wide_columns() {
        let s = schema(&[
            ("f1", DataType::Float32),
            ("name", DataType::Utf8),
            ("f2", DataType::Float32),
            ("f10", DataType::Int32),
            ("fx", DataType::Float32),
        ]);
        let options = ReadOptions {
            vector_columns: Some(VectorColumns::Prefix("f".to_owned())),
            ..ReadOptions::default()
        };
        let chosen = choose_vectors(&s, None, &options, Path::new("f")).expect("prefix");
        assert_eq!(chosen, VectorSource::Wide(vec![0, 2, 3]));
        let options = ReadOptions {
            vector_columns: Some(VectorColumns::Names(vec!["f2".into(), "name".into()])),
            ..ReadOptions::default()
        };
        let err = choose_vectors(&s, None, &options, Path::new("f")).expect_err("text");
        assert!(matches!(err, DataError::NotVectorColumn { .. }), "{err}");
        let options = ReadOptions {
            column: Some("f1".to_owned()),
            vector_columns: Some(VectorColumns::Prefix("f".to_owned())),
            ..ReadOptions::default()
        };
        let err = choose_vectors(&s, None, &options, Path::new("f")).expect_err("both");
        assert!(matches!(err, DataError::ConflictingOptions { .. }), "{err}");
    }

    #[test]
    fn explains_missing_and_unusable_columns() {
        let s = schema(&[("id", DataType::Int64), ("geometry", DataType::Binary)]);
        let err = auto(&s).expect_err("none");
        assert!(
            err.to_string().contains("id: int64, geometry: binary"),
            "{err}"
        );
        let options = |column: &str| ReadOptions {
            column: Some(column.to_owned()),
            ..ReadOptions::default()
        };
        let err = choose_vectors(&s, None, &options("vec"), Path::new("f")).expect_err("missing");
        assert!(err.to_string().contains("id, geometry"), "{err}");
        let err = choose_vectors(&s, None, &options("id"), Path::new("f")).expect_err("int");
        assert!(err.to_string().contains("int64"), "{err}");
    }

    #[test]
    fn stems() {
        assert_eq!(numbered_stem("pixel12"), Some("pixel"));
        assert_eq!(numbered_stem("emb_0"), Some("emb_"));
        assert_eq!(numbered_stem("7"), Some(""));
        assert_eq!(numbered_stem("label"), None);
    }
}
