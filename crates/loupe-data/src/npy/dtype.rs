//! numpy dtypes as `.npy` headers spell them (`<f4`, `>i8`, `|u1`, `<U12`), and the two
//! conversions Loupe needs: numbers → `f32` vectors, and 1-D arrays → Arrow columns.

use std::fmt;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float16Array, Float32Array, Float64Array, Int8Array, Int16Array,
    Int32Array, Int64Array, StringArray, UInt8Array, UInt16Array, UInt32Array, UInt64Array,
};
use half::f16;

/// What kind of values an array holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Float,
    Int,
    Uint,
    Bool,
    /// Fixed-width UTF-32 text (`U`).
    Unicode,
    /// Fixed-width bytes (`S`), usually ASCII text.
    Bytes,
}

/// One element's type: kind, width in bytes, byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dtype {
    pub(crate) kind: Kind,
    /// Bytes per element.
    pub(crate) size: usize,
    pub(crate) big_endian: bool,
}

impl Dtype {
    /// Parses a `descr` string. `=` (native) is taken as little-endian: numpy itself always
    /// writes `<` or `>` for multi-byte types.
    pub(crate) fn parse(descr: &str) -> Result<Self, String> {
        let unsupported = || {
            format!(
                "dtype `{descr}` is not supported (Loupe reads floats, integers, booleans and \
                 text)"
            )
        };
        let (big_endian, rest) = match descr.as_bytes().first() {
            Some(b'>') => (true, &descr[1..]),
            Some(b'<' | b'|' | b'=') => (false, &descr[1..]),
            _ => (false, descr),
        };
        let mut chars = rest.chars();
        let code = chars.next().ok_or_else(unsupported)?;
        let count: usize = chars.as_str().parse().map_err(|_| unsupported())?;
        let (kind, size) = match (code, count) {
            ('f', 2 | 4 | 8) => (Kind::Float, count),
            ('i', 1 | 2 | 4 | 8) => (Kind::Int, count),
            ('u', 1 | 2 | 4 | 8) => (Kind::Uint, count),
            ('b', 1) => (Kind::Bool, 1),
            ('U', 1..) => (Kind::Unicode, count.checked_mul(4).ok_or_else(unsupported)?),
            ('S' | 'a', 1..) => (Kind::Bytes, count),
            _ => return Err(unsupported()),
        };
        Ok(Self {
            kind,
            size,
            big_endian,
        })
    }

    /// Whether values can be vector components.
    pub(crate) fn is_numeric(self) -> bool {
        matches!(self.kind, Kind::Float | Kind::Int | Kind::Uint)
    }

    /// Appends the elements in `bytes` (whole elements only) to `out` as `f32`: floats
    /// rounded, integers converted by value (no scaling). Non-numeric dtypes append nothing.
    pub(crate) fn extend_f32(self, bytes: &[u8], out: &mut Vec<f32>) {
        let be = self.big_endian;
        match (self.kind, self.size) {
            (Kind::Float, 2) => extend(out, bytes, |b: [u8; 2]| {
                let bits = if be {
                    f16::from_be_bytes(b)
                } else {
                    f16::from_le_bytes(b)
                };
                bits.to_f32()
            }),
            (Kind::Float, 4) => extend(out, bytes, |b| {
                if be {
                    f32::from_be_bytes(b)
                } else {
                    f32::from_le_bytes(b)
                }
            }),
            (Kind::Float, 8) => extend(out, bytes, |b| {
                (if be {
                    f64::from_be_bytes(b)
                } else {
                    f64::from_le_bytes(b)
                }) as f32
            }),
            (Kind::Int, 1) => extend(out, bytes, |b: [u8; 1]| f32::from(i8::from_le_bytes(b))),
            (Kind::Int, 2) => extend(out, bytes, |b| {
                f32::from(if be {
                    i16::from_be_bytes(b)
                } else {
                    i16::from_le_bytes(b)
                })
            }),
            (Kind::Int, 4) => extend(out, bytes, |b| {
                (if be {
                    i32::from_be_bytes(b)
                } else {
                    i32::from_le_bytes(b)
                }) as f32
            }),
            (Kind::Int, 8) => extend(out, bytes, |b| {
                (if be {
                    i64::from_be_bytes(b)
                } else {
                    i64::from_le_bytes(b)
                }) as f32
            }),
            (Kind::Uint, 1) => extend(out, bytes, |b: [u8; 1]| f32::from(b[0])),
            (Kind::Uint, 2) => extend(out, bytes, |b| {
                f32::from(if be {
                    u16::from_be_bytes(b)
                } else {
                    u16::from_le_bytes(b)
                })
            }),
            (Kind::Uint, 4) => extend(out, bytes, |b| {
                (if be {
                    u32::from_be_bytes(b)
                } else {
                    u32::from_le_bytes(b)
                }) as f32
            }),
            (Kind::Uint, 8) => extend(out, bytes, |b| {
                (if be {
                    u64::from_be_bytes(b)
                } else {
                    u64::from_le_bytes(b)
                }) as f32
            }),
            _ => {}
        }
    }

