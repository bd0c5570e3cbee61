//! A look over a Parquet file's metadata before any page is decoded.
//!
//! The parquet crate asserts (panics) when a column chunk's offset or size is negative, and a
//! damaged footer can point column chunks past the end of the file. Checking the few numbers
//! involved here turns such files into a message instead.

use parquet::file::metadata::ParquetMetaData;

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
