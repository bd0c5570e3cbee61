//! Parsing one text cell holding a JSON array of numbers, `"[0.1, -2e-3, 4]"`, as pandas
//! writes list columns to CSV.
//!
//! A hand-written scan rather than a JSON library: the only shape accepted is a flat array of
//! numbers, and the values go straight into a reused buffer, never into a `Vec` per cell.
//! Python's `json` writes `NaN`, `Infinity` and `-Infinity`; they parse, and the row is then
//! reported as non-finite like any other.

/// What a cell held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cell {
    /// An array of numbers, now in the buffer (possibly empty).
    Values,
    /// Nothing: empty text or `null`.
    Null,
    /// An array with at least one `null` element.
    HasNull,
    /// Text that is not a flat array of numbers.
    Malformed,
}

/// Parses `text` into `out` (cleared first).
pub(crate) fn parse_array(text: &str, out: &mut Vec<f32>) -> Cell {
    out.clear();
    let text = text.trim();
    if text.is_empty() || text == "null" {
        return Cell::Null;
    }
    let Some(inner) = text
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    else {
        return Cell::Malformed;
    };
    if inner.trim().is_empty() {
        return Cell::Values;
    }
    let mut has_null = false;
    for token in inner.split(',') {
        let token = token.trim();
        if token == "null" {
            has_null = true;
        } else if let Ok(value) = token.parse::<f32>() {
            out.push(value);
        } else {
            return Cell::Malformed;
        }
    }
    if has_null {
        Cell::HasNull
    } else {
        Cell::Values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (Cell, Vec<f32>) {
        let mut out = vec![99.0];
        let cell = parse_array(text, &mut out);
        (cell, out)
    }

    #[test]
    fn numbers_in_every_json_spelling() {
        assert_eq!(
            parsed(" [0.5, -1e-3,2 , 3E2]\n"),
            (Cell::Values, vec![0.5, -1e-3, 2.0, 300.0])
        );
        assert_eq!(parsed("[]"), (Cell::Values, vec![]));
        let (cell, values) = parsed("[NaN, Infinity, -Infinity]");
        assert_eq!(cell, Cell::Values);
        assert!(values[0].is_nan() && values[1] == f32::INFINITY && values[2] < 0.0);
    }

    #[test]
    fn nulls_and_garbage() {
        assert_eq!(parsed("").0, Cell::Null);
        assert_eq!(parsed("null").0, Cell::Null);
        assert_eq!(parsed("[1, null]").0, Cell::HasNull);
        for bad in [
            "1, 2",
            "[1, 2",
            "[[1], [2]]",
            "[1,,2]",
            "[1, \"2\"]",
            "[1, 2,]",
            "{}",
        ] {
            assert_eq!(parsed(bad).0, Cell::Malformed, "{bad}");
        }
    }
}
