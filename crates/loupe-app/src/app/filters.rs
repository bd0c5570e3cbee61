//! Filters: keep the rows whose categorical value is ticked, or whose number or date lies in
//! a range. Several filters combine (a row must pass all); rows filtered out are hidden or
//! greyed, cannot be hovered or lassoed, and a selection is always taken among the rest.

use arrow_array::{Array, Float64Array};
use arrow_schema::DataType;
use loupe_core::{Dataset, Selection};

/// One filter on one column.
#[derive(Debug, Clone)]
pub struct Filter {
    /// The column filtered.
    pub column: String,
    /// What it keeps.
    pub kind: FilterKind,
}

/// What a filter keeps.
#[derive(Debug, Clone)]
pub enum FilterKind {
    /// Rows whose value is one of the ticked categories (nulls pass when `keep_null`).
    Categories {
        /// Category names.
        names: Vec<String>,
        /// Per category: kept?
        keep: Vec<bool>,
        /// Per row: its category.
        codes: Vec<Option<u32>>,
        /// Whether rows without a value pass.
        keep_null: bool,
    },
    /// Rows whose value lies in `[lo, hi]`.
    Range {
        /// Per row, the value (dates as days since 1970-01-01); NaN when missing.
        values: Vec<f64>,
        /// The column's smallest and largest value.
        min: f64,
        /// See `min`.
        max: f64,
        /// Lower bound kept.
        lo: f64,
        /// Upper bound kept.
        hi: f64,
        /// Whether the values are dates (shown as such).
        date: bool,
    },
}

/// The Filter section's state.
#[derive(Debug, Default)]
pub struct FilterState {
    /// Active filters; a row must pass every one.
    pub filters: Vec<Filter>,
    /// Hide filtered rows (else they are greyed).
    pub hide: bool,
    /// Rows passing every filter; `None` when there is no filter.
    pub passing: Option<Selection>,
}

impl Filter {
    /// A filter on `column` keeping everything, or `None` when the column cannot be filtered
    /// (not categorical, numeric or a date).
    pub fn new(dataset: &Dataset, column: &str) -> Option<Self> {
        let array = dataset.metadata().column_by_name(column)?;
        let data_type = array.data_type();
        let date = matches!(data_type, DataType::Date32 | DataType::Date64);
        // Integers with few values (digit labels, cluster ids) read better as ticks.
        let continuous = date || data_type.is_floating();
        if !continuous && let Some(categories) = dataset.categories(column) {
            return Some(Self {
                column: column.to_owned(),
                kind: FilterKind::Categories {
                    keep: vec![true; categories.names.len()],
                    names: categories.names,
                    codes: categories.codes,
                    keep_null: true,
                },
            });
        }
        if !(date || data_type.is_numeric()) {
            return None;
        }
        let values = numeric_values(array.as_ref())?;
        let (min, max) = values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        (min <= max).then(|| Self {
            column: column.to_owned(),
            kind: FilterKind::Range {
                values,
                min,
                max,
                lo: min,
                hi: max,
                date,
            },
        })
    }

    /// Whether `row` passes.
    pub fn passes(&self, row: usize) -> bool {
        match &self.kind {
            FilterKind::Categories {
                keep,
                codes,
                keep_null,
                ..
            } => match codes.get(row).copied().flatten() {
                Some(code) => keep.get(code as usize).copied().unwrap_or(false),
                None => *keep_null,
            },
            FilterKind::Range { values, lo, hi, .. } => {
                values.get(row).is_some_and(|v| (*lo..=*hi).contains(v))
            }
        }
    }
}

impl FilterState {
    /// Recomputes which rows pass, for `n_rows` rows.
    pub fn update(&mut self, n_rows: usize) {
        self.passing = (!self.filters.is_empty())
            .then(|| Selection::from_fn(n_rows, |row| self.filters.iter().all(|f| f.passes(row))));
    }

    /// Whether `row` passes every filter.
    pub fn passes(&self, row: usize) -> bool {
        self.passing.as_ref().is_none_or(|p| p.contains(row))
    }
}

