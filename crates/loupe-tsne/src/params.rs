//! Parameters, their openTSNE 1.0.4 defaults, and validation before anything runs.

use loupe_knn::{KnnMethod, Metric};

use crate::{ParamError, Phase};

/// Step size of gradient descent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LearningRate {
    /// `N / exaggeration`, recomputed for each phase (Belkina et al. 2019, "Automated
    /// optimized parameters for t-SNE"), openTSNE's default.
    Auto,
    /// The same step size in every phase.
    Fixed(f64),
}

/// How the repulsive (negative) half of the gradient is computed; the swappable piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NegativeGradientMethod {
    /// openTSNE's `"auto"`: Barnes–Hut below [`Self::AUTO_FFT_MIN_POINTS`] points, FFT
    /// interpolation from there on (`tsne.py`: `"bh" if n_samples < 10_000 else "fft"`).
    #[default]
    Auto,
    /// Barnes–Hut quad tree with opening angle [`TsneParams::theta`] (van der Maaten 2014):
    /// `O(N log N)` per iteration.
    BarnesHut,
    /// FFT-accelerated polynomial interpolation on an equispaced grid (Linderman et al. 2019,
    /// "Fast interpolation-based t-SNE", Nature Methods): `O(N)` plus FFTs of a grid that
    /// grows with the layout's spread, not with N.
    Fft,
    /// All `N²` pairs; for tests and tiny data.
    Exact,
}

impl NegativeGradientMethod {
    /// The smallest point count for which [`Self::Auto`] picks [`Self::Fft`].
    pub const AUTO_FFT_MIN_POINTS: usize = 10_000;

    /// The concrete method for `n_points` ([`Self::Auto`] resolved; others unchanged).
    #[must_use]
    pub fn resolve(self, n_points: usize) -> Self {
        match self {
            Self::Auto if n_points < Self::AUTO_FFT_MIN_POINTS => Self::BarnesHut,
            Self::Auto => Self::Fft,
            other => other,
        }
    }
}

/// Everything that shapes a t-SNE run. `Default` is openTSNE 1.0.4's `TSNE()`.
#[derive(Debug, Clone, PartialEq)]
pub struct TsneParams {
    /// Effective number of neighbours of the input Gaussians; clamped to `(N − 1)/3` for small
    /// data as openTSNE does.
    pub perplexity: f64,
    /// Input-space metric for the nearest neighbours.
    pub metric: Metric,
    /// How the nearest neighbours are searched. The default, [`KnnMethod::Auto`], is exact
    /// below [`KnnMethod::AUTO_EXACT_BELOW`] points and a random-projection forest refined by
    /// NN-descent above (recall ≈ 0.99); its seed is replaced by [`TsneParams::seed`].
    pub knn_method: KnnMethod,
    /// Exaggeration of the first phase.
    pub early_exaggeration: f64,
    /// Iterations of the first phase.
    pub early_exaggeration_iter: usize,
    /// Exaggeration of the second phase (openTSNE's `exaggeration`, `None` = 1).
    pub exaggeration: f64,
    /// Iterations of the second phase.
    pub n_iter: usize,
    /// Step size of both phases.
    pub learning_rate: LearningRate,
    /// Momentum of the early-exaggeration phase.
    pub initial_momentum: f64,
    /// Momentum of the second phase.
    pub final_momentum: f64,
    /// How the repulsive forces are computed.
    pub negative_gradient_method: NegativeGradientMethod,
    /// Barnes–Hut opening angle: a cell is summarised when `side / distance < theta`.
    pub theta: f64,
    /// Longest allowed update per point and iteration (stops points shooting off); `None`
    /// disables the clip.
    pub max_step_norm: Option<f64>,
    /// Degrees of freedom of the output Student-t kernel (Kobak et al. 2019); 1 is Cauchy.
    pub dof: f64,
    /// Seed for every random choice (PCA start vectors, jitter).
    pub seed: u64,
    /// Iterations between KL-divergence evaluations (openTSNE's `callbacks_every_iters`).
    pub kl_every: usize,
    /// Reduce the input to this many principal components before the kNN search (the app
    /// passes `Some(50)` for wide data); `None` or a value ≥ D uses the input as is. PCA
    /// centres the data, so with [`Metric::Cosine`] the angles are those of the centred,
    /// reduced vectors.
    pub pca_dims: Option<usize>,
}

