//! Geometry and coordinate reference systems for GeoParquet embedding files.
//!
//! Earth-observation embedding files (Clay, Planet, Earth Index, …) carry a footprint per row.
//! This crate turns that column into longitude/latitude the app can draw: it reads the
//! GeoParquet `geo` metadata ([`GeoMetadata`]), decodes WKB and GeoArrow geometry
//! ([`decode_column`]), reprojects to WGS 84 ([`Reprojector`]), and — because real files
//! mislabel their CRS — checks the declaration against the data before believing it
//! ([`place_in_lon_lat`]). [`read_lon_lat`] does all of it in one call for the loader.
//!
//! Everything here is pure computation on values handed in: no file IO, no threads, no
//! logging. This crate must never depend on a GUI or GPU crate (egui, eframe, winit, wgpu);
//! it sits beside `loupe-core` at the bottom of the dependency graph.

// Format and library names (GeoParquet, GeoArrow, GeoPandas) are proper nouns, not code, and
// clippy's list of valid identifiers lacks them; the root clippy.toml could list them instead.
#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet/GeoArrow/GeoPandas are names, not code identifiers"
)]

mod column;
mod crs;
mod geoarrow;
mod geometry;
mod load;
mod metadata;
mod plausibility;
mod reproject;
mod wkb;
mod wkb_write;

pub use column::{ColumnError, decode_column};
pub use crs::Crs;
pub use geoarrow::{GeoArrowError, NativeEncoding, decode_native};
pub use geometry::{BBox, Coord, Geometry, Polygon};
pub use load::{GeoError, LonLatGeometries, read_lon_lat};
pub use metadata::{ColumnMetadata, Encoding, GEO_METADATA_KEY, GeoMetadata, MetadataError};
pub use plausibility::{
    Assessment, CrsKind, Interpretation, Placement, assess_extent, place_in_lon_lat,
};
pub use reproject::{CrsError, Reprojector};
pub use wkb::{WkbError, parse_wkb};
pub use wkb_write::{write_wkb, write_wkb_into};
