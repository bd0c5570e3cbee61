//! `loupe select`: the rows of a finished layout inside a polygon or a box, written with all
//! their columns, so a region found by eye in the app can be exported from a script.
//!
//! The shapes are the app's own selection tools (`loupe_core::Lasso`, even-odd rule, and
//! `loupe_core::select_box`), so a polygon copied from the app selects the same rows here.

#![allow(
    clippy::doc_markdown,
    reason = "GeoJSON and GeoParquet are names, not code identifiers"
)]

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use arrow_array::{ArrayRef, RecordBatch};
use loupe_core::{Dataset, Lasso, Selection, select_box};

use crate::cli::SelectArgs;

/// The file types a selection can be written as, by the output's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// (Geo)Parquet.
    Parquet,
    /// CSV, geometry as WKT.
    Csv,
    /// GeoJSON `FeatureCollection`.
    GeoJson,
}

impl OutputFormat {
    /// The format an output name asks for; `None` for an extension Loupe does not write.
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "parquet" | "pq" | "gpq" | "geoparquet" => Some(Self::Parquet),
            "csv" => Some(Self::Csv),
            "geojson" | "json" => Some(Self::GeoJson),
            _ => None,
        }
    }

    /// Writes `metadata` (one row per position, or no columns), `xy` and `extra` to `path`.
    pub fn write(
        self,
        path: &Path,
        metadata: &RecordBatch,
        xy: &[f32],
        extra: &[(&str, ArrayRef)],
    ) -> Result<(), loupe_data::DataError> {
        match self {
            Self::Parquet => loupe_data::write_table_parquet(path, metadata, xy, extra),
            Self::Csv => loupe_data::write_table_csv(path, metadata, xy, extra),
            Self::GeoJson => loupe_data::write_table_geojson(path, metadata, xy, extra),
        }
    }
}

impl OutputFormat {
    /// Writes `table` as it is — every column in order, no `x`/`y` added — for rows that are
    /// not a layout (search results with their columns); geometry as the layout writers
    /// handle it.
    pub fn write_rows(self, path: &Path, table: &RecordBatch) -> Result<(), loupe_data::DataError> {
        match self {
            Self::Parquet => loupe_data::write_rows_parquet(path, table),
            Self::Csv => loupe_data::write_rows_csv(path, table),
            Self::GeoJson => loupe_data::write_rows_geojson(path, table),
        }
    }
}

/// The region to select, parsed from the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum Region {
    /// A closed polygon's vertices.
    Polygon(Vec<[f32; 2]>),
    /// Two opposite corners of a box.
    Box([f32; 2], [f32; 2]),
}

impl Region {
    /// The rows of `xy` (interleaved positions) inside the region.
    pub fn select(&self, xy: &[f32]) -> Selection {
        match self {
            Self::Polygon(vertices) => Lasso::new(vertices).select(xy),
            Self::Box(a, b) => select_box(xy, *a, *b),
        }
    }
}

/// Reads the layout, selects, writes, and prints `selected N of M rows → FILE`.
pub fn run_select(args: &SelectArgs) -> anyhow::Result<()> {
    let region = match (&args.polygon, &args.rect) {
        (Some(text), _) => Region::Polygon(parse_polygon(text).context("--polygon")?),
        (None, Some(text)) => {
            let [x0, y0, x1, y1] = parse_box(text).context("--box")?;
            Region::Box([x0, y0], [x1, y1])
        }
        (None, None) => anyhow::bail!("give the region to select with --polygon or --box"),
    };
    let format = OutputFormat::from_path(&args.out).with_context(|| {
        format!(
            "--out {}: name the file .parquet, .csv or .geojson so Loupe knows what to write",
            args.out.display()
        )
    })?;
    let (table, xy) = loupe_data::read_layout_table(&args.layout)?;
    let total = xy.len() / 2;
    let rows = region.select(&xy).to_indices();
    // The layout as a dataset of 2-D "vectors", so the rows are taken by the data model.
    let layout = Dataset::new("layout", "xy", xy, 2, table)
        .and_then(|d| d.take_rows(&rows))
        .with_context(|| format!("{}: picking the selected rows", args.layout.display()))?;
    let (metadata, trailing) = split_trailing(layout.metadata())?;
    let extra: Vec<(&str, ArrayRef)> = trailing
        .iter()
        .map(|(name, column)| (name.as_str(), Arc::clone(column)))
        .collect();
    if rows.is_empty() {
        eprintln!(
            "loupe: warning: no row of {} lies inside the region; {} holds none",
            args.layout.display(),
            args.out.display()
        );
    }
    format.write(&args.out, &metadata, layout.vectors(), &extra)?;
    println!(
        "selected {} of {total} rows → {}",
        rows.len(),
        args.out.display()
    );
    Ok(())
}

