//! What makes a synthetic file look like a Clay embedding file: the MGRS tile name, the
//! chip footprints (WKB polygons in lon/lat), the source URLs, and the `geo` and `pandas`
//! schema metadata GeoPandas 0.14 wrote (`tests/fixtures/03WVN_20220610_20220610_v001.gpq`).

use std::fmt::Write as _;

use rand::Rng;

/// MGRS latitude bands between 56°S and 64°N (`H`…`W`), where Sentinel-2 tiles over land
/// are most common; band `C` starts at 80°S, 8° per band.
const BANDS: &[u8] = b"HJKLMNPQRSTUVW";
/// 100 km square column letters (no I or O).
const COLUMNS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
/// 100 km square row letters (no I or O).
const ROWS: &[u8] = b"ABCDEFGHJKLMNPQRSTUV";
/// A tile's side in degrees of latitude (≈ 100 km).
const TILE_DEG: f64 = 0.9;

/// The CRS of every Clay file: OGC:CRS84 as PROJJSON, shortened to the members GeoPandas and
/// pyproj need (the real file lists the datum ensemble's members too).
const CRS84_PROJJSON: &str = r#"{"$schema": "https://proj.org/schemas/v0.7/projjson.schema.json", "type": "GeographicCRS", "name": "WGS 84 (CRS84)", "datum_ensemble": {"name": "World Geodetic System 1984 ensemble", "members": [{"name": "World Geodetic System 1984 (Transit)"}, {"name": "World Geodetic System 1984 (G2139)"}], "ellipsoid": {"name": "WGS 84", "semi_major_axis": 6378137, "inverse_flattening": 298.257223563}, "accuracy": "2.0", "id": {"authority": "EPSG", "code": 6326}}, "coordinate_system": {"subtype": "ellipsoidal", "axis": [{"name": "Geodetic longitude", "abbreviation": "Lon", "direction": "east", "unit": "degree"}, {"name": "Geodetic latitude", "abbreviation": "Lat", "direction": "north", "unit": "degree"}]}, "scope": "Not known.", "area": "World.", "bbox": {"south_latitude": -90, "west_longitude": -180, "north_latitude": 90, "east_longitude": 180}, "id": {"authority": "OGC", "code": "CRS84"}}"#;

/// One synthetic Sentinel-2 tile: its MGRS name and where it lies.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    /// E.g. `03WVN`.
    pub mgrs: String,
    /// South-west corner, degrees.
    pub west: f64,
    /// South-west corner, degrees.
    pub south: f64,
}

impl Tile {
    /// A random tile whose corner lies inside its UTM zone and latitude band, as the name says.
    pub fn random(rng: &mut impl Rng) -> Self {
        let zone = rng.random_range(1..=60_u32);
        let band = rng.random_range(0..BANDS.len());
        let column = COLUMNS[rng.random_range(0..COLUMNS.len())];
        let row = ROWS[rng.random_range(0..ROWS.len())];
        let mgrs = format!(
            "{zone:02}{}{}{}",
            char::from(BANDS[band]),
            char::from(column),
            char::from(row)
        );
        let band_south = -56.0 + 8.0 * band as f64;
        let zone_west = -180.0 + 6.0 * f64::from(zone - 1);
        Self {
            mgrs,
            west: zone_west + rng.random_range(0.0..4.0),
            south: band_south + rng.random_range(0.0..7.0),
        }
    }

    /// The footprint of chip `i` of `n`: chips tile the 100 km square in a √n × √n grid, so
    /// each is a small lon/lat box like Clay's 512 × 512-pixel Sentinel chips.
    pub fn chip(&self, i: usize, n: usize) -> [f64; 4] {
        let side = (n as f64).sqrt().ceil().max(1.0) as usize;
        let step_lat = TILE_DEG / side as f64;
        let step_lon = step_lat / self.south.to_radians().cos().max(0.2);
        let (col, row) = (i % side, i / side);
        let west = self.west + step_lon * col as f64;
        let south = self.south + step_lat * row as f64;
        [west, south, west + step_lon, south + step_lat]
    }
}

/// A box as little-endian WKB `Polygon` with one closed ring of five points (93 bytes), the
/// encoding and vertex order of the real files.
pub fn box_wkb(b: [f64; 4]) -> Vec<u8> {
    let [w, s, e, n] = b;
    let ring = [(w, s), (e, s), (e, n), (w, n), (w, s)];
    let mut out = Vec::with_capacity(93);
    out.push(1);
    out.extend_from_slice(&3_u32.to_le_bytes());
    out.extend_from_slice(&1_u32.to_le_bytes());
    out.extend_from_slice(&5_u32.to_le_bytes());
    for (x, y) in ring {
        out.extend_from_slice(&x.to_le_bytes());
        out.extend_from_slice(&y.to_le_bytes());
    }
    out
}

