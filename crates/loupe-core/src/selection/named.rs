//! Selections the user chose to keep under a name.

use super::{Selection, SelectionError, SelectionMode};

/// Why a named-selection operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamedSelectionError {
    /// A name that is empty or only whitespace could not be shown in the list.
    #[error("a selection name cannot be empty")]
    EmptyName,
    /// Renaming onto an existing name would silently drop that selection.
    #[error("a selection named {name:?} already exists")]
    DuplicateName {
        /// The name already taken.
        name: String,
    },
    /// No selection has this name.
    #[error("no selection is named {name:?}")]
    UnknownName {
        /// The name looked up.
        name: String,
    },
    /// The two selections could not be combined.
    #[error(transparent)]
    Selection {
        /// The underlying set-operation error.
        #[from]
        source: SelectionError,
    },
}

/// Selections kept under user-chosen names, in the order they were kept.
///
/// Exploration goes back and forth between groups of points ("the outliers", "cluster 3 minus
/// the outliers"); keeping them by name lets the user compare, recolour and export them. The
/// list is ordered as created so the side panel does not reshuffle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedSelections {
    entries: Vec<(String, Selection)>,
}

impl NamedSelections {
    /// No kept selections.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of kept selections.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keeps `selection` under `name` (trimmed); an existing selection of that name is
    /// replaced in place and returned, so "save again" updates rather than duplicates.
    pub fn keep(
        &mut self,
        name: &str,
        selection: Selection,
    ) -> Result<Option<Selection>, NamedSelectionError> {
        let name = checked_name(name)?;
        if let Some(slot) = self.entries.iter_mut().find(|(n, _)| n == name) {
            return Ok(Some(std::mem::replace(&mut slot.1, selection)));
        }
        self.entries.push((name.to_owned(), selection));
        Ok(None)
    }

    /// The selection kept under `name`.
    pub fn get(&self, name: &str) -> Option<&Selection> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }

    /// Names and selections in the order they were first kept.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Selection)> {
        self.entries.iter().map(|(n, s)| (n.as_str(), s))
    }

    /// Renames `from` to `to` (trimmed), keeping its place in the list.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), NamedSelectionError> {
        let to = checked_name(to)?;
        let index = self.index(from)?;
        if to != from && self.get(to).is_some() {
            return Err(NamedSelectionError::DuplicateName {
                name: to.to_owned(),
            });
        }
        to.clone_into(&mut self.entries[index].0);
        Ok(())
    }

    /// Forgets `name`, handing its selection back.
    pub fn remove(&mut self, name: &str) -> Option<Selection> {
        let index = self.index(name).ok()?;
        Some(self.entries.remove(index).1)
    }

    /// `base` combined with `other` by `mode` (e.g. "cluster 3" minus "outliers"), as a new
    /// selection; neither kept selection changes.
    pub fn combine(
        &self,
        base: &str,
        other: &str,
        mode: SelectionMode,
    ) -> Result<Selection, NamedSelectionError> {
        let mut out = self.entries[self.index(base)?].1.clone();
        out.apply(mode, &self.entries[self.index(other)?].1)?;
        Ok(out)
    }

    fn index(&self, name: &str) -> Result<usize, NamedSelectionError> {
        self.entries
            .iter()
            .position(|(n, _)| n == name)
            .ok_or_else(|| NamedSelectionError::UnknownName {
                name: name.to_owned(),
            })
    }
}

fn checked_name(name: &str) -> Result<&str, NamedSelectionError> {
    let name = name.trim();
    if name.is_empty() {
        Err(NamedSelectionError::EmptyName)
    } else {
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(rows: &[usize]) -> Selection {
        Selection::from_indices(10, rows).unwrap()
    }

    #[test]
    fn keep_replaces_by_name_and_keeps_order() {
        let mut named = NamedSelections::new();
        assert_eq!(named.keep(" a ", sel(&[1])).unwrap(), None);
        assert_eq!(named.keep("b", sel(&[2])).unwrap(), None);
        assert_eq!(named.keep("a", sel(&[3])).unwrap(), Some(sel(&[1])));
        let names: Vec<&str> = named.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(named.get("a"), Some(&sel(&[3])));
        assert_eq!(
            named.keep("  ", sel(&[])),
            Err(NamedSelectionError::EmptyName)
        );
    }

    #[test]
    fn rename_refuses_collisions_and_unknown_names() {
        let mut named = NamedSelections::new();
        named.keep("a", sel(&[1])).unwrap();
        named.keep("b", sel(&[2])).unwrap();
        assert_eq!(
            named.rename("a", "b"),
            Err(NamedSelectionError::DuplicateName { name: "b".into() })
        );
        assert!(matches!(
            named.rename("zz", "c"),
            Err(NamedSelectionError::UnknownName { .. })
        ));
        named.rename("a", "c").unwrap();
        named.rename("c", "c").unwrap();
        assert_eq!(named.iter().next().map(|(n, _)| n), Some("c"));
        assert_eq!(named.remove("c"), Some(sel(&[1])));
        assert_eq!(named.remove("c"), None);
        assert_eq!(named.len(), 1);
    }

    #[test]
    fn combine_leaves_the_kept_selections_alone() {
        let mut named = NamedSelections::new();
        named.keep("cluster", sel(&[1, 2, 3])).unwrap();
        named.keep("outliers", sel(&[3, 9])).unwrap();
        let rest = named
            .combine("cluster", "outliers", SelectionMode::Subtract)
            .unwrap();
        assert_eq!(rest.to_indices(), vec![1, 2]);
        assert_eq!(named.get("cluster"), Some(&sel(&[1, 2, 3])));
        named.keep("other size", Selection::empty(5)).unwrap();
        assert!(matches!(
            named.combine("cluster", "other size", SelectionMode::Add),
            Err(NamedSelectionError::Selection { .. })
        ));
    }
}