impl Default for TsneParams {
    fn default() -> Self {
        Self {
            perplexity: 30.0,
            metric: Metric::Euclidean,
            knn_method: KnnMethod::default(),
            early_exaggeration: 12.0,
            early_exaggeration_iter: 250,
            exaggeration: 1.0,
            n_iter: 500,
            learning_rate: LearningRate::Auto,
            initial_momentum: 0.8,
            final_momentum: 0.8,
            negative_gradient_method: NegativeGradientMethod::Auto,
            theta: 0.5,
            max_step_norm: Some(5.0),
            dof: 1.0,
            seed: 0,
            kl_every: 50,
            pca_dims: None,
        }
    }
}

/// Parameters checked against a point count, with the derived quantities the engine needs.
///
/// The only way to obtain one is [`TsneParams::validate`], so the engine never meets an
/// unchecked parameter (linfa's `ParamGuard` pattern).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTsneParams {
    params: TsneParams,
    n_points: usize,
    perplexity: f64,
    k: usize,
    phases: Vec<Phase>,
}

impl TsneParams {
    /// Checks every parameter for data of `n_points` rows and resolves the schedule.
    pub fn validate(&self, n_points: usize) -> Result<ValidTsneParams, ParamError> {
        if !(self.perplexity.is_finite() && self.perplexity > 0.0) {
            return Err(ParamError::InvalidPerplexity {
                perplexity: self.perplexity,
            });
        }
        if n_points < 2 {
            return Err(ParamError::TooFewPoints { n_points, min: 2 });
        }
        if u32::try_from(n_points).is_err() {
            return Err(ParamError::TooManyPoints { n_points });
        }
        finite_positive("early_exaggeration", self.early_exaggeration)?;
        finite_positive("exaggeration", self.exaggeration)?;
        if let LearningRate::Fixed(lr) = self.learning_rate {
            finite_positive("learning_rate", lr)?;
        }
        in_unit_interval("initial_momentum", self.initial_momentum)?;
        in_unit_interval("final_momentum", self.final_momentum)?;
        if !(self.theta.is_finite() && self.theta >= 0.0) {
            return Err(ParamError::OutOfRange {
                name: "theta",
                value: self.theta,
                expected: "a finite number ≥ 0",
            });
        }
        if let Some(norm) = self.max_step_norm {
            finite_positive("max_step_norm", norm)?;
        }
        finite_positive("dof", self.dof)?;
        if self.kl_every == 0 {
            return Err(ParamError::OutOfRange {
                name: "kl_every",
                value: 0.0,
                expected: "at least 1",
            });
        }
        if self.pca_dims == Some(0) {
            return Err(ParamError::OutOfRange {
                name: "pca_dims",
                value: 0.0,
                expected: "at least 1",
            });
        }
        // openTSNE (`MultiscaleMixture.check_perplexities`): a perplexity above (N − 1)/3 is
        // lowered to (N − 1)/3, and k = min(N − 1, ⌊3·perplexity⌋).
        let clamped = 3.0 * self.perplexity > (n_points - 1) as f64;
        let perplexity = if clamped {
            (n_points - 1) as f64 / 3.0
        } else {
            self.perplexity
        };
        let k = if clamped {
            n_points - 1
        } else {
            ((3.0 * perplexity).floor() as usize).clamp(1, n_points - 1)
        };
        let lr = |exaggeration: f64| match self.learning_rate {
            LearningRate::Auto => n_points as f64 / exaggeration,
            LearningRate::Fixed(lr) => lr,
        };
        let phases = vec![
            Phase {
                name: "early exaggeration".to_owned(),
                n_iter: self.early_exaggeration_iter,
                exaggeration: self.early_exaggeration,
                momentum: self.initial_momentum,
                learning_rate: lr(self.early_exaggeration),
            },
            Phase {
                name: "embedding".to_owned(),
                n_iter: self.n_iter,
                exaggeration: self.exaggeration,
                momentum: self.final_momentum,
                learning_rate: lr(self.exaggeration),
            },
        ];
        Ok(ValidTsneParams {
            params: self.clone(),
            n_points,
            perplexity,
            k,
            phases,
        })
    }
}