/// The chip's source image, in the pattern of the real files.
pub fn source_url(mgrs: &str, date: Date, chip: usize) -> String {
    format!(
        "s3://clay-tiles-02/02/{mgrs}/{}/claytile_{mgrs}_{}_v02_{:04}.tif",
        date.iso(),
        date.compact(),
        chip + 1
    )
}

/// A calendar date, for file names, URLs and the `date` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    /// Days since 1970-01-01 (Arrow's `date32`).
    pub days: i32,
}

impl Date {
    /// Year, month (1–12), day (1–31): Howard Hinnant's `civil_from_days`.
    pub fn civil(self) -> (i32, u32, u32) {
        let z = self.days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    /// `2022-06-10`.
    pub fn iso(self) -> String {
        let (y, m, d) = self.civil();
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// `20220610`, as in Clay file names.
    pub fn compact(self) -> String {
        let (y, m, d) = self.civil();
        format!("{y:04}{m:02}{d:02}")
    }
}

/// The GeoParquet 1.0 `geo` JSON GeoPandas 0.14 writes for a WKB polygon column in CRS84.
pub fn geo_json(bbox: [f64; 4]) -> String {
    let [w, s, e, n] = bbox;
    format!(
        "{{\"primary_column\": \"geometry\", \"columns\": {{\"geometry\": {{\"encoding\": \
         \"WKB\", \"crs\": {CRS84_PROJJSON}, \"geometry_types\": [\"Polygon\"], \"bbox\": \
         [{w:?}, {s:?}, {e:?}, {n:?}]}}}}, \"version\": \"1.0.0\", \"creator\": {{\"library\": \
         \"geopandas\", \"version\": \"0.14.1\"}}}}"
    )
}

/// The `pandas` JSON of the real files, which makes GeoPandas restore a range index and a
/// pyarrow-backed `date` column exactly as it does for Clay's own files.
pub fn pandas_json(rows: usize) -> String {
    let mut columns = String::new();
    let specs = [
        ("index", "int64", "int64"),
        ("source_url", "unicode", "string"),
        ("date", "date", "date32[day][pyarrow]"),
        ("embeddings", "list[float32]", "object"),
        ("geometry", "bytes", "object"),
    ];
    for (i, (name, pandas_type, numpy_type)) in specs.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(
            columns,
            "{sep}{{\"name\": \"{name}\", \"field_name\": \"{name}\", \"pandas_type\": \
             \"{pandas_type}\", \"numpy_type\": \"{numpy_type}\", \"metadata\": null}}"
        );
    }
    format!(
        "{{\"index_columns\": [{{\"kind\": \"range\", \"name\": null, \"start\": 0, \"stop\": \
         {rows}, \"step\": 1}}], \"column_indexes\": [{{\"name\": null, \"field_name\": null, \
         \"pandas_type\": \"unicode\", \"numpy_type\": \"object\", \"metadata\": {{\"encoding\": \
         \"UTF-8\"}}}}], \"columns\": [{columns}], \"creator\": {{\"library\": \"pyarrow\", \
         \"version\": \"14.0.1\"}}, \"pandas_version\": \"2.1.3\"}}"
    )
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn dates_match_the_calendar() {
        assert_eq!(Date { days: 0 }.iso(), "1970-01-01");
        assert_eq!(Date { days: 19_153 }.compact(), "20220610");
        assert_eq!(Date { days: 19_052 }.iso(), "2022-03-01");
    }

    #[test]
    fn tiles_and_chips_look_like_clay() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let tile = Tile::random(&mut rng);
        assert_eq!(tile.mgrs.len(), 5);
        assert!(
            tile.mgrs[..2]
                .parse::<u32>()
                .is_ok_and(|z| (1..=60).contains(&z))
        );
        let [w, s, e, n] = tile.chip(99, 100);
        assert!(w < e && s < n && (-180.0..=180.0).contains(&e) && (-90.0..=90.0).contains(&n));
        let wkb = box_wkb([w, s, e, n]);
        assert_eq!(wkb.len(), 93);
        assert_eq!(&wkb[..5], &[1, 3, 0, 0, 0]);
        let date = Date { days: 19_153 };
        assert_eq!(
            source_url("03WVN", date, 439),
            "s3://clay-tiles-02/02/03WVN/2022-06-10/claytile_03WVN_20220610_v02_0440.tif"
        );
    }
}
