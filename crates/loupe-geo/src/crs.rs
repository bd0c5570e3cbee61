//! What a GeoParquet column says about its coordinate reference system, reduced to what Loupe
//! can act on: an authority code, a bare name, "unknown", or the spec's default.
//!
//! GeoParquet 1.0/1.1 ("crs" in the column metadata): an absent key means OGC:CRS84, an
//! explicit `null` means the CRS is undefined/unknown, otherwise the value is PROJJSON. Older
//! 0.x files used WKT2 strings, and some writers put "EPSG:4326"-style strings there; both are
//! read too, because a viewer should open what is out there.

use std::fmt;

use serde_json::Value;

/// A column's declared CRS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Crs {
    /// The `crs` key is absent: the spec's default, OGC:CRS84 (WGS 84 longitude, latitude).
    DefaultCrs84,
    /// `"crs": null`: the writer says the CRS is undefined or unknown.
    Unknown,
    /// An authority and code, e.g. EPSG 32633 or OGC CRS84, with the PROJJSON name if any.
    Code {
        /// "EPSG", "OGC", "ESRI", … (as written; compare case-insensitively).
        authority: String,
        /// The code as text: EPSG codes are numbers, OGC ones are words ("CRS84").
        code: String,
        /// The PROJJSON `name`, kept for messages.
        name: Option<String>,
    },
    /// A PROJJSON object without any identifier: only its name is known.
    Named {
        /// The PROJJSON `name`.
        name: String,
    },
    /// A value that is none of the above, kept (shortened) for the warning that names it.
    Unrecognised {
        /// The value as text.
        text: String,
    },
}

impl Crs {
    /// OGC:CRS84 written out explicitly, the CRS Loupe shows everything in.
    pub fn crs84() -> Self {
        Self::Code {
            authority: "OGC".into(),
            code: "CRS84".into(),
            name: None,
        }
    }

    /// Reads the `crs` member of a column's metadata; `None` means the key is absent.
    pub fn from_json(value: Option<&Value>) -> Self {
        match value {
            None => Self::DefaultCrs84,
            Some(Value::Null) => Self::Unknown,
            Some(Value::String(s)) => Self::parse_str(s),
            Some(v @ Value::Object(_)) => from_projjson(v),
            Some(other) => Self::Unrecognised {
                text: shorten(&other.to_string()),
            },
        }
    }

    /// Reads a CRS given as text: "EPSG:4326", "OGC:CRS84", an OGC URN or URL, a PROJJSON
    /// document, or WKT (whose outermost `ID[...]`/`AUTHORITY[...]` is used).
    pub fn parse_str(text: &str) -> Self {
        let s = text.trim();
        if s.starts_with('{') {
            return match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Object(_)) => from_projjson(&v),
                _ => Self::Unrecognised { text: shorten(s) },
            };
        }
        if let Some((authority, code)) = parse_urn_or_url(s).or_else(|| parse_pair(s)) {
            return Self::code(authority, code, None);
        }
        if let Some((authority, code)) = parse_wkt_id(s) {
            return Self::code(authority, code, wkt_name(s));
        }
        if s.contains('[')
            && let Some(name) = wkt_name(s)
        {
            return Self::Named { name };
        }
        Self::Unrecognised { text: shorten(s) }
    }

    fn code(authority: &str, code: &str, name: Option<String>) -> Self {
        Self::Code {
            authority: authority.trim().to_owned(),
            code: code.trim().to_owned(),
            name,
        }
    }

    /// Whether the CRS is WGS 84 longitude/latitude as GeoParquet reads it: the default,
    /// OGC:CRS84, or EPSG:4326 — the spec overrides EPSG:4326's latitude-first axis order
    /// ("Coordinate axis order": always x = longitude, y = latitude), so the two are the same.
    pub fn is_wgs84_lon_lat(&self) -> bool {
        match self {
            Self::DefaultCrs84 => true,
            Self::Code {
                authority, code, ..
            } => {
                (authority.eq_ignore_ascii_case("OGC") && code.eq_ignore_ascii_case("CRS84"))
                    || (authority.eq_ignore_ascii_case("EPSG") && code == "4326")
            }
            Self::Unknown | Self::Named { .. } | Self::Unrecognised { .. } => false,
        }
    }

    /// The EPSG code, when the CRS is identified by one.
    pub fn epsg_code(&self) -> Option<u32> {
        match self {
            Self::Code {
                authority, code, ..
            } if authority.eq_ignore_ascii_case("EPSG") => code.parse().ok(),
            _ => None,
        }
    }
}

