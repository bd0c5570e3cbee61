//! The Clay embedding file-name pattern, `{MGRS}_{YYYYMMDD}_{YYYYMMDD}_v{version}` plus an
//! extension (e.g. `03WVN_20220610_20220610_v001.gpq`): the tile and the date range of the
//! imagery live only in the name, so they become columns.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// What a Clay file name says about its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClayName {
    /// The MGRS tile, e.g. `03WVN` (as written, upper-cased).
    pub mgrs: String,
    /// First imagery date, days since 1970-01-01 (Arrow's `Date32`).
    pub mindate: i32,
    /// Last imagery date, days since 1970-01-01.
    pub maxdate: i32,
    /// The version without its `v`, kept as text so `001` stays `001`.
    pub version: String,
}

impl ClayName {
    /// Parses a path's file name; `None` when it does not follow the pattern exactly.
    ///
    /// The MGRS part must be a 1–2 digit UTM zone and three letters; the dates must be real
    /// calendar dates; the version must be `v` and one or more ASCII letters or digits. The
    /// extension is not looked at, so `.gpq`, `.parquet` and `.geoparquet` all match.
    pub fn parse(path: &Path) -> Option<Self> {
        let stem = path.file_stem()?.to_str()?;
        let mut parts = stem.split('_');
        let (mgrs, min, max, version) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !is_mgrs(mgrs) {
            return None;
        }
        let version = version.strip_prefix(['v', 'V'])?;
        if version.is_empty() || !version.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        Some(Self {
            mgrs: mgrs.to_ascii_uppercase(),
            mindate: parse_yyyymmdd(min)?,
            maxdate: parse_yyyymmdd(max)?,
            version: version.to_owned(),
        })
    }
}

/// `3WVN`, `03WVN`: zone digits, latitude band, 100 km square letters.
fn is_mgrs(s: &str) -> bool {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let letters = &s.as_bytes()[digits..];
    (1..=2).contains(&digits) && letters.len() == 3 && letters.iter().all(u8::is_ascii_alphabetic)
}

/// `20220610` → days since 1970-01-01, checking that the date exists.
fn parse_yyyymmdd(s: &str) -> Option<i32> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = s[0..4].parse().ok()?;
    let month: u32 = s[4..6].parse().ok()?;
    let day: u32 = s[6..8].parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`,
/// <https://howardhinnant.github.io/date_algorithms.html>).
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_name_parses() {
        let name =
            ClayName::parse(Path::new("/x/03WVN_20220610_20220610_v001.gpq")).expect("a Clay name");
        assert_eq!(name.mgrs, "03WVN");
        assert_eq!(name.version, "001");
        // 2022-06-10 is day 19153 of the Unix epoch.
        assert_eq!((name.mindate, name.maxdate), (19_153, 19_153));
        let span =
            ClayName::parse(Path::new("33UXP_20240101_20241231_v1.parquet")).expect("a Clay name");
        assert_eq!(span.maxdate - span.mindate, 365, "2024 is a leap year");
    }

    #[test]
    fn other_names_do_not_match() {
        for name in [
            "sample_embeddings.parquet",
            "21MNT.parquet",
            "03WVN_20220610_20220610.gpq",
            "03WVN_20220610_20220610_001.gpq",
            "03WVN_20220610_20220610_v.gpq",
            "03WVN_20220231_20220610_v001.gpq",
            "03WVN_2022061_20220610_v001.gpq",
            "WVN_20220610_20220610_v001.gpq",
            "03WVN_20220610_20220610_v001_extra.gpq",
            "123WVN_20220610_20220610_v001.gpq",
        ] {
            assert_eq!(ClayName::parse(Path::new(name)), None, "{name}");
        }
    }

    #[test]
    fn civil_days_match_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(parse_yyyymmdd("20000229"), Some(11_016));
        assert_eq!(parse_yyyymmdd("19000229"), None);
    }
}
