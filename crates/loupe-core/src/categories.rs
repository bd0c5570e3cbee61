use std::collections::{HashMap, HashSet};

/// Columns with more distinct values than this are not offered as categorical colourings:
/// a legend with hundreds of entries helps nobody and the palette would repeat.
pub const MAX_CATEGORIES: usize = 64;

/// A categorical column decoded to dense codes, ready for colouring and legends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Categories {
    /// The column this came from.
    pub column: String,
    /// Display names of the categories, sorted (numerically when every name is a number).
    pub names: Vec<String>,
    /// For each row, an index into `names`; `None` for a null cell.
    pub codes: Vec<Option<u32>>,
    /// Rows per category, in `names` order.
    pub counts: Vec<usize>,
}

impl Categories {
    /// Builds categories from per-row display values; `None` when there are too many distinct
    /// values (or none) to be useful.
    pub fn from_values(column: &str, values: &[Option<String>]) -> Option<Self> {
        let mut distinct: Vec<&str> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for v in values.iter().flatten() {
            if seen.insert(v.as_str()) {
                distinct.push(v.as_str());
                if distinct.len() > MAX_CATEGORIES {
                    return None;
                }
            }
        }
        if distinct.is_empty() {
            return None;
        }
        let numeric: Option<Vec<f64>> = distinct.iter().map(|s| s.parse::<f64>().ok()).collect();
        match numeric {
            Some(nums) => {
                let mut pairs: Vec<(f64, &str)> = nums.into_iter().zip(distinct).collect();
                pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                distinct = pairs.into_iter().map(|p| p.1).collect();
            }
            None => distinct.sort_unstable(),
        }
        let index: HashMap<&str, u32> = distinct
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, i as u32))
            .collect();
        let mut counts = vec![0; distinct.len()];
        let codes = values
            .iter()
            .map(|v| {
                let code = index.get(v.as_deref()?).copied()?;
                counts[code as usize] += 1;
                Some(code)
            })
            .collect();
        Some(Self {
            column: column.to_owned(),
            names: distinct.into_iter().map(str::to_owned).collect(),
            codes,
            counts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(v: &[Option<&str>]) -> Vec<Option<String>> {
        v.iter().map(|s| s.map(str::to_owned)).collect()
    }

    #[test]
    fn numeric_names_sort_numerically() {
        let c = Categories::from_values("d", &vals(&[Some("10"), Some("2"), None, Some("2")]))
            .expect("categorical");
        assert_eq!(c.names, vec!["2", "10"]);
        assert_eq!(c.codes, vec![Some(1), Some(0), None, Some(0)]);
        assert_eq!(c.counts, vec![2, 1]);
    }

    #[test]
    fn too_many_values_is_not_categorical() {
        let v: Vec<Option<String>> = (0..=MAX_CATEGORIES).map(|i| Some(i.to_string())).collect();
        assert!(Categories::from_values("id", &v).is_none());
    }
}