impl fmt::Display for Crs {
    /// Short text for warnings and the UI, e.g. `EPSG:3857 ("WGS 84 / Pseudo-Mercator")`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DefaultCrs84 => f.write_str("OGC:CRS84 (the GeoParquet default; no crs given)"),
            Self::Unknown => f.write_str("an undefined CRS (crs: null)"),
            Self::Code {
                authority,
                code,
                name: Some(name),
            } => write!(f, "{authority}:{code} ({name:?})"),
            Self::Code {
                authority, code, ..
            } => write!(f, "{authority}:{code}"),
            Self::Named { name } => write!(f, "{name:?} (no authority code)"),
            Self::Unrecognised { text } => write!(f, "an unrecognised CRS {text:?}"),
        }
    }
}

/// Reads a PROJJSON object: its `id` (or first of `ids`), else its name. A `BoundCRS` is
/// identified by its `source_crs`.
fn from_projjson(v: &Value) -> Crs {
    if v.get("type").and_then(Value::as_str) == Some("BoundCRS")
        && let Some(source) = v.get("source_crs")
    {
        return from_projjson(source);
    }
    let name = v.get("name").and_then(Value::as_str).map(str::to_owned);
    let id = v.get("id").or_else(|| {
        v.get("ids")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
    });
    if let Some(id) = id {
        let authority = id.get("authority").and_then(Value::as_str);
        let code = match id.get("code") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        if let (Some(authority), Some(code)) = (authority, code) {
            return Crs::code(authority, &code, name);
        }
    }
    match name {
        Some(name) => Crs::Named { name },
        None => Crs::Unrecognised {
            text: shorten(&v.to_string()),
        },
    }
}

/// "EPSG:4326" → ("EPSG", "4326"); refuses anything with spaces or brackets.
fn parse_pair(s: &str) -> Option<(&str, &str)> {
    let (authority, code) = s.split_once(':')?;
    let plain = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (plain(authority) && plain(code)).then_some((authority, code))
}

/// `urn:ogc:def:crs:EPSG::4326` or `http(s)://www.opengis.net/def/crs/EPSG/0/4326`.
fn parse_urn_or_url(s: &str) -> Option<(&str, &str)> {
    if let Some(rest) = s.strip_prefix("urn:ogc:def:crs:") {
        let mut parts = rest.split(':');
        let authority = parts.next()?;
        let code = parts.next_back()?;
        return Some((authority, code));
    }
    let rest = s
        .strip_prefix("http://www.opengis.net/def/crs/")
        .or_else(|| s.strip_prefix("https://www.opengis.net/def/crs/"))?;
    let mut parts = rest.split('/');
    let authority = parts.next()?;
    let code = parts.next_back()?;
    Some((authority, code))
}

/// The outermost identifier of a WKT1/WKT2 string: WKT puts it last, so the last `ID[` or
/// `AUTHORITY[` keyword wins (a whole keyword: the `ID[` ending `ELLIPSOID[` does not count).
fn parse_wkt_id(s: &str) -> Option<(&str, &str)> {
    let upper = s.to_ascii_uppercase();
    let at = ["ID[", "AUTHORITY["]
        .iter()
        .flat_map(|k| {
            upper.match_indices(k).filter_map(|(i, _)| {
                let whole = upper[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_ascii_alphabetic());
                whole.then_some(i + k.len())
            })
        })
        .max()?;
    let body = s.get(at..)?;
    let body = &body[..body.find(']')?];
    let mut fields = body.split(',').map(|f| f.trim().trim_matches('"'));
    let authority = fields.next()?;
    let code = fields.next()?;
    (!authority.is_empty() && !code.is_empty()).then_some((authority, code))
}

/// The first quoted string of a WKT, its CRS name.
fn wkt_name(s: &str) -> Option<String> {
    let start = s.find('"')? + 1;
    let len = s.get(start..)?.find('"')?;
    Some(s[start..start + len].to_owned())
}

