//! A look over a Parquet file's metadata before any page is decoded.
//!
//! The parquet crate asserts (panics) when a column chunk's offset or size is negative, and a
//! damaged footer can point column chunks past the end of the file. Checking the few numbers
//! involved here turns such files into a message instead.

use std::fs::File;
use std::path::Path;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaData;

use crate::DataError;

/// Opens a Parquet file for reading, its footer parsed and checked with [`check_layout`]:
/// the one way this crate starts reading Parquet.
pub(crate) fn open_checked(
    path: &Path,
) -> Result<ParquetRecordBatchReaderBuilder<File>, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(e, path))?;
    let file_len = file.metadata().map_err(|e| DataError::io(e, path))?.len();
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| DataError::parquet(e, path))?;
    check_layout(builder.metadata(), file_len)
        .map_err(|reason| DataError::parquet(ParquetError::General(reason), path))?;
    Ok(builder)
}

/// Checks that every column chunk lies inside a file of `file_len` bytes.
pub(crate) fn check_layout(metadata: &ParquetMetaData, file_len: u64) -> Result<(), String> {
    for (g, group) in metadata.row_groups().iter().enumerate() {
        if group.num_rows() < 0 {
            return Err(format!("row group {g} has a negative row count"));
        }
        for column in group.columns() {
            let start = column
                .dictionary_page_offset()
                .unwrap_or_else(|| column.data_page_offset());
            let (Ok(start), Ok(len), Ok(data)) = (
                u64::try_from(start),
                u64::try_from(column.compressed_size()),
                u64::try_from(column.data_page_offset()),
            ) else {
                return Err(format!(
                    "column `{}` of row group {g} has a negative offset or size",
                    column.column_path()
                ));
            };
            let end = start.checked_add(len);
            if end.is_none_or(|end| end > file_len) || data < start {
                return Err(format!(
                    "column `{}` of row group {g} lies outside the file",
                    column.column_path()
                ));
            }
        }
    }
    Ok(())
}