impl super::session::Session {
    /// Categories of the colour column a filter hides (the legend's unticked entries).
    pub fn hidden_categories(&self) -> Vec<usize> {
        let Some(column) = &self.color_by else {
            return Vec::new();
        };
        self.filters
            .filters
            .iter()
            .filter(|f| &f.column == column)
            .flat_map(|f| match &f.kind {
                FilterKind::Categories { keep, .. } => keep
                    .iter()
                    .enumerate()
                    .filter(|(_, kept)| !**kept)
                    .map(|(code, _)| code)
                    .collect(),
                FilterKind::Range { .. } => Vec::new(),
            })
            .collect()
    }

    /// Hides or shows one category of the colour column, through a filter on it.
    pub(super) fn toggle_category(&mut self, code: usize) {
        let (Some(column), Some(categories)) = (self.color_by.clone(), self.categories.clone())
        else {
            return;
        };
        let existing = self.filters.filters.iter().position(|f| f.column == column);
        let index = existing.unwrap_or_else(|| {
            self.filters.filters.push(Filter {
                column: column.clone(),
                kind: FilterKind::Categories {
                    keep: vec![true; categories.names.len()],
                    names: categories.names,
                    codes: categories.codes,
                    keep_null: true,
                },
            });
            self.filters.filters.len() - 1
        });
        if let FilterKind::Categories { keep, .. } = &mut self.filters.filters[index].kind
            && let Some(kept) = keep.get_mut(code)
        {
            *kept = !*kept;
        }
        self.refilter();
    }

    /// Selects the rows of one category of the colour column.
    pub(super) fn select_category(&mut self, code: usize, mode: loupe_core::SelectionMode) {
        let Some(categories) = &self.categories else {
            return;
        };
        let code = u32::try_from(code).ok();
        let picked = Selection::from_fn(categories.codes.len(), |row| {
            categories.codes[row].is_some() && categories.codes[row] == code
        });
        self.select_rows(&picked, mode);
    }
}

/// The Filter section: add a filter on a column, edit or remove the active ones.
pub fn filters_ui(
    ui: &mut egui::Ui,
    session: &mut super::session::Session,
    commands: &mut Vec<super::session::Command>,
) {
    use super::session::Command;
    ui.heading("Filter");
    let Some(dataset) = session.dataset.clone() else {
        return;
    };
    let mut changed = false;
    let mut remove = None;
    for (index, filter) in session.filters.filters.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(&filter.column).strong());
            if ui.small_button("remove").clicked() {
                remove = Some(index);
            }
        });
        changed |= filter_ui(ui, index, filter);
    }
    if let Some(index) = remove {
        commands.push(Command::RemoveFilter(index));
    }
    let used: Vec<String> = session
        .filters
        .filters
        .iter()
        .map(|f| f.column.clone())
        .collect();
    egui::ComboBox::from_label("add filter on")
        .selected_text("column…")
        .show_ui(ui, |ui| {
            for column in dataset.column_names() {
                if !used.contains(&column) && ui.selectable_label(false, &column).clicked() {
                    commands.push(Command::AddFilter(column));
                }
            }
        });
    if !session.filters.filters.is_empty() {
        changed |= ui
            .checkbox(
                &mut session.filters.hide,
                "hide filtered points (else greyed)",
            )
            .changed();
        if let Some(passing) = &session.filters.passing {
            ui.label(format!("{} of {} pass", passing.count(), passing.n_rows()));
        }
    }
    if changed {
        commands.push(Command::FiltersChanged);
    }
}

