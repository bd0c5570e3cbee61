//! Decoding a whole Arrow geometry column, whichever encoding it uses, into one
//! `Option<Geometry>` per row so rows stay aligned with the embeddings.

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_schema::DataType;

use crate::geoarrow::{GeoArrowError, decode_native};
use crate::geometry::Geometry;
use crate::metadata::Encoding;
use crate::wkb::{WkbError, parse_wkb};

/// Why a geometry column could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    /// One row's WKB is broken; `row` counts from the start of the data passed in.
    #[error("row {row}: {source}")]
    Wkb {
        /// The row (0-based).
        row: usize,
        /// What was wrong with its bytes.
        source: WkbError,
    },
    /// A WKB column whose Arrow type holds no bytes.
    #[error("a WKB column must be binary, large_binary or binary_view, found {data_type}")]
    NotBinary {
        /// The Arrow type found, as text.
        data_type: String,
    },
    /// A native-encoded column with the wrong layout or bad offsets.
    #[error(transparent)]
    GeoArrow {
        /// The decoder's complaint (it names the row where one is at fault).
        #[from]
        source: GeoArrowError,
    },
}

impl ColumnError {
    /// Shifts the row numbers in the error by `start`, for data read in several batches.
    #[must_use]
    pub fn offset_rows(self, start: usize) -> Self {
        match self {
            Self::Wkb { row, source } => Self::Wkb {
                row: row + start,
                source,
            },
            Self::GeoArrow {
                source: GeoArrowError::OffsetsOutOfRange { row },
            } => Self::GeoArrow {
                source: GeoArrowError::OffsetsOutOfRange { row: row + start },
            },
            other => other,
        }
    }
}

/// Decodes every row of `array` with the given `encoding`; null rows become `None`.
///
/// WKB may sit in a `Binary`, `LargeBinary` or `BinaryView` array (Arrow readers choose);
/// native encodings go to the GeoArrow decoder. The first broken row stops decoding with an
/// error naming it: a file with corrupt geometry is reported, not partly shown.
pub fn decode_column(
    array: &dyn Array,
    encoding: Encoding,
) -> Result<Vec<Option<Geometry>>, ColumnError> {
    match encoding {
        Encoding::Native(native) => Ok(decode_native(array, native)?),
        Encoding::Wkb => match array.data_type() {
            DataType::Binary => decode_wkb_rows(array.as_binary::<i32>().iter()),
            DataType::LargeBinary => decode_wkb_rows(array.as_binary::<i64>().iter()),
            DataType::BinaryView => decode_wkb_rows(array.as_binary_view().iter()),
            other => Err(ColumnError::NotBinary {
                data_type: other.to_string(),
            }),
        },
    }
}

fn decode_wkb_rows<'a>(
    rows: impl Iterator<Item = Option<&'a [u8]>>,
) -> Result<Vec<Option<Geometry>>, ColumnError> {
    rows.enumerate()
        .map(|(row, bytes)| {
            bytes
                .map(parse_wkb)
                .transpose()
                .map_err(|source| ColumnError::Wkb { row, source })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use arrow_array::{BinaryArray, BinaryViewArray, Float64Array, LargeBinaryArray};

    use super::*;
    use crate::geometry::Coord;

    fn point(x: f64, y: f64) -> Vec<u8> {
        let mut b = vec![1, 1, 0, 0, 0];
        b.extend_from_slice(&x.to_le_bytes());
        b.extend_from_slice(&y.to_le_bytes());
        b
    }

    #[test]
    fn all_binary_flavours_with_nulls() {
        let p = point(1.0, 2.0);
        let rows = vec![Some(p.as_slice()), None];
        let want = vec![Some(Geometry::Point(Coord::new(1.0, 2.0))), None];
        let binary = BinaryArray::from(rows.clone());
        let large = LargeBinaryArray::from(rows.clone());
        let view = BinaryViewArray::from(rows);
        for array in [&binary as &dyn Array, &large, &view] {
            assert_eq!(decode_column(array, Encoding::Wkb).unwrap(), want);
        }
    }

    #[test]
    fn a_broken_row_is_named() {
        let good = point(1.0, 2.0);
        let bad = &good[..10];
        let array = BinaryArray::from(vec![Some(good.as_slice()), None, Some(bad)]);
        let err = decode_column(&array, Encoding::Wkb).unwrap_err();
        assert!(matches!(err, ColumnError::Wkb { row: 2, .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with("row 2: WKB truncated at byte 5"),
            "{err}"
        );
        assert!(err.offset_rows(100).to_string().starts_with("row 102"));
    }

    #[test]
    fn wkb_needs_bytes() {
        let array = Float64Array::from(vec![1.0]);
        let err = decode_column(&array, Encoding::Wkb).unwrap_err();
        assert!(matches!(err, ColumnError::NotBinary { .. }), "{err}");
    }
}
