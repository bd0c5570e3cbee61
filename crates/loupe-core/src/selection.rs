//! Which rows the user has picked, and the plot tools that pick them.
//!
//! A [`Selection`] is a bitset over the dataset's rows with the usual set algebra; the
//! tools produce one from the layout (interleaved `[x0, y0, x1, y1, …]` positions) and the
//! app merges it into the current selection with [`Selection::apply`] and the
//! [`SelectionMode`] its modifier keys ask for:
//!
//! - [`Lasso`]: a free-hand polygon, even-odd rule, a million points in a few milliseconds;
//! - [`select_box`]: an axis-aligned rectangle;
//! - [`Selection::from_fn`]: any per-row predicate (a category, a value range).
//!
//! [`NamedSelections`] keeps selections the user wants to come back to.

mod lasso;
mod lasso_grid;
mod named;
mod rect;
mod set;

#[cfg(test)]
mod lasso_tests;

pub use lasso::Lasso;
pub use named::{NamedSelectionError, NamedSelections};
pub use rect::select_box;
pub use set::{Selection, SelectionError, SelectionIter, SelectionMode};
