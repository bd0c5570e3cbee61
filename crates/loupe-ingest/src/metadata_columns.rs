//! Per-file key/value metadata as constant columns.
//!
//! Clay v1.5 files carry the `date`, `gsd` and `uri` of their imagery only in the Parquet
//! key/value metadata, so once several files are stacked nothing tells their rows apart.
//! Copying each short entry onto every row of its file keeps that information.

use std::collections::{BTreeMap, BTreeSet};

/// Keys never made into columns: the GeoParquet description (this crate rewrites it), Arrow's
/// serialised schema and pandas' index description (both describe the file, not its rows).
pub const SKIPPED_KEYS: [&str; 3] = ["geo", "ARROW:schema", "pandas"];

/// Values longer than this (in characters) are documents, not labels, and are not copied onto
/// every row.
pub const MAX_VALUE_CHARS: usize = 256;

/// Put before a derived column's name when the data already has a column of that name, so
/// nothing in the file is overwritten: `date` from the metadata becomes `file_date`.
pub const FILE_PREFIX: &str = "file_";

/// The key/value entries that become constant text columns for a file's rows, in key order.
///
/// The rule: every entry except
/// * the keys in [`SKIPPED_KEYS`] and keys starting with `loupe:` (Loupe's own bookkeeping);
/// * values longer than [`MAX_VALUE_CHARS`] characters;
/// * values that look like JSON (starting with `{` or `[` after white space), which are
///   structured descriptions such as a model card, not a per-row value.
///
/// Values stay text (`utf8`): `gsd = "10"` is not guessed to be a number. When the data
/// already has a column with an entry's name, the new column is named with [`FILE_PREFIX`]
/// before it, and likewise when a column made earlier for the same file took the name (a
/// metadata entry `version` beside the file name's `version` becomes `file_version`). The same
/// rule names the file-name columns (`mgrs`, `mindate`, `maxdate`, `version`) and
/// `source_file`, which are made first.
pub fn metadata_columns(key_values: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
    key_values
        .iter()
        .filter(|(key, value)| {
            let trimmed = value.trim_start();
            !key.is_empty()
                && !SKIPPED_KEYS.contains(&key.as_str())
                && !key.starts_with("loupe:")
                && value.chars().count() <= MAX_VALUE_CHARS
                && !trimmed.starts_with('{')
                && !trimmed.starts_with('[')
        })
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect()
}

/// The name a derived column gets given every data column of every file: `name`, or
/// `file_name` (then `file_file_name`, …) while that is taken.
pub(crate) fn derived_name(name: &str, data_columns: &BTreeSet<String>) -> String {
    let mut out = name.to_owned();
    while data_columns.contains(&out) {
        out.insert_str(0, FILE_PREFIX);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_keeps_short_labels_only() {
        let kv: BTreeMap<String, String> = [
            ("date", "2024-06-01"),
            ("gsd", "10"),
            ("uri", "s3://bucket/chip.tif"),
            ("geo", "{\"primary_column\": \"geometry\"}"),
            ("pandas", "{}"),
            ("ARROW:schema", "/////"),
            ("emb", "  {\"model\": 1}"),
            ("bands", "[\"red\", \"green\"]"),
            ("loupe:skipped_null_vectors", "2"),
            ("long", &"x".repeat(MAX_VALUE_CHARS + 1)),
            ("just_fits", &"y".repeat(MAX_VALUE_CHARS)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let kept: Vec<&str> = metadata_columns(&kv).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kept, ["date", "gsd", "just_fits", "uri"]);
    }

    #[test]
    fn clashing_names_get_the_prefix() {
        let data: BTreeSet<String> = ["date", "file_date", "id"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(derived_name("gsd", &data), "gsd");
        assert_eq!(derived_name("date", &data), "file_file_date");
    }
}
