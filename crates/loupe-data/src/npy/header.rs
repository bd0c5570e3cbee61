//! The `.npy` header: magic, version, and the Python dict literal that gives the dtype, the
//! memory order and the shape, e.g.
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 768), }`.
//!
//! Parsed by a small scanner that understands exactly the literals numpy writes there
//! (strings, `True`/`False`, tuples of integers) — never by evaluating anything.

use std::io::Read;

use crate::npy::dtype::Dtype;

/// `\x93NUMPY`, the first six bytes of every `.npy` file.
pub(crate) const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// Headers longer than this are refused rather than allocated (numpy's own limit is 10 kB).
const MAX_HEADER_BYTES: usize = 1 << 20;

/// What the header says about the array that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) dtype: Dtype,
    /// Column-major data (`np.asfortranarray`), rather than numpy's usual row-major.
    pub(crate) fortran_order: bool,
    pub(crate) shape: Vec<usize>,
    /// Bytes from the start of the file to the data.
    pub(crate) len: usize,
}

impl Header {
    /// Elements in the whole array, `None` on overflow.
    pub(crate) fn elements(&self) -> Option<usize> {
        self.shape
            .iter()
            .try_fold(1_usize, |n, &d| n.checked_mul(d))
    }

    /// `f4 (1000, 768)`, for messages.
    pub(crate) fn describe(&self) -> String {
        let dims: Vec<String> = self.shape.iter().map(ToString::to_string).collect();
        let comma = if dims.len() == 1 { "," } else { "" };
        format!("{} ({}{comma})", self.dtype, dims.join(", "))
    }
}

/// Reads the magic, version and header dict from the start of `reader`.
pub(crate) fn read_header(reader: &mut impl Read) -> Result<Header, String> {
    let mut start = [0_u8; 8];
    read_exact(reader, &mut start)?;
    if &start[..6] != MAGIC {
        return Err("it does not start with the numpy magic bytes".to_owned());
    }
    let (major, minor) = (start[6], start[7]);
    let (len, prefix) = match major {
        1 => {
            let mut len = [0_u8; 2];
            read_exact(reader, &mut len)?;
            (usize::from(u16::from_le_bytes(len)), 10)
        }
        2 | 3 => {
            let mut len = [0_u8; 4];
            read_exact(reader, &mut len)?;
            (u32::from_le_bytes(len) as usize, 12)
        }
        _ => return Err(format!("format version {major}.{minor} is not supported")),
    };
    if len > MAX_HEADER_BYTES {
        return Err(format!("its header claims {len} bytes"));
    }
    let mut text = vec![0_u8; len];
    read_exact(reader, &mut text)?;
    let mut header = parse_dict(&text)?;
    header.len = prefix + len;
    Ok(header)
}

fn read_exact(reader: &mut impl Read, buf: &mut [u8]) -> Result<(), String> {
    reader.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "the file ends inside its header".to_owned(),
        _ => format!("its header could not be read ({e})"),
    })
}

/// Parses the header dict; the result's `len` is left 0 for the caller.
fn parse_dict(text: &[u8]) -> Result<Header, String> {
    let mut scan = Scanner { text, pos: 0 };
    let (mut descr, mut fortran_order, mut shape) = (None, None, None);
    scan.expect(b'{')?;
    loop {
        if scan.eat(b'}') {
            break;
        }
        let key = scan.string()?;
        scan.expect(b':')?;
        match key.as_str() {
            "descr" if scan.peek() == Some(b'[') => {
                return Err("structured dtypes (records) are not supported".to_owned());
            }
            "descr" => descr = Some(scan.string()?),
            "fortran_order" => fortran_order = Some(scan.boolean()?),
            "shape" => shape = Some(scan.tuple()?),
            other => return Err(format!("unexpected header key `{other}`")),
        }
        if !scan.eat(b',') {
            scan.expect(b'}')?;
            break;
        }
    }
    let missing = |key: &str| format!("the header has no `{key}`");
    let descr = descr.ok_or_else(|| missing("descr"))?;
    Ok(Header {
        dtype: Dtype::parse(&descr)?,
        fortran_order: fortran_order.ok_or_else(|| missing("fortran_order"))?,
        shape: shape.ok_or_else(|| missing("shape"))?,
        len: 0,
    })
}

/// A cursor over the header text that skips whitespace before every token.
struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&mut self) -> Option<u8> {
        while self.text.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
        self.text.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(format!(
                "its header is malformed (expected `{}` at byte {})",
                char::from(byte),
                self.pos
            ))
        }
    }

    /// A quoted string, `'…'` or `"…"`, without escapes (numpy writes none).
    fn string(&mut self) -> Result<String, String> {
        let Some(quote) = self.peek().filter(|&q| q == b'\'' || q == b'"') else {
            return Err(format!(
                "its header is malformed (expected a string at byte {})",
                self.pos
            ));
        };
        let start = self.pos + 1;
        let len = self.text[start..]
            .iter()
            .position(|&b| b == quote)
            .ok_or("its header has an unterminated string")?;
        self.pos = start + len + 1;
        String::from_utf8(self.text[start..start + len].to_vec())
            .map_err(|_| "its header is not valid text".to_owned())
    }

    fn boolean(&mut self) -> Result<bool, String> {
        self.peek();
        let rest = &self.text[self.pos..];
        for (word, value) in [(&b"True"[..], true), (&b"False"[..], false)] {
            if rest.starts_with(word) {
                self.pos += word.len();
                return Ok(value);
            }
        }
        Err("its header's `fortran_order` is not True or False".to_owned())
    }

    /// `()`, `(5,)`, `(1000, 768)`; Python 2's `3L` is accepted.
    fn tuple(&mut self) -> Result<Vec<usize>, String> {
        self.expect(b'(')?;
        let mut dims = Vec::new();
        while !self.eat(b')') {
            self.peek();
            let digits = self.text[self.pos..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let number = std::str::from_utf8(&self.text[self.pos..self.pos + digits])
                .ok()
                .and_then(|d| d.parse::<usize>().ok())
                .ok_or("its header's `shape` is not a tuple of sizes")?;
            dims.push(number);
            self.pos += digits;
            self.eat(b'L');
            if !self.eat(b',') {
                self.expect(b')')?;
                break;
            }
        }
        Ok(dims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::npy::dtype::Kind;

    fn header(version: u8, dict: &str) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[version, 0]);
        if version == 1 {
            bytes.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        } else {
            bytes.extend_from_slice(&(dict.len() as u32).to_le_bytes());
        }
        bytes.extend_from_slice(dict.as_bytes());
        bytes
    }

    #[test]
    fn every_version_and_spelling() {
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }    \n";
        for version in [1, 2, 3] {
            let bytes = header(version, dict);
            let h = read_header(&mut bytes.as_slice()).expect("header");
            assert_eq!(h.shape, [3, 4]);
            assert!(!h.fortran_order);
            assert_eq!(h.dtype.kind, Kind::Float);
            assert_eq!(h.len, bytes.len());
        }
        let dict = "{\"shape\":(5L,),\"fortran_order\":True,\"descr\":\">i8\"}";
        let h = read_header(&mut header(1, dict).as_slice()).expect("header");
        assert_eq!((h.shape.as_slice(), h.fortran_order), (&[5][..], true));
        assert!(h.dtype.big_endian);
        assert_eq!(h.describe(), ">i8 (5,)");
        let h = read_header(
            &mut header(1, "{'descr':'|u1','fortran_order':False,'shape':()}").as_slice(),
        )
        .expect("scalar");
        assert!(h.shape.is_empty());
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        let cases = [
            (
                "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}",
                "structured",
            ),
            ("{'descr': '<f4', 'fortran_order': False}", "shape"),
            (
                "{'descr': '<c8', 'fortran_order': False, 'shape': (2,)}",
                "c8",
            ),
            (
                "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}",
                "True or False",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x)}",
                "shape",
            ),
            ("{'descr': '<f4", "unterminated"),
            ("", "malformed"),
        ];
        for (dict, words) in cases {
            let err = read_header(&mut header(1, dict).as_slice()).expect_err(dict);
            assert!(err.contains(words), "{dict}: {err}");
        }
        let mut bytes = header(1, "{}");
        bytes[6] = 4;
        assert!(
            read_header(&mut bytes.as_slice())
                .expect_err("v4")
                .contains("4.0")
        );
        assert!(
            read_header(&mut &b"\x93NUMPY\x01"[..])
                .expect_err("short")
                .contains("ends")
        );
    }
}
