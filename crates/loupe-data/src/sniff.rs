//! Telling formats apart: by the first bytes where a format has a magic number, so renamed
//! files still open, and by the extension for CSV, which has none.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::DataError;

/// What [`read_file`](crate::read_file) will read a file as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Parquet,
    ArrowFile,
    ArrowStream,
    /// Comma- or (`tab`) tab-separated text.
    Csv {
        tab: bool,
    },
    Npy,
    Npz,
    /// Raw IDX or gzip (which we only expect to hold IDX).
    Idx,
    /// A file of zero bytes.
    Empty,
}

/// The format of the file at `path`.
pub(crate) fn sniff(path: &Path) -> Result<Format, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(e, path))?;
    let mut magic = Vec::with_capacity(8);
    file.take(8)
        .read_to_end(&mut magic)
        .map_err(|e| DataError::io(e, path))?;
    if magic.is_empty() {
        return Ok(Format::Empty);
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    format_of(&magic)
        .or_else(|| extension.as_deref().and_then(format_of_extension))
        .ok_or_else(|| DataError::UnknownFormat {
            magic: magic
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" "),
            path: path.to_path_buf(),
        })
}

/// The format a file's first bytes announce, if any.
pub(crate) fn format_of(magic: &[u8]) -> Option<Format> {
    if magic.starts_with(b"PAR1") {
        Some(Format::Parquet)
    } else if magic.starts_with(b"ARROW1") {
        Some(Format::ArrowFile)
    } else if magic.starts_with(crate::npy::MAGIC) {
        Some(Format::Npy)
    } else if magic.starts_with(b"PK\x03\x04") || magic.starts_with(b"PK\x05\x06") {
        // A zip: the only zips Loupe reads are .npz archives (`PK\x05\x06` is an empty one).
        Some(Format::Npz)
    } else if magic.starts_with(&[0xff; 4]) {
        // An IPC stream's first message starts with the continuation marker.
        Some(Format::ArrowStream)
    } else {
        match magic {
            [0x1f, 0x8b, ..] => Some(Format::Idx),
            [0, 0, kind, dims, ..] if crate::read_idx::is_idx_magic(*kind, *dims) => {
                Some(Format::Idx)
            }
            _ => None,
        }
    }
}

/// The format an extension names: CSV, which has no magic, and the binary formats, so that a
/// damaged file gets that format's explanation rather than "unknown format".
fn format_of_extension(extension: &str) -> Option<Format> {
    Some(match extension {
        "csv" => Format::Csv { tab: false },
        "tsv" | "tab" => Format::Csv { tab: true },
        "parquet" | "pq" | "gpq" | "geoparquet" => Format::Parquet,
        "arrow" | "feather" | "ipc" => Format::ArrowFile,
        "arrows" => Format::ArrowStream,
        "npy" => Format::Npy,
        "npz" => Format::Npz,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_magic_bytes() {
        assert_eq!(format_of(b"PAR1"), Some(Format::Parquet));
        assert_eq!(format_of(b"ARROW1\0\0"), Some(Format::ArrowFile));
        assert_eq!(
            format_of(&[0xff, 0xff, 0xff, 0xff, 8, 0]),
            Some(Format::ArrowStream)
        );
        assert_eq!(format_of(b"\x93NUMPY\x01\x00"), Some(Format::Npy));
        assert_eq!(format_of(b"PK\x03\x04"), Some(Format::Npz));
        assert_eq!(format_of(&[0x1f, 0x8b, 8, 0]), Some(Format::Idx));
        assert_eq!(format_of(&[0, 0, 8, 3]), Some(Format::Idx));
        assert_eq!(format_of(&[0, 0, 8, 0]), None);
        assert_eq!(format_of(b"id,x"), None);
    }

    #[test]
    fn csv_comes_from_the_extension() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, format) in [
            ("a.csv", Some(Format::Csv { tab: false })),
            ("a.TSV", Some(Format::Csv { tab: true })),
            ("a.txt", None),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, b"id,x\n1,2\n").expect("write");
            assert_eq!(sniff(&path).ok(), format, "{name}");
        }
        let path = dir.path().join("empty.bin");
        std::fs::write(&path, b"").expect("write");
        assert_eq!(sniff(&path).expect("sniffed"), Format::Empty);
    }
}
