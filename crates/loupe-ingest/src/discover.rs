//! Which files a path stands for: itself, or a folder's (Geo)Parquet files in name order.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::IngestError;

/// Extensions read from a folder (compared without regard to case).
pub(crate) const FOLDER_EXTENSIONS: [&str; 3] = ["gpq", "parquet", "geoparquet"];

/// The files behind an opened path.
#[derive(Debug)]
pub(crate) struct Sources {
    /// Whether the path is a folder.
    pub(crate) folder: bool,
    /// The files, sorted by file name (bytewise), so row order never depends on the order
    /// the operating system lists a directory in.
    pub(crate) files: Vec<PathBuf>,
}

/// Lists the files to read: the path itself when it is a file; a folder's files with a
/// [`FOLDER_EXTENSIONS`] extension, not recursing into sub-folders and skipping hidden files
/// (names starting with `.`, such as macOS's `._x.parquet` resource forks).
pub(crate) fn discover(path: &Path) -> Result<Sources, IngestError> {
    let metadata = fs::metadata(path).map_err(|e| not_found_or(e, path))?;
    if !metadata.is_dir() {
        return Ok(Sources {
            folder: false,
            files: vec![path.to_path_buf()],
        });
    }
    let read_dir_error = |source| IngestError::ReadDir {
        source,
        path: path.to_path_buf(),
    };
    let mut files = Vec::new();
    for entry in fs::read_dir(path).map_err(read_dir_error)? {
        let entry = entry.map_err(read_dir_error)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let wanted = !name.starts_with('.')
            && Path::new(name)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| FOLDER_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)));
        // `metadata` follows links, so a link to a file counts and a link to a folder not.
        if wanted && fs::metadata(entry.path()).is_ok_and(|m| m.is_file()) {
            files.push(entry.path());
        }
    }
    if files.is_empty() {
        return Err(IngestError::NoFiles {
            path: path.to_path_buf(),
        });
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(Sources {
        folder: true,
        files,
    })
}

fn not_found_or(source: io::Error, path: &Path) -> IngestError {
    let path = path.to_path_buf();
    if source.kind() == io::ErrorKind::NotFound {
        IngestError::NotFound { path }
    } else {
        IngestError::ReadDir { source, path }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_list_parquet_files_in_name_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in [
            "b.parquet",
            "a.GPQ",
            "c.geoparquet",
            "notes.txt",
            ".hidden.parquet",
        ] {
            fs::write(dir.path().join(name), b"x").expect("write");
        }
        fs::create_dir(dir.path().join("sub.parquet")).expect("mkdir");
        let sources = discover(dir.path()).expect("a folder");
        assert!(sources.folder);
        let names: Vec<String> = sources
            .files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.GPQ", "b.parquet", "c.geoparquet"]);

        let single = discover(&dir.path().join("notes.txt")).expect("a file");
        assert!(!single.folder && single.files.len() == 1);
        assert!(matches!(
            discover(&dir.path().join("missing")),
            Err(IngestError::NotFound { .. })
        ));
        let empty = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            discover(empty.path()),
            Err(IngestError::NoFiles { .. })
        ));
    }
}
