//! Parameters, their umap-learn 0.5 defaults, and validation before anything runs.

use loupe_knn::{KnnMethod, Metric};

use crate::ParamError;
use crate::curve::find_ab_params;

/// How the layout starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InitMethod {
    /// The two leading non-trivial eigenvectors of the fuzzy graph's normalised Laplacian
    /// (umap-learn's default `init="spectral"`); falls back to [`Self::Pca`] when the graph is
    /// disconnected or the eigensolver does not converge (see [`crate::InitOutcome`]).
    #[default]
    Spectral,
    /// The two leading principal components of the input (umap-learn's `init="pca"`).
    Pca,
    /// Uniform on `[−10, 10]²` (umap-learn's `init="random"`).
    Random,
}

/// Everything that shapes a UMAP run. `Default` is umap-learn 0.5's `UMAP()`.
#[derive(Debug, Clone, PartialEq)]
pub struct UmapParams {
    /// Size of each point's neighbourhood, the point itself included (umap-learn's
    /// convention: 15 means the point and its 14 nearest others).
    pub n_neighbors: usize,
    /// Input-space metric.
    pub metric: Metric,
    /// How the neighbours are searched; its seed is replaced by [`Self::seed`]. The default,
    /// [`KnnMethod::Auto`], is exact below [`KnnMethod::AUTO_EXACT_BELOW`] points and the
    /// random-projection forest + NN-descent above.
    pub knn_method: KnnMethod,
    /// Smallest distance between points in the layout: the curve is fitted to stay 1 up to it.
    pub min_dist: f64,
    /// Scale over which the layout's similarity decays beyond `min_dist`.
    pub spread: f64,
    /// Optimisation epochs; `None` is umap-learn's default: 500 up to 10,000 points, 200 above.
    pub n_epochs: Option<usize>,
    /// Initial SGD step size, decayed linearly to 0 over the epochs.
    pub learning_rate: f64,
    /// Negative samples per positive (edge) sample.
    pub negative_sample_rate: usize,
    /// Weight of the negative samples' repulsion (umap-learn's `repulsion_strength`, γ).
    pub repulsion_strength: f64,
    /// Neighbours assumed connected at full strength (ρ is the distance to the
    /// `local_connectivity`-th nearest, interpolated for fractions).
    pub local_connectivity: f64,
    /// 1 = fuzzy union of the local fuzzy sets, 0 = fuzzy intersection, in between a mix.
    pub set_op_mix_ratio: f64,
    /// How the layout starts.
    pub init: InitMethod,
    /// Reduce the input to this many principal components before the kNN search (the app
    /// passes `Some(50)` for wide data); `None` or a value ≥ D uses the input as is.
    pub pca_dims: Option<usize>,
    /// Seed of every random choice: the kNN forest, the eigensolver's start, the initial
    /// noise, the negative samples.
    pub seed: u64,
}

impl Default for UmapParams {
    fn default() -> Self {
        Self {
            n_neighbors: 15,
            metric: Metric::Euclidean,
            knn_method: KnnMethod::default(),
            min_dist: 0.1,
            spread: 1.0,
            n_epochs: None,
            learning_rate: 1.0,
            negative_sample_rate: 5,
            repulsion_strength: 1.0,
            local_connectivity: 1.0,
            set_op_mix_ratio: 1.0,
            init: InitMethod::Spectral,
            pca_dims: None,
            seed: 0,
        }
    }
}

/// Parameters checked against a point count, with the derived quantities the engine needs
/// (epochs, the curve's `a` and `b`).
///
/// The only way to obtain one is [`UmapParams::validate`], so the engine never meets an
/// unchecked parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidUmapParams {
    params: UmapParams,
    n_points: usize,
    n_epochs: usize,
    a: f64,
    b: f64,
}

/// umap-learn's epoch default: more epochs for small data.
pub fn default_epochs(n_points: usize) -> usize {
    if n_points <= 10_000 { 500 } else { 200 }
}

