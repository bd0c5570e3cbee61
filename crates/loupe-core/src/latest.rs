use std::sync::{Arc, Mutex, PoisonError};

/// A single-value mailbox where the newest value replaces the old one.
///
/// Producers (the layout engine, the picking-index builder) must never wait for the consumer
/// (the UI): a slow frame simply skips intermediate values. `take` hands the value out once,
/// `peek` lets several readers look at it.
#[derive(Debug)]
pub struct LatestSlot<T> {
    inner: Mutex<Option<Arc<T>>>,
}

impl<T> Default for LatestSlot<T> {
    fn default() -> Self {
        Self {
            inner: Mutex::new(None),
        }
    }
}

impl<T> LatestSlot<T> {
    /// An empty slot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces whatever is in the slot; never blocks for longer than a pointer swap.
    pub fn publish(&self, value: T) {
        self.publish_arc(Arc::new(value));
    }

    /// Like [`Self::publish`] for a value that is already shared.
    pub fn publish_arc(&self, value: Arc<T>) {
        *self.inner.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
    }

    /// Removes and returns the newest value, if one arrived since the last `take`.
    pub fn take(&self) -> Option<Arc<T>> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Returns the newest value without removing it.
    pub fn peek(&self) -> Option<Arc<T>> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_value_wins_and_take_empties() {
        let slot = LatestSlot::new();
        slot.publish(1);
        slot.publish(2);
        assert_eq!(slot.peek().as_deref(), Some(&2));
        assert_eq!(slot.take().as_deref(), Some(&2));
        assert!(slot.take().is_none());
    }

    #[test]
    fn slot_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<LatestSlot<Vec<f32>>>();
    }
}