    /// The elements in `bytes` as an Arrow column of the matching type, for 1-D `.npz`
    /// arrays that become metadata.
    pub(crate) fn to_arrow(self, bytes: &[u8]) -> ArrayRef {
        let be = self.big_endian;
        match (self.kind, self.size) {
            (Kind::Float, 2) => Arc::new(Float16Array::from(collect(bytes, |b| {
                if be {
                    f16::from_be_bytes(b)
                } else {
                    f16::from_le_bytes(b)
                }
            }))),
            (Kind::Float, 4) => Arc::new(Float32Array::from(collect(bytes, |b| {
                if be {
                    f32::from_be_bytes(b)
                } else {
                    f32::from_le_bytes(b)
                }
            }))),
            (Kind::Float, 8) => Arc::new(Float64Array::from(collect(bytes, |b| {
                if be {
                    f64::from_be_bytes(b)
                } else {
                    f64::from_le_bytes(b)
                }
            }))),
            (Kind::Int, 1) => Arc::new(Int8Array::from(collect(bytes, i8::from_le_bytes))),
            (Kind::Int, 2) => Arc::new(Int16Array::from(collect(bytes, |b| {
                if be {
                    i16::from_be_bytes(b)
                } else {
                    i16::from_le_bytes(b)
                }
            }))),
            (Kind::Int, 4) => Arc::new(Int32Array::from(collect(bytes, |b| {
                if be {
                    i32::from_be_bytes(b)
                } else {
                    i32::from_le_bytes(b)
                }
            }))),
            (Kind::Int, 8) => Arc::new(Int64Array::from(collect(bytes, |b| {
                if be {
                    i64::from_be_bytes(b)
                } else {
                    i64::from_le_bytes(b)
                }
            }))),
            (Kind::Uint, 1) => Arc::new(UInt8Array::from(collect(bytes, |b: [u8; 1]| b[0]))),
            (Kind::Uint, 2) => Arc::new(UInt16Array::from(collect(bytes, |b| {
                if be {
                    u16::from_be_bytes(b)
                } else {
                    u16::from_le_bytes(b)
                }
            }))),
            (Kind::Uint, 4) => Arc::new(UInt32Array::from(collect(bytes, |b| {
                if be {
                    u32::from_be_bytes(b)
                } else {
                    u32::from_le_bytes(b)
                }
            }))),
            (Kind::Uint, 8) => Arc::new(UInt64Array::from(collect(bytes, |b| {
                if be {
                    u64::from_be_bytes(b)
                } else {
                    u64::from_le_bytes(b)
                }
            }))),
            (Kind::Bool, _) => Arc::new(BooleanArray::from(
                bytes.iter().map(|&b| b != 0).collect::<Vec<_>>(),
            )),
            _ => Arc::new(StringArray::from(self.texts(bytes))),
        }
    }

