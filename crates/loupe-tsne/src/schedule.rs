//! The optimisation schedule: successive phases of gradient descent.

/// One stretch of gradient descent with fixed settings.
///
/// openTSNE runs t-SNE as successive `optimize()` calls (early exaggeration, then the
/// unexaggerated phase); here a run is a list of phases stepped through by
/// [`crate::TsneEngine`], with gains and momentum carried across phase boundaries as openTSNE
/// does.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// Shown in the UI ("early exaggeration", "embedding").
    pub name: String,
    /// Iterations in this phase.
    pub n_iter: usize,
    /// Factor multiplying P in the attractive term (van der Maaten & Hinton 2008, §3.4).
    pub exaggeration: f64,
    /// Momentum of the gradient-descent update.
    pub momentum: f64,
    /// Step size, already resolved (for [`crate::LearningRate::Auto`]: N / exaggeration).
    pub learning_rate: f64,
}

impl Phase {
    /// Checks the phase's numbers; used for standard and custom schedules alike.
    pub fn validate(&self) -> Result<(), crate::ParamError> {
        use crate::params::{finite_positive, in_unit_interval};
        finite_positive("exaggeration", self.exaggeration)?;
        in_unit_interval("momentum", self.momentum)?;
        finite_positive("learning_rate", self.learning_rate)?;
        Ok(())
    }
}
