//! `loupe info PATH`: what an opened dataset holds, in a few lines of text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use loupe_geo::Interpretation;

use crate::Opened;

/// Describes an opened dataset for the command line: rows, the vector column and its
/// dimension, every other column with its type, the geometry (types, the CRS as the files
/// declare it and what Loupe uses), then the [`LoadReport`](crate::LoadReport).
///
/// A function rather than `Display` on [`Opened`] so the app can choose where the report goes.
pub fn describe(opened: &Opened) -> String {
    let ds = &opened.dataset;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} rows, vectors in `{}` with {} values each",
        ds.name(),
        ds.n_rows(),
        ds.vector_column(),
        ds.dim()
    );
    let schema = ds.metadata().schema();
    let geometry_columns: Vec<&str> = opened
        .report
        .files
        .iter()
        .filter_map(|f| f.geometry.as_ref().map(|g| g.column.as_str()))
        .collect();
    let _ = writeln!(out, "columns ({}):", schema.fields().len());
    for field in schema.fields() {
        let note = if geometry_columns.contains(&field.name().as_str()) {
            " (WKB, longitude/latitude)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {}: {}{note}",
            field.name(),
            loupe_data::type_name(field.data_type())
        );
    }
    geometry_lines(opened, &mut out);
    let _ = write!(out, "{}", opened.report);
    out
}

fn geometry_lines(opened: &Opened, out: &mut String) {
    let reports: Vec<_> = opened
        .report
        .files
        .iter()
        .filter_map(|f| f.geometry.as_ref())
        .collect();
    let Some(first) = reports.first() else {
        let _ = writeln!(out, "geometry: none");
        return;
    };
    let mut types: Vec<&str> = reports
        .iter()
        .flat_map(|r| r.geometry_types.iter().map(String::as_str))
        .collect();
    types.sort_unstable();
    types.dedup();
    let _ = writeln!(
        out,
        "geometry: column `{}` ({}), {} in the files",
        first.column,
        if types.is_empty() {
            "no values".to_owned()
        } else {
            types.join(", ")
        },
        first.encoding
    );
    // Files in one folder may declare different CRSs; count each.
    let mut declared: BTreeMap<String, usize> = BTreeMap::new();
    let mut readings: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &reports {
        *declared.entry(r.declared_crs.to_string()).or_default() += 1;
        *readings.entry(reading(r.interpretation)).or_default() += 1;
    }
    let several = reports.len() > 1;
    let list = |m: BTreeMap<String, usize>| -> String {
        m.into_iter()
            .map(|(k, n)| {
                if several {
                    format!("{k} ({n} files)")
                } else {
                    k
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let _ = writeln!(out, "  CRS declared: {}", list(declared));
    let readings = readings
        .into_iter()
        .map(|(k, n)| (k.to_owned(), n))
        .collect();
    let _ = writeln!(out, "  read: {}", list(readings));
    let _ = writeln!(
        out,
        "  Loupe uses: OGC:CRS84 (longitude, latitude in degrees) for every row"
    );
}

fn reading(i: Interpretation) -> &'static str {
    match i {
        Interpretation::AsDeclared => "as declared",
        Interpretation::LonLatDegrees => "as longitude/latitude degrees (declaration ignored)",
        Interpretation::CannotPlace => "could not be placed (left empty)",
    }
}
