//! Mapbox Static Images API URLs, built exactly per the documented grammar
//! (<https://docs.mapbox.com/api/maps/static-images/>):
//!
//! `{api}/styles/v1/{user}/{style}/static/geojson({overlay})/[{minLon},{minLat},{maxLon},{maxLat}]/{w}x{h}[@2x]?access_token=…&padding=…`
//!
//! - the bbox is per-axis min/max, rounded *outwards* so the outline stays inside it;
//! - coordinates carry 6 decimals (~0.1 m), 5 (~1 m) if the URL is too long;
//! - the overlay is a URI-encoded `GeoJSON` `FeatureCollection` with simplestyle properties
//!   (`#` becomes `%23`);
//! - the whole URL stays ≤ 8,192 characters: if needed the rings are simplified with
//!   Douglas–Peucker at a growing tolerance;
//! - `padding` (px) keeps the stroke, centred on the outline, inside the image.

use std::fmt;
use std::fmt::Write as _;

use crate::outline::LonLatBox;
use crate::secret::{AccessToken, MASK, mask_secrets};
use crate::simplify::simplify_ring;
use crate::{ChipError, ChipSpec, Outline};

/// Production API base URL.
pub const DEFAULT_MAPBOX_API: &str = "https://api.mapbox.com";

/// Default style: satellite imagery with roads and labels, so a chip can be placed.
pub const DEFAULT_MAPBOX_STYLE: &str = "mapbox/satellite-streets-v12";

/// The API's maximum URL length in characters.
pub const MAX_URL_CHARS: usize = 8192;

/// Where and how to ask Mapbox for a chip: API base, `{user}/{style}` and the token.
#[derive(Clone, Debug, PartialEq)]
pub struct MapboxStatic {
    api_base: String,
    style: String,
    token: AccessToken,
}

impl MapboxStatic {
    /// The production API with the default satellite style.
    pub fn new(token: AccessToken) -> Self {
        Self {
            api_base: DEFAULT_MAPBOX_API.to_owned(),
            style: DEFAULT_MAPBOX_STYLE.to_owned(),
            token,
        }
    }

    /// Another API base (`http(s)://host[:port][/prefix]`), e.g. a local test server.
    pub fn with_api_base(mut self, base: &str) -> Result<Self, ChipError> {
        let base = base.trim().trim_end_matches('/');
        let valid_scheme = base.starts_with("https://") || base.starts_with("http://");
        if !valid_scheme || base.contains(['?', '#', ' ']) {
            return Err(ChipError::spec(format!(
                "Mapbox API base {:?} is not an http(s) URL without query",
                mask_secrets(base)
            )));
        }
        base.clone_into(&mut self.api_base);
        Ok(self)
    }

    /// Another style, written `{user}/{style_id}` (e.g. `mapbox/satellite-v9`).
    pub fn with_style(mut self, style: &str) -> Result<Self, ChipError> {
        let ok_part = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        match style.split_once('/') {
            Some((user, id)) if ok_part(user) && ok_part(id) => {
                style.clone_into(&mut self.style);
                Ok(self)
            }
            _ => Err(ChipError::spec(format!(
                "Mapbox style {style:?} is not of the form user/style_id"
            ))),
        }
    }

    /// The API base URL.
    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// The `{user}/{style_id}`.
    pub fn style(&self) -> &str {
        &self.style
    }

    /// Attribution to show next to the chip (Mapbox also prints it inside the image).
    pub fn attribution(&self) -> &'static str {
        "© Mapbox © OpenStreetMap"
    }
}

/// A complete Static Images URL. `Debug` and `Display` show it with `access_token=***`, so it
/// can be logged or put in an error safely.
#[derive(Clone, PartialEq, Eq)]
pub struct StaticUrl {
    url: String,
    decimals: u32,
    vertices: usize,
}

impl StaticUrl {
    /// The URL with the token replaced by `***`.
    pub fn masked(&self) -> String {
        mask_secrets(&self.url)
    }

    /// Length in characters (≤ [`MAX_URL_CHARS`]).
    pub fn len(&self) -> usize {
        self.url.len()
    }

    /// Never true; present because `len` is.
    pub fn is_empty(&self) -> bool {
        self.url.is_empty()
    }

    /// Decimal places used for coordinates (6, or 5 when the URL was too long).
    pub fn decimals(&self) -> u32 {
        self.decimals
    }

    /// Vertices in the overlay after any simplification.
    pub fn vertex_count(&self) -> usize {
        self.vertices
    }

    /// The real URL, for the HTTP request only.
    pub(crate) fn expose(&self) -> &str {
        &self.url
    }
}

impl fmt::Debug for StaticUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StaticUrl({:?})", self.masked())
    }
}

