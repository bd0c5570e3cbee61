//! Cooperative cancellation shared between the caller and a fetch in progress.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::ChipError;

/// A cancellation flag shared between the caller and a fetch in progress.
///
/// Checked between tiles, body chunks and retry waits, so a stale request (the user clicked
/// another row) stops within one chunk instead of finishing a download nobody will look at.
/// A child token is also cancelled when its parent is (used for shutdown).
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<CancelInner>);

#[derive(Debug, Default)]
struct CancelInner {
    flag: AtomicBool,
    parent: Option<CancelToken>,
}

impl CancelToken {
    /// A fresh, uncancelled token.
    pub fn new() -> Self {
        Self::default()
    }

    /// A token that is cancelled when either it or `self` is.
    #[must_use]
    pub fn child(&self) -> Self {
        Self(Arc::new(CancelInner {
            flag: AtomicBool::new(false),
            parent: Some(self.clone()),
        }))
    }

    /// Asks the fetch to stop; it returns [`ChipError::Cancelled`] and caches nothing.
    pub fn cancel(&self) {
        self.0.flag.store(true, Ordering::Relaxed);
    }

    /// Whether this token or an ancestor was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.flag.load(Ordering::Relaxed)
            || self.0.parent.as_ref().is_some_and(Self::is_cancelled)
    }

    /// `Err(Cancelled)` once cancelled.
    pub(crate) fn check(&self) -> Result<(), ChipError> {
        if self.is_cancelled() {
            Err(ChipError::Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_tokens_follow_their_parent() {
        let parent = CancelToken::new();
        let child = parent.child();
        let sibling = parent.child();
        child.cancel();
        assert!(child.is_cancelled() && !parent.is_cancelled() && !sibling.is_cancelled());
        parent.cancel();
        assert!(sibling.is_cancelled());
    }
}
