//! The benchmark's file formats: raw little-endian arrays and flat JSON records.
//!
//! Raw arrays (`.f32`, `.u32`, `.u8`) are what numpy's `tofile`/`fromfile` read and write, so
//! the Python runner needs nothing beyond numpy. The JSON records are flat objects of numbers,
//! strings and nulls; a tiny reader for exactly that shape saves a serde dependency.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// Writes `values` as raw little-endian `f32`.
pub fn write_f32(path: &Path, values: &[f32]) -> Result<()> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Writes `values` as raw little-endian `u32`.
pub fn write_u32(path: &Path, values: &[u32]) -> Result<()> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn read_words(path: &Path) -> Result<Vec<[u8; 4]>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if !bytes.len().is_multiple_of(4) {
        bail!(
            "{} has {} bytes, not a whole number of 4-byte values",
            path.display(),
            bytes.len()
        );
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect())
}

/// Reads raw little-endian `f32`, checking the count when `expected` is given.
pub fn read_f32(path: &Path, expected: Option<usize>) -> Result<Vec<f32>> {
    let values: Vec<f32> = read_words(path)?
        .into_iter()
        .map(f32::from_le_bytes)
        .collect();
    check_len(path, values.len(), expected)?;
    Ok(values)
}

/// Reads raw little-endian `u32`, checking the count when `expected` is given.
pub fn read_u32(path: &Path, expected: Option<usize>) -> Result<Vec<u32>> {
    let values: Vec<u32> = read_words(path)?
        .into_iter()
        .map(u32::from_le_bytes)
        .collect();
    check_len(path, values.len(), expected)?;
    Ok(values)
}

fn check_len(path: &Path, len: usize, expected: Option<usize>) -> Result<()> {
    match expected {
        Some(e) if e != len => bail!("{} holds {len} values, expected {e}", path.display()),
        _ => Ok(()),
    }
}

/// A value of a flat JSON record.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number (NaN and infinities are written as `null`).
    Num(f64),
    /// A string without escapes.
    Str(String),
    /// `null`.
    Null,
}

/// A flat JSON object, keys in sorted order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record(pub BTreeMap<String, Value>);

impl Record {
    /// Sets a number; non-finite numbers become `null`.
    pub fn num(&mut self, key: &str, value: f64) -> &mut Self {
        let v = if value.is_finite() {
            Value::Num(value)
        } else {
            Value::Null
        };
        self.0.insert(key.to_owned(), v);
        self
    }

    /// Sets a string.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.0.insert(key.to_owned(), Value::Str(value.to_owned()));
        self
    }

    /// A number, if the key holds one.
    pub fn get_num(&self, key: &str) -> Option<f64> {
        match self.0.get(key) {
            Some(Value::Num(v)) => Some(*v),
            _ => None,
        }
    }

    /// A string, if the key holds one.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        match self.0.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// The record as JSON text (one key per line).
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        for (i, (key, value)) in self.0.iter().enumerate() {
            let sep = if i + 1 == self.0.len() { "" } else { "," };
            let text = match value {
                Value::Num(v) => format!("{v}"),
                Value::Str(s) => format!("\"{}\"", s.replace(['"', '\\'], "'")),
                Value::Null => "null".to_owned(),
            };
            let _ = writeln!(out, "  \"{key}\": {text}{sep}");
        }
        out.push('}');
        out.push('\n');
        out
    }

    /// Writes the record as JSON.
    pub fn write(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_json()).with_context(|| format!("writing {}", path.display()))
    }

    /// Reads a flat JSON object of numbers, escape-free strings, booleans (read as 0/1) and
    /// nulls — what this crate and `scripts/bench_opentsne.py` write.
    pub fn read(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// Parses the flat JSON shape described at [`Self::read`].
    pub fn parse(text: &str) -> Result<Self> {
        let body = text
            .trim()
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .context("not a JSON object")?;
        let mut record = Self::default();
        let mut rest = body.trim();
        while !rest.is_empty() {
            let after_quote = rest.strip_prefix('"').context("expected a quoted key")?;
            let end = after_quote.find('"').context("unterminated key")?;
            let key = &after_quote[..end];
            rest = after_quote[end + 1..]
                .trim_start()
                .strip_prefix(':')
                .context("expected ':' after a key")?
                .trim_start();
            let (value, remaining) = if let Some(s) = rest.strip_prefix('"') {
                let end = s.find('"').context("unterminated string")?;
                (Value::Str(s[..end].to_owned()), &s[end + 1..])
            } else {
                let end = rest.find(',').unwrap_or(rest.len());
                let token = rest[..end].trim();
                let value = match token {
                    "null" | "NaN" | "Infinity" | "-Infinity" => Value::Null,
                    "true" => Value::Num(1.0),
                    "false" => Value::Num(0.0),
                    t => Value::Num(
                        t.parse()
                            .with_context(|| format!("bad value {t:?} for key {key:?}"))?,
                    ),
                };
                (value, &rest[end..])
            };
            record.0.insert(key.to_owned(), value);
            rest = remaining.trim_start();
            rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        }
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_read_python_json() {
        let mut r = Record::default();
        r.num("kl", 2.5).str("tool", "loupe").num("bad", f64::NAN);
        let back = Record::parse(&r.to_json()).unwrap();
        assert_eq!(back, r);
        let py = r#"{"tool": "opentsne", "total_s": 78.5, "kl": null, "n": 70000, "ok": true}"#;
        let rec = Record::parse(py).unwrap();
        assert_eq!(rec.get_str("tool"), Some("opentsne"));
        assert_eq!(rec.get_num("total_s"), Some(78.5));
        assert_eq!(rec.get_num("kl"), None);
        assert_eq!(rec.get_num("ok"), Some(1.0));
        assert!(Record::parse("[1, 2]").is_err());
    }

    #[test]
    fn raw_arrays_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.f32");
        write_f32(&p, &[1.5, -2.0]).unwrap();
        assert_eq!(read_f32(&p, Some(2)).unwrap(), [1.5, -2.0]);
        assert!(read_f32(&p, Some(3)).is_err());
        let q = dir.path().join("a.u32");
        write_u32(&q, &[7, 70_000]).unwrap();
        assert_eq!(read_u32(&q, None).unwrap(), [7, 70_000]);
    }
}