impl fmt::Display for StaticUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Builds the Static Images URL for `outline` drawn with `spec`, simplifying the outline if
/// that is what it takes to stay within [`MAX_URL_CHARS`].
pub fn static_url(
    source: &MapboxStatic,
    spec: &ChipSpec,
    outline: &Outline,
) -> Result<StaticUrl, ChipError> {
    spec.validate()?;
    let bbox = outline.view_bbox();
    let mut shortest = usize::MAX;
    let mut attempt = |rings: &[Vec<[f64; 2]>], decimals: u32| {
        let (url, vertices) = build(source, spec, outline.is_point(), rings, &bbox, decimals);
        shortest = shortest.min(url.len());
        (url.len() <= MAX_URL_CHARS).then_some(StaticUrl {
            url,
            decimals,
            vertices,
        })
    };
    for decimals in [6, 5] {
        if let Some(u) = attempt(outline.rings(), decimals) {
            return Ok(u);
        }
    }
    // Douglas–Peucker from ~1 m upwards, doubling until the URL fits or the tolerance
    // exceeds the outline itself; at the end, holes are dropped too.
    let span = (bbox.max_lon - bbox.min_lon).max(bbox.max_lat - bbox.min_lat);
    let mut tol = 1e-5;
    while tol <= 2.0 * span {
        let rings: Vec<_> = outline
            .rings()
            .iter()
            .map(|r| simplify_ring(r, tol))
            .collect();
        if let Some(u) = attempt(&rings, 5) {
            return Ok(u);
        }
        tol *= 2.0;
    }
    if let Some(u) = attempt(&[simplify_ring(&outline.rings()[0], tol)], 5) {
        return Ok(u);
    }
    Err(ChipError::UrlTooLong {
        len: shortest,
        limit: MAX_URL_CHARS,
    })
}

/// One URL for the given rings and precision; also returns the vertex count.
fn build(
    source: &MapboxStatic,
    spec: &ChipSpec,
    is_point: bool,
    rings: &[Vec<[f64; 2]>],
    bbox: &LonLatBox,
    decimals: u32,
) -> (String, usize) {
    let (geojson, vertices) = overlay_geojson(spec, is_point, rings, decimals);
    let bbox = format!(
        "[{},{},{},{}]",
        fixed(bbox.min_lon, decimals, f64::floor),
        fixed(bbox.min_lat, decimals, f64::floor),
        fixed(bbox.max_lon, decimals, f64::ceil),
        fixed(bbox.max_lat, decimals, f64::ceil),
    );
    let retina = if spec.retina { "@2x" } else { "" };
    let url = format!(
        "{api}/styles/v1/{style}/static/geojson({overlay})/{bbox}/{w}x{h}{retina}?access_token={token}&padding={pad}",
        api = source.api_base,
        style = source.style,
        overlay = encode_component(&geojson),
        w = spec.width_px,
        h = spec.height_px,
        token = source.token.expose(),
        pad = spec.padding(),
    );
    debug_assert!(!url.contains(MASK));
    (url, vertices)
}

/// The overlay: a `FeatureCollection` with one feature (polygon or point) and its style.
fn overlay_geojson(
    spec: &ChipSpec,
    is_point: bool,
    rings: &[Vec<[f64; 2]>],
    decimals: u32,
) -> (String, usize) {
    let s = &spec.stroke;
    let position = |p: [f64; 2]| {
        format!(
            "[{},{}]",
            fixed(p[0], decimals, f64::round),
            fixed(p[1], decimals, f64::round)
        )
    };
    let mut vertices = 0;
    let (properties, geometry) = if is_point {
        vertices = 1;
        let p = rings
            .first()
            .and_then(|r| r.first())
            .copied()
            .unwrap_or_default();
        (
            format!(r#"{{"marker-color":"{}"}}"#, s.hex()),
            format!(r#"{{"type":"Point","coordinates":{}}}"#, position(p)),
        )
    } else {
        let mut coords = String::from("[");
        for (i, ring) in rings.iter().enumerate() {
            let ring = dedup_rounded(ring.iter().map(|&p| position(p)).collect());
            vertices += ring.len();
            coords.push_str(if i == 0 { "[" } else { ",[" });
            coords.push_str(&ring.join(","));
            coords.push(']');
        }
        coords.push(']');
        (
            format!(
                r#"{{"stroke":"{}","stroke-width":{},"stroke-opacity":{},"fill-opacity":{}}}"#,
                s.hex(),
                number(s.width_px),
                number(s.opacity),
                number(s.fill_opacity)
            ),
            format!(r#"{{"type":"Polygon","coordinates":{coords}}}"#),
        )
    };
    let json = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{properties},"geometry":{geometry}}}]}}"#
    );
    (json, vertices)
}

/// Drops consecutive positions that became equal after rounding, unless that would leave
/// fewer than the 4 positions a `GeoJSON` ring needs.
fn dedup_rounded(ring: Vec<String>) -> Vec<String> {
    let mut d = ring.clone();
    d.dedup();
    if d.len() >= 4 { d } else { ring }
}

