//! Decoding GeoParquet 1.1 "native" (GeoArrow) geometry columns from Arrow arrays.
//!
//! GeoParquet stores coordinates as a struct of `x`, `y` (optionally `z`, `m`) doubles — the
//! GeoArrow "separated" layout — nested in 0 to 3 list levels depending on the geometry type.
//! Arrow readers and in-memory producers may also hand us the "interleaved" layout, a
//! `fixed_size_list<double>[2..=4]`, so both are accepted. Only the outermost level may be
//! null (GeoParquet 1.1 "Native encodings"); inner nulls are read as whatever values sit
//! underneath, which is what the spec's "MUST NOT be any null values" leaves undefined anyway.

use std::fmt;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, OffsetSizeTrait};

use crate::geometry::{Coord, Geometry, Polygon};

/// The six single-type GeoArrow layouts GeoParquet 1.1 allows as an `encoding`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NativeEncoding {
    /// `struct<x, y>`: one coordinate per row.
    Point,
    /// `list<point>`.
    LineString,
    /// `list<list<point>>`: rings, exterior first.
    Polygon,
    /// `list<point>`.
    MultiPoint,
    /// `list<list<point>>`.
    MultiLineString,
    /// `list<list<list<point>>>`.
    MultiPolygon,
}

impl NativeEncoding {
    /// The `encoding` string GeoParquet uses for this layout.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Point => "point",
            Self::LineString => "linestring",
            Self::Polygon => "polygon",
            Self::MultiPoint => "multipoint",
            Self::MultiLineString => "multilinestring",
            Self::MultiPolygon => "multipolygon",
        }
    }

    /// How many list levels wrap the coordinates.
    fn depth(self) -> usize {
        match self {
            Self::Point => 0,
            Self::LineString | Self::MultiPoint => 1,
            Self::Polygon | Self::MultiLineString => 2,
            Self::MultiPolygon => 3,
        }
    }
}

impl fmt::Display for NativeEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a GeoArrow array could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeoArrowError {
    /// The Arrow type does not match the layout the encoding promises.
    #[error("a {encoding} column needs {expected} at nesting level {level}, found {found}")]
    WrongType {
        /// The declared encoding.
        encoding: NativeEncoding,
        /// 0 for the column itself, 1 for its list items, and so on.
        level: usize,
        /// What the layout needs there.
        expected: &'static str,
        /// The Arrow data type found, as text.
        found: String,
    },
    /// List offsets point outside their child array (only possible with unvalidated data).
    #[error("row {row}: list offsets point outside the coordinate data")]
    OffsetsOutOfRange {
        /// The row being decoded.
        row: usize,
    },
}

/// Decodes every row of a GeoArrow array; null rows become `None`.
pub fn decode_native(
    array: &dyn Array,
    encoding: NativeEncoding,
) -> Result<Vec<Option<Geometry>>, GeoArrowError> {
    // Peel the list levels, outermost first, keeping each level's offsets.
    let mut levels: Vec<Vec<usize>> = Vec::with_capacity(encoding.depth());
    let mut child: Option<ArrayRef> = None;
    for level in 0..encoding.depth() {
        let inner: &dyn Array = child.as_deref().unwrap_or(array);
        let (offsets, next) = list_level(inner).ok_or_else(|| GeoArrowError::WrongType {
            encoding,
            level,
            expected: "a list or large_list",
            found: inner.data_type().to_string(),
        })?;
        levels.push(offsets);
        child = Some(next);
    }
    let inner: &dyn Array = child.as_deref().unwrap_or(array);
    let coords = CoordView::new(inner).ok_or_else(|| GeoArrowError::WrongType {
        encoding,
        level: encoding.depth(),
        expected: "struct<x: double, y: double> or fixed_size_list<double>[2..=4]",
        found: inner.data_type().to_string(),
    })?;

    (0..array.len())
        .map(|row| {
            if array.is_null(row) {
                return Ok(None);
            }
            decode_row(&coords, &levels, encoding, row)
                .map(Some)
                .ok_or(GeoArrowError::OffsetsOutOfRange { row })
        })
        .collect()
}

/// One non-null row; `None` when its offsets lead outside the data.
fn decode_row(
    coords: &CoordView<'_>,
    levels: &[Vec<usize>],
    encoding: NativeEncoding,
    row: usize,
) -> Option<Geometry> {
    Some(match encoding {
        NativeEncoding::Point => Geometry::Point(coords.get(row)?),
        NativeEncoding::LineString => Geometry::LineString(coords.run(span(&levels[0], row)?)?),
        NativeEncoding::MultiPoint => Geometry::MultiPoint(coords.run(span(&levels[0], row)?)?),
        NativeEncoding::Polygon => Geometry::Polygon(Polygon::from_rings(rings(
            coords,
            &levels[1..],
            &levels[0],
            row,
        )?)),
        NativeEncoding::MultiLineString => {
            Geometry::MultiLineString(rings(coords, &levels[1..], &levels[0], row)?)
        }
        NativeEncoding::MultiPolygon => Geometry::MultiPolygon(
            span(&levels[0], row)?
                .map(|part| rings(coords, &levels[2..], &levels[1], part).map(Polygon::from_rings))
                .collect::<Option<Vec<_>>>()?,
        ),
    })
}