/// One filter's controls; true when something changed.
fn filter_ui(ui: &mut egui::Ui, index: usize, filter: &mut Filter) -> bool {
    let mut changed = false;
    match &mut filter.kind {
        FilterKind::Categories {
            names,
            keep,
            keep_null,
            ..
        } => {
            egui::ScrollArea::vertical()
                .max_height(140.0)
                .id_salt(("filter", index))
                .show(ui, |ui| {
                    for (name, kept) in names.iter().zip(keep.iter_mut()) {
                        changed |= ui.checkbox(kept, name.as_str()).changed();
                    }
                    changed |= ui.checkbox(keep_null, "(no value)").changed();
                });
        }
        FilterKind::Range {
            min,
            max,
            lo,
            hi,
            date,
            ..
        } => {
            let is_date = *date;
            let show = move |v: f64, _: std::ops::RangeInclusive<usize>| {
                if is_date {
                    format_day(v)
                } else {
                    format!("{v:.4}")
                }
            };
            changed |= ui
                .add(
                    egui::Slider::new(lo, *min..=*max)
                        .text("from")
                        .custom_formatter(show),
                )
                .changed();
            changed |= ui
                .add(
                    egui::Slider::new(hi, *min..=*max)
                        .text("to")
                        .custom_formatter(show),
                )
                .changed();
            if *lo > *hi {
                std::mem::swap(lo, hi);
            }
        }
    }
    changed
}

/// A numeric or date column's values as `f64` (dates in days), NaN for nulls.
pub(super) fn numeric_values(array: &dyn Array) -> Option<Vec<f64>> {
    // Dates become their integer count first (days, or milliseconds for Date64).
    let (counted, per_day) = match array.data_type() {
        DataType::Date32 => (arrow_cast::cast(array, &DataType::Int32).ok()?, 1.0),
        DataType::Date64 => (
            arrow_cast::cast(array, &DataType::Int64).ok()?,
            86_400_000.0,
        ),
        _ => (arrow_array::make_array(array.to_data()), 1.0),
    };
    let as_f64 = arrow_cast::cast(&counted, &DataType::Float64).ok()?;
    let values = as_f64.as_any().downcast_ref::<Float64Array>()?;
    Some(
        (0..values.len())
            .map(|i| {
                if values.is_null(i) {
                    f64::NAN
                } else {
                    values.value(i) / per_day
                }
            })
            .collect(),
    )
}

/// A day number as `YYYY-MM-DD` (proleptic Gregorian; Howard Hinnant's `civil_from_days`).
pub fn format_day(days: f64) -> String {
    let z = days.floor() as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Date32Array, Float32Array, RecordBatch, StringArray};
    use arrow_schema::{Field, Schema};

    use super::*;

    fn dataset() -> Dataset {
        let batch = RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("tile", DataType::Utf8, true),
                Field::new("score", DataType::Float32, true),
                Field::new("date", DataType::Date32, true),
            ])),
            vec![
                Arc::new(StringArray::from(vec![
                    Some("a"),
                    Some("b"),
                    None,
                    Some("a"),
                ])),
                Arc::new(Float32Array::from(vec![
                    Some(0.5),
                    Some(2.0),
                    Some(1.0),
                    None,
                ])),
                Arc::new(Date32Array::from(vec![19_000, 19_010, 19_020, 19_030])),
            ],
        )
        .unwrap();
        Dataset::new("t", "v", vec![0.0; 4], 1, batch).unwrap()
    }

    #[test]
    fn categorical_numeric_and_date_filters_combine() {
        let data = dataset();
        let mut state = FilterState::default();
        let mut tile = Filter::new(&data, "tile").unwrap();
        if let FilterKind::Categories { keep, .. } = &mut tile.kind {
            keep[1] = false; // drop "b"
        }
        let mut score = Filter::new(&data, "score").unwrap();
        if let FilterKind::Range { lo, .. } = &mut score.kind {
            *lo = 0.75; // drop 0.5 and the null
        }
        state.filters = vec![tile, score];
        state.update(4);
        // Row 0: score 0.5 (out); row 1: "b" (out); row 2: null tile kept, score 1.0 (in);
        // row 3: score null (out).
        assert_eq!(state.passing.as_ref().unwrap().to_indices(), vec![2]);

        let date = Filter::new(&data, "date").unwrap();
        let FilterKind::Range {
            min,
            max,
            date: is_date,
            ..
        } = date.kind
        else {
            panic!("dates are ranges");
        };
        assert!(is_date);
        assert_eq!((min, max), (19_000.0, 19_030.0));
        assert_eq!(format_day(19_000.0), "2022-01-08");
        assert_eq!(format_day(0.0), "1970-01-01");
        assert_eq!(format_day(-1.0), "1969-12-31");
    }
}