    /// Fixed-width text elements, trailing NULs removed as numpy does.
    fn texts(self, bytes: &[u8]) -> Vec<String> {
        let element_len = self.size.max(1);
        bytes
            .chunks_exact(element_len)
            .map(|element| {
                if self.kind == Kind::Unicode {
                    let code_points = element.as_chunks::<4>().0.iter().map(|&c| {
                        if self.big_endian {
                            u32::from_be_bytes(c)
                        } else {
                            u32::from_le_bytes(c)
                        }
                    });
                    code_points
                        .take_while(|&c| c != 0)
                        .map(|c| char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER))
                        .collect()
                } else {
                    let end = element.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                    String::from_utf8_lossy(&element[..end]).into_owned()
                }
            })
            .collect()
    }
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Single bytes and byte strings have no byte order.
        let order = if self.size == 1 || self.kind == Kind::Bytes {
            '|'
        } else if self.big_endian {
            '>'
        } else {
            '<'
        };
        let (code, count) = match self.kind {
            Kind::Float => ('f', self.size),
            Kind::Int => ('i', self.size),
            Kind::Uint => ('u', self.size),
            Kind::Bool => ('b', 1),
            Kind::Unicode => ('U', self.size / 4),
            Kind::Bytes => ('S', self.size),
        };
        write!(f, "{order}{code}{count}")
    }
}

/// Appends each `N`-byte element of `bytes` converted by `convert`.
fn extend<const N: usize>(out: &mut Vec<f32>, bytes: &[u8], convert: impl Fn([u8; N]) -> f32) {
    out.extend(bytes.as_chunks::<N>().0.iter().map(|&b| convert(b)));
}

/// Each `N`-byte element of `bytes` converted by `convert`.
fn collect<const N: usize, T>(bytes: &[u8], convert: impl Fn([u8; N]) -> T) -> Vec<T> {
    bytes
        .as_chunks::<N>()
        .0
        .iter()
        .map(|&b| convert(b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;

    #[test]
    fn parses_and_prints_descrs() {
        for descr in ["<f4", ">f8", "<f2", "|i1", "<u8", "|b1", "<U5", "|S3"] {
            assert_eq!(Dtype::parse(descr).expect(descr).to_string(), descr);
        }
        assert_eq!(Dtype::parse("=i4").expect("native").to_string(), "<i4");
        for bad in ["<c8", "|O", "<M8[ns]", "<f3", "", "<", "<U0"] {
            assert!(Dtype::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_convert_in_either_byte_order() {
        let mut out = Vec::new();
        Dtype::parse(">f4")
            .expect("dtype")
            .extend_f32(&1.5_f32.to_be_bytes(), &mut out);
        Dtype::parse("<i2")
            .expect("dtype")
            .extend_f32(&(-7_i16).to_le_bytes(), &mut out);
        Dtype::parse(">u8")
            .expect("dtype")
            .extend_f32(&9_u64.to_be_bytes(), &mut out);
        Dtype::parse("<f2")
            .expect("dtype")
            .extend_f32(&f16::from_f32(0.25).to_le_bytes(), &mut out);
        assert_eq!(out, [1.5, -7.0, 9.0, 0.25]);
    }

    #[test]
    fn text_columns() {
        let mut utf32 = Vec::new();
        for c in ['c', 'a', 't', '\0', 'é', '\0', '\0', '\0'] {
            utf32.extend_from_slice(&u32::from(c).to_le_bytes());
        }
        let array = Dtype::parse("<U4").expect("dtype").to_arrow(&utf32);
        let strings = array.as_string::<i32>();
        assert_eq!((strings.value(0), strings.value(1)), ("cat", "é"));
        let array = Dtype::parse("|S2").expect("dtype").to_arrow(b"ab\0\0");
        assert_eq!(array.len(), 2);
        assert_eq!(array.as_string::<i32>().value(1), "");
    }
}
