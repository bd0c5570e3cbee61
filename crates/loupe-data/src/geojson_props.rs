//! One GeoJSON `properties` member per column, written the way the JSON tools reading the
//! file expect each Arrow type:
//!
//! * integers and floats as JSON numbers; NaN and ±∞, which JSON lacks, as `null`;
//! * booleans as `true`/`false`;
//! * text as strings, and so are dates, times and timestamps (ISO 8601, Arrow's display
//!   form: `2022-06-10`, `2022-06-10T12:00:00`), decimals (exact digits), dictionaries,
//!   nested values (`[0.1, 0.2]`) and binary (hex) — Arrow's display text of the value;
//! * a secondary WKB geometry column as WKT, like the CSV export;
//! * nulls as `null`.

#![allow(
    clippy::doc_markdown,
    reason = "GeoJSON and GeoParquet are names, not code identifiers"
)]

use std::fmt::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float16Type, Float32Type, Float64Type};
use arrow_array::{Array, PrimitiveArray, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{ArrowError, DataType};
use loupe_geo::parse_wkb;

use crate::geojson_text::{push_f32, push_f64, push_string};
use crate::write_geojson::property_key;
use crate::write_wkt::write_geometry;

/// Arrow's display options: nulls never reach the formatter, so their text does not matter.
const FORMAT: FormatOptions<'static> = FormatOptions::new();

/// One column of a chunk, ready to write any of its rows.
pub(crate) struct Property<'a> {
    /// `"name":`, escaped.
    key: String,
    /// Whether a row is null, by the column's logical nulls (so a dictionary's null values
    /// count too).
    is_null: Box<dyn Fn(usize) -> bool + 'a>,
    cell: Cell<'a>,
}

/// How one column's values are written.
enum Cell<'a> {
    /// A column of type null.
    Null,
    F16(&'a PrimitiveArray<Float16Type>),
    F32(&'a PrimitiveArray<Float32Type>),
    F64(&'a PrimitiveArray<Float64Type>),
    /// Integers and booleans, whose display text is already JSON.
    Raw(ArrayFormatter<'a>),
    /// Everything else, as a JSON string of the display text.
    Text(ArrayFormatter<'a>),
    /// WKB as WKT, falling back on the display text (hex) for a value that does not decode.
    Wkt(&'a dyn Array, ArrayFormatter<'a>),
}

impl<'a> Property<'a> {
    /// Column `index` of `chunk`; `wkt` when it is a WKB geometry column other than the
    /// features' own.
    pub(crate) fn new(chunk: &'a RecordBatch, index: usize, wkt: bool) -> Result<Self, ArrowError> {
        let array = chunk.column(index).as_ref();
        let name = chunk.schema_ref().field(index).name();
        let cell = match array.data_type() {
            DataType::Null => Cell::Null,
            DataType::Float16 => Cell::F16(array.as_primitive()),
            DataType::Float32 => Cell::F32(array.as_primitive()),
            DataType::Float64 => Cell::F64(array.as_primitive()),
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Boolean => Cell::Raw(ArrayFormatter::try_new(array, &FORMAT)?),
            _ if wkt => Cell::Wkt(array, ArrayFormatter::try_new(array, &FORMAT)?),
            _ => Cell::Text(ArrayFormatter::try_new(array, &FORMAT)?),
        };
        let nulls = array.logical_nulls();
        Ok(Self {
            key: property_key(name),
            is_null: Box::new(move |row| nulls.as_ref().is_some_and(|n| n.is_null(row))),
            cell,
        })
    }

    /// Appends `"name":value` for `row`; `scratch` is reused for display text.
    pub(crate) fn push(&self, out: &mut String, row: usize, scratch: &mut String) {
        out.push_str(&self.key);
        if (self.is_null)(row) {
            out.push_str("null");
            return;
        }
        match &self.cell {
            Cell::Null => out.push_str("null"),
            Cell::F16(a) => push_f32(out, a.value(row).to_f32()),
            Cell::F32(a) => push_f32(out, a.value(row)),
            Cell::F64(a) => push_f64(out, a.value(row)),
            Cell::Raw(f) => {
                // Integer and boolean display cannot fail.
                let _ = write!(out, "{}", f.value(row));
            }
            Cell::Text(f) => text(out, scratch, f, row),
            Cell::Wkt(array, f) => match wkb_at(*array, row).map(parse_wkb) {
                Some(Ok(geometry)) => {
                    scratch.clear();
                    write_geometry(scratch, &geometry);
                    push_string(out, scratch);
                }
                _ => text(out, scratch, f, row),
            },
        }
    }
}

/// The display text of `row` as a JSON string; a value Arrow cannot display (a timestamp out
/// of range) is written as far as it got.
fn text(out: &mut String, scratch: &mut String, formatter: &ArrayFormatter<'_>, row: usize) {
    scratch.clear();
    let _ = write!(scratch, "{}", formatter.value(row));
    push_string(out, scratch);
}

/// The bytes of a binary column's value.
fn wkb_at(array: &dyn Array, row: usize) -> Option<&[u8]> {
    match array.data_type() {
        DataType::Binary => Some(array.as_binary::<i32>().value(row)),
        DataType::LargeBinary => Some(array.as_binary::<i64>().value(row)),
        DataType::BinaryView => Some(array.as_binary_view().value(row)),
        _ => None,
    }
}
