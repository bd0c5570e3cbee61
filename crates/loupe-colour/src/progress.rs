//! Progress reports and cancellation for long colourings.

use std::ops::ControlFlow;

use crate::ColourError;

/// A progress callback that never cancels, for callers (tests, the CLI) with nothing to show.
pub fn no_progress(_done: f64) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// The caller's callback, mapped onto one stage `[start, end]` of the whole job.
pub(crate) struct Reporter<'a> {
    callback: &'a mut dyn FnMut(f64) -> ControlFlow<()>,
}

impl<'a> Reporter<'a> {
    pub(crate) fn new(callback: &'a mut dyn FnMut(f64) -> ControlFlow<()>) -> Self {
        Self { callback }
    }

    /// Reports `done` (clamped to `[0, 1]`); `Err(Cancelled)` when the caller asks to stop.
    pub(crate) fn report(&mut self, done: f64) -> Result<(), ColourError> {
        match (self.callback)(done.clamp(0.0, 1.0)) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(ColourError::Cancelled),
        }
    }

    /// Reports fraction `part` of the stage spanning `[start, end]` of the whole job.
    pub(crate) fn stage(&mut self, start: f64, end: f64, part: f64) -> Result<(), ColourError> {
        self.report(start + (end - start) * part)
    }
}
