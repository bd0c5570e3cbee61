//! Words for error messages: Arrow types as pyarrow users spell them, a table's columns, and
//! lists of bad rows.

use arrow_schema::{DataType, Schema};

use crate::report::DroppedRow;

/// A short lowercase spelling of an Arrow type, as pyarrow and duckdb users know them:
/// `list<float32>`, `fixed_size_list<float32>[384]`, `utf8`; shared by error messages here
/// and by `loupe info`.
pub fn type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::List(f) => format!("list<{}>", type_name(f.data_type())),
        DataType::LargeList(f) => format!("large_list<{}>", type_name(f.data_type())),
        DataType::FixedSizeList(f, n) => {
            format!("fixed_size_list<{}>[{n}]", type_name(f.data_type()))
        }
        DataType::Utf8 => "utf8".to_owned(),
        DataType::LargeUtf8 => "large_utf8".to_owned(),
        DataType::Utf8View => "utf8_view".to_owned(),
        other => other.to_string().to_lowercase(),
    }
}

/// `name: type, name: type, …` for messages that must show what a file holds. Wide tables
/// are cut short so a 785-column CSV does not fill the screen.
pub(crate) fn describe_columns(schema: &Schema) -> String {
    const SHOWN: usize = 24;
    let fields = schema.fields();
    let mut columns: Vec<String> = fields
        .iter()
        .take(SHOWN)
        .map(|f| format!("{}: {}", f.name(), type_name(f.data_type())))
        .collect();
    if fields.len() > SHOWN {
        columns.push(format!("… ({} columns in all)", fields.len()));
    }
    if columns.is_empty() {
        "(none)".to_owned()
    } else {
        columns.join(", ")
    }
}

/// The names of a table's columns, comma-separated, for "no such column" messages.
pub(crate) fn column_names(schema: &Schema) -> String {
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    if names.is_empty() {
        "(none)".to_owned()
    } else {
        names.join(", ")
    }
}

/// `rows 2, 5 and 9 hold NaN or infinity; row 7 has 2 values …; and 37 more`: the rows shown,
/// grouped by reason in order of first appearance, then how many were not shown.
pub(crate) fn list_bad_rows(shown: &[DroppedRow], count: usize) -> String {
    let mut groups: Vec<(crate::DropReason, Vec<usize>)> = Vec::new();
    for dropped in shown {
        match groups
            .iter_mut()
            .find(|(reason, _)| *reason == dropped.reason)
        {
            Some((_, rows)) => rows.push(dropped.row),
            None => groups.push((dropped.reason, vec![dropped.row])),
        }
    }
    let mut parts: Vec<String> = groups
        .iter()
        .map(|(reason, rows)| {
            let many = rows.len() > 1;
            let noun = if many { "rows" } else { "row" };
            format!("{noun} {} {}", join_and(rows), reason.phrase(many))
        })
        .collect();
    if count > shown.len() {
        parts.push(format!("and {} more", count - shown.len()));
    }
    parts.join("; ")
}

/// `2`, `2 and 5`, `2, 5 and 9`.
fn join_and(rows: &[usize]) -> String {
    match rows {
        [] => String::new(),
        [only] => only.to_string(),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(ToString::to_string).collect();
            format!("{} and {last}", init.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DropReason;
    use arrow_schema::Field;
    use std::sync::Arc;

    #[test]
    fn type_names_read_like_pyarrow() {
        let item = Arc::new(Field::new("item", DataType::Float32, true));
        assert_eq!(type_name(&DataType::List(item.clone())), "list<float32>");
        assert_eq!(
            type_name(&DataType::FixedSizeList(item, 3)),
            "fixed_size_list<float32>[3]"
        );
        assert_eq!(type_name(&DataType::Utf8), "utf8");
        assert_eq!(type_name(&DataType::Int64), "int64");
    }

    #[test]
    fn wide_tables_are_cut_short() {
        let fields: Vec<Field> = (0..100)
            .map(|i| Field::new(format!("p{i}"), DataType::UInt8, true))
            .collect();
        let text = describe_columns(&Schema::new(fields));
        assert!(text.starts_with("p0: uint8, p1: uint8"), "{text}");
        assert!(text.ends_with("… (100 columns in all)"), "{text}");
    }

    #[test]
    fn bad_rows_group_by_reason() {
        let row = |row, reason| DroppedRow { row, reason };
        let ragged = DropReason::Ragged {
            len: 2,
            expected: 3,
        };
        let shown = [
            row(1, DropReason::NonFinite),
            row(4, ragged),
            row(6, DropReason::NonFinite),
        ];
        assert_eq!(
            list_bad_rows(&shown, 3),
            "rows 1 and 6 hold NaN or infinity; row 4 has 2 values where the first vector \
             has 3"
        );
        assert_eq!(
            list_bad_rows(&shown[..1], 5),
            "row 1 holds NaN or infinity; and 4 more"
        );
    }
}