impl UmapParams {
    /// Checks every parameter for data of `n_points` rows and fits `a`, `b`.
    pub fn validate(&self, n_points: usize) -> Result<ValidUmapParams, ParamError> {
        if n_points < 3 {
            return Err(ParamError::TooFewPoints { n_points, min: 3 });
        }
        if u32::try_from(n_points).is_err() {
            return Err(ParamError::TooManyPoints { n_points });
        }
        if self.n_neighbors < 2 || self.n_neighbors > n_points - 1 {
            return Err(ParamError::NeighborsOutOfRange {
                n_neighbors: self.n_neighbors,
                n_points,
                max: n_points - 1,
            });
        }
        if !(self.spread.is_finite() && self.spread > 0.0) {
            return out_of_range("spread", self.spread, "a finite number > 0");
        }
        if !(self.min_dist.is_finite() && self.min_dist >= 0.0) {
            return out_of_range("min_dist", self.min_dist, "a finite number ≥ 0");
        }
        if self.min_dist > self.spread {
            return Err(ParamError::MinDistAboveSpread {
                min_dist: self.min_dist,
                spread: self.spread,
            });
        }
        if self.n_epochs == Some(0) {
            return out_of_range("n_epochs", 0.0, "at least 1");
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return out_of_range("learning_rate", self.learning_rate, "a finite number > 0");
        }
        if !(self.repulsion_strength.is_finite() && self.repulsion_strength >= 0.0) {
            return out_of_range(
                "repulsion_strength",
                self.repulsion_strength,
                "a finite number ≥ 0",
            );
        }
        if !(self.local_connectivity.is_finite() && self.local_connectivity >= 0.0) {
            return out_of_range(
                "local_connectivity",
                self.local_connectivity,
                "a finite number ≥ 0",
            );
        }
        if !(0.0..=1.0).contains(&self.set_op_mix_ratio) {
            return out_of_range("set_op_mix_ratio", self.set_op_mix_ratio, "between 0 and 1");
        }
        if self.pca_dims == Some(0) {
            return out_of_range("pca_dims", 0.0, "at least 1");
        }
        let (a, b) = find_ab_params(self.spread, self.min_dist)?;
        Ok(ValidUmapParams {
            params: self.clone(),
            n_points,
            n_epochs: self.n_epochs.unwrap_or_else(|| default_epochs(n_points)),
            a,
            b,
        })
    }
}

fn out_of_range<T>(
    name: &'static str,
    value: f64,
    expected: &'static str,
) -> Result<T, ParamError> {
    Err(ParamError::OutOfRange {
        name,
        value,
        expected,
    })
}

impl ValidUmapParams {
    /// The parameters as given.
    pub fn params(&self) -> &UmapParams {
        &self.params
    }

    /// Points the parameters were validated for.
    pub fn n_points(&self) -> usize {
        self.n_points
    }

    /// Epochs to run ([`UmapParams::n_epochs`] or the size-dependent default).
    pub fn n_epochs(&self) -> usize {
        self.n_epochs
    }

    /// Neighbours the kNN search returns per point: `n_neighbors − 1`, since the search
    /// excludes the point itself and umap-learn counts it.
    pub fn k_neighbors(&self) -> usize {
        self.params.n_neighbors - 1
    }

    /// The fitted curve parameter `a`.
    pub fn a(&self) -> f64 {
        self.a
    }

    /// The fitted curve parameter `b`.
    pub fn b(&self) -> f64 {
        self.b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fit_umap_learns_curve() {
        let valid = UmapParams::default().validate(70_000).unwrap();
        assert!((valid.a() - 1.577).abs() < 1e-3 && (valid.b() - 0.895).abs() < 1e-3);
        assert_eq!(valid.n_epochs(), 200);
        assert_eq!(valid.k_neighbors(), 14);
        assert_eq!(
            UmapParams::default().validate(10_000).unwrap().n_epochs(),
            500
        );
    }

    #[test]
    fn bad_parameters_are_refused() {
        let p = UmapParams::default();
        let with = |f: fn(&mut UmapParams)| {
            let mut q = p.clone();
            f(&mut q);
            q.validate(100)
        };
        assert!(matches!(
            with(|q| q.n_neighbors = 1),
            Err(ParamError::NeighborsOutOfRange { n_neighbors: 1, .. })
        ));
        assert!(matches!(
            with(|q| q.n_neighbors = 100),
            Err(ParamError::NeighborsOutOfRange { max: 99, .. })
        ));
        assert!(with(|q| q.n_neighbors = 99).is_ok());
        assert!(matches!(
            with(|q| q.min_dist = 1.5),
            Err(ParamError::MinDistAboveSpread { .. })
        ));
        assert!(with(|q| q.min_dist = f64::NAN).is_err());
        assert!(with(|q| q.spread = 0.0).is_err());
        assert!(with(|q| q.n_epochs = Some(0)).is_err());
        assert!(with(|q| q.learning_rate = -1.0).is_err());
        assert!(with(|q| q.set_op_mix_ratio = 1.5).is_err());
        assert!(matches!(
            p.validate(2),
            Err(ParamError::TooFewPoints { n_points: 2, .. })
        ));
    }
}