/// The coordinate runs of item `index` of a two-level structure: `outer` gives the runs'
/// indices, `inner[0]` the coordinate spans of each run.
fn rings(
    coords: &CoordView<'_>,
    inner: &[Vec<usize>],
    outer: &[usize],
    index: usize,
) -> Option<Vec<Vec<Coord>>> {
    let offsets = inner.first()?;
    span(outer, index)?
        .map(|ring| coords.run(span(offsets, ring)?))
        .collect()
}

/// The half-open child range of list item `i`.
fn span(offsets: &[usize], i: usize) -> Option<std::ops::Range<usize>> {
    let start = *offsets.get(i)?;
    let end = *offsets.get(i + 1)?;
    (start <= end).then_some(start..end)
}

/// One list level: its offsets as `usize` (length + 1 entries) and its child array.
fn list_level(array: &dyn Array) -> Option<(Vec<usize>, ArrayRef)> {
    fn widen<O: OffsetSizeTrait>(
        list: &arrow_array::GenericListArray<O>,
    ) -> (Vec<usize>, ArrayRef) {
        let offsets = list.value_offsets().iter().map(|o| o.as_usize()).collect();
        (offsets, list.values().clone())
    }
    if let Some(list) = array.as_list_opt::<i32>() {
        Some(widen(list))
    } else {
        array.as_list_opt::<i64>().map(widen)
    }
}

/// Random access to the x and y of a coordinate array in either GeoArrow layout.
struct CoordView<'a> {
    xs: &'a [f64],
    ys: &'a [f64],
    /// Values per coordinate in `xs`/`ys` (1 when separated, the list size when interleaved).
    stride: usize,
    /// Index of y within a coordinate (0 when separated, 1 when interleaved).
    y_shift: usize,
    len: usize,
}

impl<'a> CoordView<'a> {
    fn new(array: &'a dyn Array) -> Option<Self> {
        if let Some(s) = array.as_struct_opt() {
            let x = s.column_by_name("x")?.as_primitive_opt::<Float64Type>()?;
            let y = s.column_by_name("y")?.as_primitive_opt::<Float64Type>()?;
            return Some(Self {
                xs: x.values(),
                ys: y.values(),
                stride: 1,
                y_shift: 0,
                len: s.len(),
            });
        }
        let list = array.as_fixed_size_list_opt()?;
        let size = usize::try_from(list.value_length()).ok()?;
        if !(2..=4).contains(&size) {
            return None;
        }
        let values = list.values().as_primitive_opt::<Float64Type>()?.values();
        Some(Self {
            xs: values,
            ys: values,
            stride: size,
            y_shift: 1,
            len: list.len(),
        })
    }

    fn get(&self, i: usize) -> Option<Coord> {
        if i >= self.len {
            return None;
        }
        let x = *self.xs.get(i * self.stride)?;
        let y = *self.ys.get(i * self.stride + self.y_shift)?;
        Some(Coord::new(x, y))
    }

