//! Arrow IPC → [`Dataset`]: the file format (Feather v2, magic `ARROW1`) and the stream
//! format, both through the shared table path, so columns are chosen exactly as for Parquet.
//! Each file's message metadata is checked first (see [`check`]).

mod check;

use std::fs::File;
use std::io::{self, Seek};
use std::path::Path;

use arrow_ipc::reader::{FileReader, StreamReader};
use arrow_schema::ArrowError;
use loupe_core::Dataset;

use crate::report::{FileFormat, FileReport};
use crate::table::{key_values, read_table};
use crate::{DataError, ReadOptions};

/// Reads an Arrow IPC file (random access, with a footer).
pub(crate) fn read_ipc_file(
    path: &Path,
    options: &ReadOptions,
) -> Result<(Dataset, FileReport), DataError> {
    let file = checked(path, check::check_file)?;
    let reader = FileReader::try_new_buffered(file, None).map_err(|e| ipc_error(e, path))?;
    let schema = reader.schema();
    let mut report = FileReport::new(FileFormat::ArrowFile);
    report.key_values = key_values(schema.metadata().iter().chain(reader.custom_metadata()));
    let batches = reader.map(|batch| batch.map_err(|e| ipc_error(e, path)));
    let dataset = read_table(path, &schema, batches, 0, options, &mut report)?;
    Ok((dataset, report))
}

/// Reads an Arrow IPC stream (batches one after another, no footer).
pub(crate) fn read_ipc_stream(
    path: &Path,
    options: &ReadOptions,
) -> Result<(Dataset, FileReport), DataError> {
    let file = checked(path, check::check_stream)?;
    let reader = StreamReader::try_new_buffered(file, None).map_err(|e| ipc_error(e, path))?;
    let schema = reader.schema();
    let mut report = FileReport::new(FileFormat::ArrowStream);
    report.key_values = key_values(schema.metadata().iter());
    let batches = reader.map(|batch| batch.map_err(|e| ipc_error(e, path)));
    let dataset = read_table(path, &schema, batches, 0, options, &mut report)?;
    Ok((dataset, report))
}

/// Opens the file and runs `check` over it, leaving it rewound for the reader.
fn checked(path: &Path, check: fn(&mut File) -> Result<(), String>) -> Result<File, DataError> {
    let mut file = File::open(path).map_err(|e| DataError::io(e, path))?;
    check(&mut file).map_err(|reason| DataError::Ipc {
        source: ArrowError::IpcError(reason),
        path: path.to_path_buf(),
    })?;
    file.rewind().map_err(|e| DataError::io(e, path))?;
    Ok(file)
}

/// IPC errors, with an operating-system failure kept apart from a damaged or cut-short file.
fn ipc_error(error: ArrowError, path: &Path) -> DataError {
    match error {
        ArrowError::IoError(_, source) if source.kind() != io::ErrorKind::UnexpectedEof => {
            DataError::io(source, path)
        }
        source => DataError::Ipc {
            source,
            path: path.to_path_buf(),
        },
    }
}