/// Keeps messages readable when a whole PROJJSON document ends up in one.
fn shorten(s: &str) -> String {
    const MAX: usize = 120;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column_crs(json: &str) -> Crs {
        let v: Value = serde_json::from_str(json).unwrap();
        Crs::from_json(v.get("crs"))
    }

    #[test]
    fn absent_null_and_projjson() {
        assert_eq!(column_crs(r#"{"encoding": "WKB"}"#), Crs::DefaultCrs84);
        assert!(Crs::DefaultCrs84.is_wgs84_lon_lat());
        assert_eq!(column_crs(r#"{"crs": null}"#), Crs::Unknown);
        assert!(!Crs::Unknown.is_wgs84_lon_lat());

        let utm = column_crs(
            r#"{"crs": {"type": "ProjectedCRS", "name": "WGS 84 / UTM zone 3N",
                "id": {"authority": "EPSG", "code": 32603}}}"#,
        );
        assert_eq!(utm.epsg_code(), Some(32603));
        assert_eq!(utm.to_string(), r#"EPSG:32603 ("WGS 84 / UTM zone 3N")"#);

        let crs84 = column_crs(
            r#"{"crs": {"type": "GeographicCRS", "name": "WGS 84 (CRS84)",
                "id": {"authority": "OGC", "code": "CRS84"}}}"#,
        );
        assert!(crs84.is_wgs84_lon_lat());

        let anonymous = column_crs(r#"{"crs": {"type": "ProjectedCRS", "name": "My grid"}}"#);
        assert_eq!(
            anonymous,
            Crs::Named {
                name: "My grid".into()
            }
        );

        let ids =
            column_crs(r#"{"crs": {"name": "x", "ids": [{"authority": "EPSG", "code": 3857}]}}"#);
        assert_eq!(ids.epsg_code(), Some(3857));

        let bound = column_crs(
            r#"{"crs": {"type": "BoundCRS", "source_crs": {"name": "NAD83",
                "id": {"authority": "EPSG", "code": 4269}}}}"#,
        );
        assert_eq!(bound.epsg_code(), Some(4269));

        assert!(matches!(
            column_crs(r#"{"crs": 4326}"#),
            Crs::Unrecognised { .. }
        ));
    }

    #[test]
    fn strings_urns_and_wkt() {
        assert!(Crs::parse_str("EPSG:4326").is_wgs84_lon_lat());
        assert!(Crs::parse_str("OGC:CRS84").is_wgs84_lon_lat());
        assert!(Crs::parse_str("urn:ogc:def:crs:OGC:1.3:CRS84").is_wgs84_lon_lat());
        assert_eq!(
            Crs::parse_str("urn:ogc:def:crs:EPSG::32633").epsg_code(),
            Some(32633)
        );
        assert_eq!(
            Crs::parse_str("http://www.opengis.net/def/crs/EPSG/0/3857").epsg_code(),
            Some(3857)
        );
        let wkt = r#"PROJCRS["WGS 84 / UTM zone 33N",BASEGEOGCRS["WGS 84",ID["EPSG",4326]],
            CONVERSION["UTM zone 33N",ID["EPSG",16033]],ID["EPSG",32633]]"#;
        let crs = Crs::parse_str(wkt);
        assert_eq!(crs.epsg_code(), Some(32633));
        assert!(crs.to_string().contains("UTM zone 33N"));
        let wkt1 = r#"GEOGCS["WGS 84",DATUM["WGS_1984"],AUTHORITY["EPSG","4326"]]"#;
        assert!(Crs::parse_str(wkt1).is_wgs84_lon_lat());
        assert!(matches!(
            Crs::parse_str("nonsense here"),
            Crs::Unrecognised { .. }
        ));
        // No top-level ID: the ELLIPSOID keyword must not be mistaken for one.
        let anonymous = r#"GEOGCRS["Mine",DATUM["D",ELLIPSOID["WGS 84",6378137,298.257223563]]]"#;
        assert_eq!(
            Crs::parse_str(anonymous),
            Crs::Named {
                name: "Mine".into()
            }
        );
        let long = "x".repeat(500);
        let Crs::Unrecognised { text } = Crs::parse_str(&long) else {
            panic!()
        };
        assert!(text.chars().count() <= 121);
    }
}