    fn run(&self, range: std::ops::Range<usize>) -> Option<Vec<Coord>> {
        range.map(|i| self.get(i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::builder::{Float64Builder, ListBuilder, StructBuilder};
    use arrow_array::{FixedSizeListArray, Float64Array, ListArray, StructArray};
    use arrow_schema::{DataType, Field, Fields};

    use super::*;

    fn xy_fields() -> Fields {
        Fields::from(vec![
            Field::new("x", DataType::Float64, false),
            Field::new("y", DataType::Float64, false),
        ])
    }

    fn point_struct(points: &[(f64, f64)], valid: Option<Vec<bool>>) -> StructArray {
        let xs = Float64Array::from(points.iter().map(|p| p.0).collect::<Vec<_>>());
        let ys = Float64Array::from(points.iter().map(|p| p.1).collect::<Vec<_>>());
        StructArray::new(
            xy_fields(),
            vec![Arc::new(xs), Arc::new(ys)],
            valid.map(Into::into),
        )
    }

    #[test]
    fn separated_points_with_a_null() {
        let arr = point_struct(
            &[(1.0, 2.0), (0.0, 0.0), (-3.0, 4.5)],
            Some(vec![true, false, true]),
        );
        let out = decode_native(&arr, NativeEncoding::Point).unwrap();
        assert_eq!(
            out,
            vec![
                Some(Geometry::Point(Coord::new(1.0, 2.0))),
                None,
                Some(Geometry::Point(Coord::new(-3.0, 4.5))),
            ]
        );
        // Slicing keeps rows aligned.
        let sliced = arr.slice(2, 1);
        let out = decode_native(&sliced, NativeEncoding::Point).unwrap();
        assert_eq!(out, vec![Some(Geometry::Point(Coord::new(-3.0, 4.5)))]);
    }

    #[test]
    fn interleaved_points_xyz() {
        let values = Float64Array::from(vec![1.0, 2.0, 100.0, 3.0, 4.0, 200.0]);
        let field = Arc::new(Field::new("xyz", DataType::Float64, false));
        let arr = FixedSizeListArray::new(field, 3, Arc::new(values), None);
        let out = decode_native(&arr, NativeEncoding::Point).unwrap();
        assert_eq!(out[1], Some(Geometry::Point(Coord::new(3.0, 4.0))));
    }

    /// Builds a `list<list<struct<x, y>>>` polygon column: rows of rings of points.
    /// Rings of (x, y) pairs, exterior first.
    type Rings = Vec<Vec<(f64, f64)>>;

    fn polygon_column(rows: &[Option<Rings>]) -> ListArray {
        let point = StructBuilder::new(
            xy_fields(),
            vec![
                Box::new(Float64Builder::new()),
                Box::new(Float64Builder::new()),
            ],
        );
        let mut b = ListBuilder::new(ListBuilder::new(point));
        for row in rows {
            match row {
                None => b.append(false),
                Some(rings) => {
                    for ring in rings {
                        let pts = b.values().values();
                        for &(x, y) in ring {
                            pts.field_builder::<Float64Builder>(0)
                                .unwrap()
                                .append_value(x);
                            pts.field_builder::<Float64Builder>(1)
                                .unwrap()
                                .append_value(y);
                            pts.append(true);
                        }
                        b.values().append(true);
                    }
                    b.append(true);
                }
            }
        }
        b.finish()
    }

    #[test]
    fn polygons_with_holes_and_nulls() {
        let outer = vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)];
        let hole = vec![(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 1.0)];
        let arr = polygon_column(&[Some(vec![outer.clone(), hole]), None, Some(vec![outer])]);
        let out = decode_native(&arr, NativeEncoding::Polygon).unwrap();
        let Some(Geometry::Polygon(p)) = &out[0] else {
            panic!("{out:?}")
        };
        assert_eq!(p.exterior.len(), 5);
        assert_eq!(p.interiors.len(), 1);
        assert_eq!(p.interiors[0][1], Coord::new(2.0, 1.0));
        assert!(out[1].is_none());
        assert_eq!(
            out[2].as_ref().unwrap().representative_point(),
            Some(Coord::new(2.0, 2.0))
        );
        // The same array read as multilinestring gives the rings as lines.
        let lines = decode_native(&arr, NativeEncoding::MultiLineString).unwrap();
        assert!(matches!(&lines[0], Some(Geometry::MultiLineString(l)) if l.len() == 2));
    }

    #[test]
    fn multipolygons() {
        let point = StructBuilder::new(
            xy_fields(),
            vec![
                Box::new(Float64Builder::new()),
                Box::new(Float64Builder::new()),
            ],
        );
        let mut b = ListBuilder::new(ListBuilder::new(ListBuilder::new(point)));
        // One row holding two triangles.
        for x0 in [0.0, 5.0] {
            let ring = b.values().values();
            for (x, y) in [(x0, 0.0), (x0 + 1.0, 0.0), (x0, 1.0), (x0, 0.0)] {
                let pts = ring.values();
                pts.field_builder::<Float64Builder>(0)
                    .unwrap()
                    .append_value(x);
                pts.field_builder::<Float64Builder>(1)
                    .unwrap()
                    .append_value(y);
                pts.append(true);
            }
            ring.append(true);
            b.values().append(true);
        }
        b.append(true);
        let multi = b.finish();
        let out = decode_native(&multi, NativeEncoding::MultiPolygon).unwrap();
        let Some(Geometry::MultiPolygon(ps)) = &out[0] else {
            panic!("{out:?}")
        };
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[1].exterior[0], Coord::new(5.0, 0.0));
        assert_eq!(ps[1].exterior.len(), 4);
    }

    #[test]
    fn wrong_layout_is_a_typed_error() {
        let arr = Float64Array::from(vec![1.0, 2.0]);
        let err = decode_native(&arr, NativeEncoding::Polygon).unwrap_err();
        assert!(
            matches!(err, GeoArrowError::WrongType { level: 0, .. }),
            "{err}"
        );
        let pts = point_struct(&[(1.0, 2.0)], None);
        let err = decode_native(&pts, NativeEncoding::LineString).unwrap_err();
        assert!(err.to_string().contains("linestring"), "{err}");
    }
}