/// The columns up to the last of `x` and `y`, and those after it (labels added by `loupe
/// embed`), which the writers append after the fresh `x`, `y`: column order survives.
fn split_trailing(table: &RecordBatch) -> anyhow::Result<(RecordBatch, Vec<(String, ArrayRef)>)> {
    let schema = table.schema();
    let last = schema
        .fields()
        .iter()
        .rposition(|f| f.name() == "x" || f.name() == "y")
        .map_or(schema.fields().len(), |i| i + 1);
    let kept: Vec<usize> = (0..last).collect();
    let metadata = table.project(&kept)?;
    let trailing = (last..schema.fields().len())
        .map(|i| (schema.field(i).name().clone(), Arc::clone(table.column(i))))
        .collect();
    Ok((metadata, trailing))
}

/// Parses `X,Y X,Y X,Y…` (pairs separated by spaces or semicolons) into at least three
/// finite vertices.
pub fn parse_polygon(text: &str) -> anyhow::Result<Vec<[f32; 2]>> {
    let vertices = text
        .split(|c: char| c.is_whitespace() || c == ';')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let numbers = parse_numbers(item)?;
            match numbers[..] {
                [x, y] => Ok([x, y]),
                _ => {
                    anyhow::bail!("{item:?} is not a vertex X,Y (vertices are separated by spaces)")
                }
            }
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    if vertices.len() < 3 {
        anyhow::bail!(
            "a polygon needs at least 3 vertices X,Y separated by spaces, {} given",
            vertices.len()
        );
    }
    Ok(vertices)
}

/// Parses `X0,Y0,X1,Y1`.
pub fn parse_box(text: &str) -> anyhow::Result<[f32; 4]> {
    let numbers = parse_numbers(text.trim())?;
    <[f32; 4]>::try_from(numbers)
        .map_err(|n| anyhow::anyhow!("expected 4 numbers X0,Y0,X1,Y1, found {}", n.len()))
}

/// Comma-separated finite numbers.
fn parse_numbers(text: &str) -> anyhow::Result<Vec<f32>> {
    text.split(',')
        .map(|s| {
            let s = s.trim();
            match s.parse::<f32>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => anyhow::bail!("{s:?} in {text:?} is not a finite number"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::float_cmp, reason = "numbers parsed from text are exact")]
    fn polygons_and_boxes_parse_or_say_why_not() {
        assert_eq!(
            parse_polygon(" -1,0  2.5,-3\t4,4;0,1e1 ").unwrap(),
            vec![[-1.0, 0.0], [2.5, -3.0], [4.0, 4.0], [0.0, 10.0]]
        );
        let err = parse_polygon("0,0 1,1").unwrap_err().to_string();
        assert!(err.contains("at least 3"), "{err}");
        let err = parse_polygon("0,0 1,1,2 3,3").unwrap_err().to_string();
        assert!(err.contains("\"1,1,2\""), "{err}");
        let err = parse_polygon("0,0 1,x 3,3").unwrap_err().to_string();
        assert!(err.contains("\"x\""), "{err}");
        assert!(parse_polygon("0,0 1,NaN 3,3").is_err());
        assert_eq!(parse_box("1,2,-3,4").unwrap(), [1.0, 2.0, -3.0, 4.0]);
        assert!(
            parse_box("1,2,3")
                .unwrap_err()
                .to_string()
                .contains("4 numbers")
        );
    }

    #[test]
    fn regions_select_with_the_app_tools_and_formats_follow_the_name() {
        let xy = [0.25, 0.25, 2.0, 2.0, 0.9, 0.9];
        let triangle = Region::Polygon(vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]);
        assert_eq!(triangle.select(&xy).to_indices(), vec![0]);
        let square = Region::Box([1.0, 0.0], [0.0, 1.0]);
        assert_eq!(square.select(&xy).to_indices(), vec![0, 2]);
        assert_eq!(
            OutputFormat::from_path(Path::new("a/b.GeoJSON")),
            Some(OutputFormat::GeoJson)
        );
        assert_eq!(
            OutputFormat::from_path(Path::new("b.parquet")),
            Some(OutputFormat::Parquet)
        );
        assert_eq!(OutputFormat::from_path(Path::new("b.xlsx")), None);
        assert_eq!(OutputFormat::from_path(Path::new("b")), None);
    }
}