/// `v` with exactly `decimals` decimals, the last one chosen by `round` (floor, ceil or
/// round), printed from an integer so no binary-float digits leak into the URL.
fn fixed(v: f64, decimals: u32, round: fn(f64) -> f64) -> String {
    let scale = 10f64.powi(decimals as i32);
    let scaled = v * scale;
    // A value that is already on the grid must not move by one unit because of float noise.
    let n = if (scaled - scaled.round()).abs() < 1e-6 {
        scaled.round()
    } else {
        round(scaled)
    } as i64;
    let p = 10u64.pow(decimals);
    let sign = if n < 0 { "-" } else { "" };
    let a = n.unsigned_abs();
    if decimals == 0 {
        return format!("{sign}{a}");
    }
    format!("{sign}{}.{:0w$}", a / p, a % p, w = decimals as usize)
}

/// A style number with at most 3 decimals and no trailing zeros (`10`, `0.5`).
fn number(v: f32) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// Percent-encodes everything except RFC 3986 unreserved characters (`A-Z a-z 0-9 - _ . ~`),
/// like `encodeURIComponent`; `#` becomes `%23`, `"` `%22`, `[` `%5B`, …
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> MapboxStatic {
        MapboxStatic::new(AccessToken::new("pk.test-token").unwrap())
    }

    #[test]
    fn fixed_rounds_in_the_requested_direction() {
        assert_eq!(fixed(-167.188_030_518, 6, f64::floor), "-167.188031");
        assert_eq!(fixed(-167.188_030_518, 6, f64::ceil), "-167.188030");
        assert_eq!(fixed(65.807_520_3, 6, f64::ceil), "65.807521");
        assert_eq!(fixed(0.5, 6, f64::floor), "0.500000");
        assert_eq!(fixed(-0.000_000_4, 6, f64::round), "0.000000");
        assert_eq!(fixed(1.234_565_1, 5, f64::round), "1.23457");
        assert_eq!(number(10.0), "10");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(0.0), "0");
    }

    #[test]
    fn encodes_like_encode_uri_component() {
        assert_eq!(
            encode_component(r##"{"a":"#f0",[1.5,-2]}"##),
            "%7B%22a%22%3A%22%23f0%22%2C%5B1.5%2C-2%5D%7D"
        );
    }

    #[test]
    fn long_outlines_are_simplified_under_the_limit() {
        // A 5,000-vertex circle of radius 0.05° cannot fit at any precision.
        let mut ring: Vec<[f64; 2]> = (0..5000)
            .map(|i| {
                let a = f64::from(i) / 5000.0 * std::f64::consts::TAU;
                [10.0 + 0.05 * a.cos(), 45.0 + 0.05 * a.sin()]
            })
            .collect();
        ring.push(ring[0]);
        let o = Outline::from_rings(&[ring]).unwrap();
        let u = static_url(&source(), &ChipSpec::default(), &o).unwrap();
        assert!(u.len() <= MAX_URL_CHARS);
        assert_eq!(u.decimals(), 5);
        assert!(
            u.vertex_count() > 16 && u.vertex_count() < 5000,
            "{}",
            u.vertex_count()
        );
        // The bbox is that of the full outline, not of the simplified one.
        assert!(
            u.expose()
                .contains("/[9.95000,44.95000,10.05000,45.05000]/")
        );
    }

    #[test]
    fn url_is_masked_in_debug_and_display() {
        let o = Outline::point(1.0, 2.0).unwrap();
        let u = static_url(&source(), &ChipSpec::default(), &o).unwrap();
        assert!(u.expose().contains("access_token=pk.test-token&"));
        for shown in [format!("{u}"), format!("{u:?}"), u.masked()] {
            assert!(!shown.contains("pk.test-token"), "{shown}");
            assert!(shown.contains("access_token=***&padding=10"), "{shown}");
        }
        // A point's bbox is widened around it, the overlay is a Point.
        assert!(
            u.expose()
                .contains("/[0.999500,1.999500,1.000500,2.000500]/")
        );
        assert!(u.expose().contains("%22Point%22"));
    }

    #[test]
    fn retina_and_style() {
        let src = source()
            .with_style("me/my-style_1")
            .unwrap()
            .with_api_base("http://127.0.0.1:9/")
            .unwrap();
        let spec = ChipSpec {
            width_px: 300,
            height_px: 200,
            retina: true,
            ..ChipSpec::default()
        };
        let o = Outline::point(1.0, 2.0).unwrap();
        let u = static_url(&src, &spec, &o).unwrap();
        assert!(
            u.expose()
                .starts_with("http://127.0.0.1:9/styles/v1/me/my-style_1/static/geojson(")
        );
        assert!(u.expose().contains("]/300x200@2x?access_token="));
        assert!(source().with_style("no-slash").is_err());
        assert!(source().with_api_base("ftp://x").is_err());
    }
}