impl ValidTsneParams {
    /// Replaces the standard two-phase schedule (e.g. a multi-stage recipe).
    pub fn with_phases(mut self, phases: Vec<Phase>) -> Result<Self, ParamError> {
        for phase in &phases {
            phase.validate()?;
        }
        self.phases = phases;
        Ok(self)
    }

    /// The parameters as given.
    pub fn params(&self) -> &TsneParams {
        &self.params
    }

    /// The point count these parameters were validated for.
    pub fn n_points(&self) -> usize {
        self.n_points
    }

    /// The perplexity actually used (after openTSNE's clamp to `(N − 1)/3`).
    pub fn effective_perplexity(&self) -> f64 {
        self.perplexity
    }

    /// Neighbours per point in the kNN graph: `min(N − 1, ⌊3·perplexity⌋)`.
    pub fn k_neighbors(&self) -> usize {
        self.k
    }

    /// The schedule, with learning rates resolved.
    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }

    /// Iterations over all phases.
    pub fn total_iterations(&self) -> usize {
        self.phases.iter().map(|p| p.n_iter).sum()
    }
}

pub(crate) fn finite_positive(name: &'static str, value: f64) -> Result<(), ParamError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(ParamError::OutOfRange {
            name,
            value,
            expected: "a finite number > 0",
        })
    }
}

pub(crate) fn in_unit_interval(name: &'static str, value: f64) -> Result<(), ParamError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(ParamError::OutOfRange {
            name,
            value,
            expected: "between 0 and 1",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_opentsne_defaults() {
        let v = TsneParams::default().validate(1_000).unwrap();
        assert_eq!(v.k_neighbors(), 90);
        assert_eq!(v.total_iterations(), 750);
        let [early, late] = v.phases() else {
            panic!("two phases")
        };
        assert_eq!((early.n_iter, early.exaggeration), (250, 12.0));
        assert!((early.learning_rate - 1_000.0 / 12.0).abs() < 1e-12);
        assert_eq!(
            (late.n_iter, late.exaggeration, late.learning_rate),
            (500, 1.0, 1_000.0)
        );
        assert_eq!((early.momentum, late.momentum), (0.8, 0.8));
    }

    #[test]
    fn bad_parameters_are_typed_errors() {
        let bad = TsneParams {
            perplexity: -5.0,
            ..TsneParams::default()
        };
        assert_eq!(
            bad.validate(100),
            Err(ParamError::InvalidPerplexity { perplexity: -5.0 })
        );
        assert_eq!(
            TsneParams::default().validate(1),
            Err(ParamError::TooFewPoints {
                n_points: 1,
                min: 2
            })
        );
        let bad = TsneParams {
            theta: f64::NAN,
            ..TsneParams::default()
        };
        assert!(matches!(
            bad.validate(100),
            Err(ParamError::OutOfRange { name: "theta", .. })
        ));
        let bad = TsneParams {
            learning_rate: LearningRate::Fixed(0.0),
            ..TsneParams::default()
        };
        assert!(matches!(
            bad.validate(100),
            Err(ParamError::OutOfRange {
                name: "learning_rate",
                ..
            })
        ));
    }

    #[test]
    fn auto_is_barnes_hut_below_10_000_points_and_fft_from_there() {
        let auto = TsneParams::default().negative_gradient_method;
        assert_eq!(auto, NegativeGradientMethod::Auto);
        assert_eq!(auto.resolve(9_999), NegativeGradientMethod::BarnesHut);
        assert_eq!(auto.resolve(10_000), NegativeGradientMethod::Fft);
        assert_eq!(auto.resolve(70_000), NegativeGradientMethod::Fft);
        let exact = NegativeGradientMethod::Exact;
        assert_eq!(exact.resolve(50_000), exact);
    }

    #[test]
    fn perplexity_is_clamped_for_small_data() {
        let v = TsneParams::default().validate(31).unwrap();
        assert!((v.effective_perplexity() - 10.0).abs() < 1e-12);
        assert_eq!(v.k_neighbors(), 30);
        let v = TsneParams::default().validate(2).unwrap();
        assert_eq!(v.k_neighbors(), 1);
    }
}
