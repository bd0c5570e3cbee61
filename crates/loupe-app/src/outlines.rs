//! A row's footprint as the chip engine wants it: datasets opened through `loupe-ingest` carry
//! their primary geometry as lon/lat WKB (OGC:CRS84) in the column that the `geo` schema
//! metadata names, and [`loupe_imagery::Outline`] takes plain `[lon, lat]` rings.

use arrow_array::Array as _;
use arrow_array::cast::AsArray as _;
use arrow_schema::DataType;
use loupe_core::Dataset;
use loupe_geo::{GEO_METADATA_KEY, GeoMetadata, Geometry, Polygon};
use loupe_imagery::Outline;

/// Where a dataset's geometry is: the index of its primary WKB column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeometryColumn {
    index: usize,
    name: String,
}

impl GeometryColumn {
    /// The dataset's primary geometry column, when its `geo` metadata names a binary column
    /// (what `loupe-ingest` writes). `None` for datasets without geometry.
    pub fn find(dataset: &Dataset) -> Option<Self> {
        let batch = dataset.metadata();
        let schema = batch.schema();
        let geo = schema.metadata().get(GEO_METADATA_KEY)?;
        let name = GeoMetadata::from_json(geo).ok()?.primary_column;
        let index = schema.index_of(&name).ok()?;
        matches!(
            schema.field(index).data_type(),
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView
        )
        .then_some(Self { index, name })
    }

    /// The column's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Row `row`'s outline; the error says, in one line, why there is none.
    pub fn outline(&self, dataset: &Dataset, row: usize) -> Result<Outline, String> {
        let column = dataset.metadata().column(self.index);
        if row >= column.len() {
            return Err(format!("row {row} is out of range"));
        }
        if column.is_null(row) {
            return Err(format!("no geometry (`{}` is empty)", self.name));
        }
        let bytes: &[u8] = match column.data_type() {
            DataType::Binary => column.as_binary::<i32>().value(row),
            DataType::LargeBinary => column.as_binary::<i64>().value(row),
            DataType::BinaryView => column.as_binary_view().value(row),
            other => return Err(format!("geometry column of type {other} is not WKB")),
        };
        let geometry = loupe_geo::parse_wkb(bytes).map_err(|e| format!("geometry: {e}"))?;
        outline_of(&geometry)
    }
}

/// The outline of a geometry: a point stays a point, a polygon keeps its holes, a
/// multipolygon shows its largest part, anything else its bounding box.
pub fn outline_of(geometry: &Geometry) -> Result<Outline, String> {
    let result = match geometry {
        Geometry::Point(c) if c.is_finite() => Outline::point(c.x, c.y),
        Geometry::Polygon(p) => polygon_outline(p),
        Geometry::MultiPolygon(parts) => match parts
            .iter()
            .max_by(|a, b| ring_extent(&a.exterior).total_cmp(&ring_extent(&b.exterior)))
        {
            Some(p) => polygon_outline(p),
            None => return Err("empty geometry".to_owned()),
        },
        other => {
            let b = other.bbox().ok_or_else(|| "empty geometry".to_owned())?;
            if b.max_x - b.min_x <= 0.0 && b.max_y - b.min_y <= 0.0 {
                Outline::point(b.min_x, b.min_y)
            } else {
                Outline::from_rings(&[[
                    [b.min_x, b.min_y],
                    [b.max_x, b.min_y],
                    [b.max_x, b.max_y],
                    [b.min_x, b.max_y],
                ]])
            }
        }
    };
    result.map_err(|e| e.to_string())
}

fn polygon_outline(p: &Polygon) -> Result<Outline, loupe_imagery::ChipError> {
    let rings: Vec<Vec<[f64; 2]>> = std::iter::once(&p.exterior)
        .chain(&p.interiors)
        .map(|ring| ring.iter().map(|c| [c.x, c.y]).collect())
        .collect();
    Outline::from_rings(&rings)
}

/// Area of a ring's bounding box, to pick the main part of a multipolygon.
fn ring_extent(ring: &[loupe_geo::Coord]) -> f64 {
    loupe_geo::BBox::around(ring.iter().copied())
        .map_or(0.0, |b| (b.max_x - b.min_x) * (b.max_y - b.min_y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use loupe_geo::Coord;

    #[test]
    fn geometries_become_outlines() {
        let square = |x: f64| {
            Polygon::from_rings(vec![vec![
                Coord::new(x, 0.0),
                Coord::new(x + 1.0, 0.0),
                Coord::new(x + 1.0, 1.0),
                Coord::new(x, 1.0),
            ]])
        };
        let point = outline_of(&Geometry::Point(Coord::new(10.0, 50.0))).expect("point");
        assert!(point.is_point());
        let poly = outline_of(&Geometry::Polygon(square(0.0))).expect("polygon");
        assert_eq!(poly.rings()[0].len(), 5, "closed");
        let mut big = square(5.0);
        for c in &mut big.exterior {
            c.y *= 2.0;
        }
        let multi = outline_of(&Geometry::MultiPolygon(vec![square(0.0), big])).expect("multi");
        assert!(
            (multi.bbox().min_lon - 5.0).abs() < 1e-12,
            "the larger part"
        );
        let line = outline_of(&Geometry::LineString(vec![
            Coord::new(0.0, 0.0),
            Coord::new(2.0, 1.0),
        ]))
        .expect("bbox");
        assert_eq!(line.rings()[0].len(), 5);
        assert!(outline_of(&Geometry::Point(Coord::new(f64::NAN, f64::NAN))).is_err());
        assert!(outline_of(&Geometry::Point(Coord::new(500.0, 0.0))).is_err());
    }
}
