//! The steppable engine: preparation (optional PCA → kNN → fuzzy simplicial set →
//! initialisation) once, then one SGD epoch per [`UmapEngine::step`].

use loupe_knn::{KnnGraph, knn};
use loupe_tsne::PrepareStage;

use crate::fuzzy::{fuzzy_simplicial_set, smooth_knn_dist};
use crate::init::{Rows, fit_pca, initial_layout};
use crate::params::default_epochs;
use crate::rng::Stream;
use crate::sgd::{Kernel, Sgd};
use crate::{FuzzyGraph, InitOutcome, UmapError, ValidUmapParams};

/// What one [`UmapEngine::step`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochInfo {
    /// Epochs done, including this one.
    pub epoch: usize,
    /// Epochs in the run.
    pub n_epochs: usize,
    /// The learning rate this epoch used.
    pub learning_rate: f64,
}

/// A UMAP optimisation that advances one epoch at a time.
///
/// Created by [`Self::prepare`] (from vectors) or [`Self::from_knn`] (from a neighbour graph
/// already computed, e.g. shared with a t-SNE run); [`Self::positions`] is the layout after
/// the latest epoch (before the first, the initial layout). A seed gives bit-identical
/// layouts on any number of threads.
#[derive(Debug, Clone)]
pub struct UmapEngine {
    graph: FuzzyGraph,
    sgd: Sgd,
    init: InitOutcome,
}

impl UmapEngine {
    /// Runs everything before the first epoch on `vectors` (`N × dim`, N as validated):
    /// optional PCA to `pca_dims`, the kNN search, the fuzzy simplicial set and the
    /// initialisation. `progress` hears each stage as it starts (`Affinities` is the fuzzy
    /// simplicial set).
    pub fn prepare(
        vectors: &[f32],
        dim: usize,
        params: &ValidUmapParams,
        progress: &mut dyn FnMut(PrepareStage),
    ) -> Result<Self, UmapError> {
        Self::prepare_cancellable(vectors, dim, params, progress, &|| false)
    }

    /// [`Self::prepare`] that checks `cancelled` between stages.
    pub fn prepare_cancellable(
        vectors: &[f32],
        dim: usize,
        params: &ValidUmapParams,
        progress: &mut dyn FnMut(PrepareStage),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Self, UmapError> {
        let n = params.n_points();
        UmapError::check_input_shape(vectors.len(), n, dim)?;
        if let Some(pos) = vectors.iter().position(|v| !v.is_finite()) {
            return Err(UmapError::NonFinite { row: pos / dim });
        }
        let mut stage = |s: PrepareStage| {
            if cancelled() {
                return Err(UmapError::Cancelled);
            }
            progress(s);
            Ok(())
        };
        let p = params.params();
        let reduced = match p.pca_dims {
            Some(d) if d < dim => {
                stage(PrepareStage::ReduceDimensions)?;
                let pca = fit_pca(vectors, dim, d, p.seed, Stream::PcaReduce)?;
                Some((pca.transform(vectors), d))
            }
            _ => None,
        };
        let (data, dim) = match &reduced {
            Some((data, d)) => (data.as_slice(), *d),
            None => (vectors, dim),
        };
        stage(PrepareStage::NearestNeighbors)?;
        let graph = knn(
            data,
            dim,
            params.k_neighbors(),
            p.metric,
            p.knn_method.with_seed(p.seed),
        )?;
        Self::from_graph_staged(&graph, Some((data, dim)), params, &mut stage)
    }

    /// An engine over a neighbour graph computed elsewhere (`n_neighbors − 1` neighbours per
    /// point, excluding the point itself, as `loupe-knn` returns them). `rows` (`N × dim`)
    /// are the vectors the graph was computed from, used only by a PCA initialisation or
    /// the fallback of a failed spectral one; without them that fallback is random.
    pub fn from_knn(
        graph: &KnnGraph,
        rows: Option<(&[f32], usize)>,
        params: &ValidUmapParams,
        progress: &mut dyn FnMut(PrepareStage),
    ) -> Result<Self, UmapError> {
        if let Some((data, dim)) = rows {
            UmapError::check_input_shape(data.len(), params.n_points(), dim)?;
        }
        Self::from_graph_staged(graph, rows, params, &mut |s| {
            progress(s);
            Ok(())
        })
    }

    fn from_graph_staged(
        graph: &KnnGraph,
        rows: Rows<'_>,
        params: &ValidUmapParams,
        stage: &mut dyn FnMut(PrepareStage) -> Result<(), UmapError>,
    ) -> Result<Self, UmapError> {
        let n = params.n_points();
        if graph.n_points() != n || graph.k != params.k_neighbors() {
            return Err(UmapError::GraphShape {
                n_points: graph.n_points(),
                k: graph.k,
                expected_points: n,
                expected_k: params.k_neighbors(),
            });
        }
        if let Some(pos) = graph.distances.iter().position(|d| !d.is_finite()) {
            return Err(UmapError::NonFinite { row: pos / graph.k });
        }
        let p = params.params();
        stage(PrepareStage::Affinities)?;
        let local = smooth_knn_dist(graph, p.local_connectivity);
        let fuzzy = fuzzy_simplicial_set(graph, &local, p.set_op_mix_ratio);
        // umap-learn drops the edges that would be sampled less than once in the run.
        let n_epochs = params.n_epochs();
        let reference = if n_epochs > 10 {
            n_epochs
        } else {
            default_epochs(n)
        };
        let fuzzy = fuzzy.without_weights_below(fuzzy.max_weight() / reference as f32);
        stage(PrepareStage::Initialization)?;
        let (layout, init) = initial_layout(p.init, &fuzzy, rows, p.seed)?;
        let kernel = Kernel {
            a: params.a() as f32,
            b: params.b() as f32,
            gamma: p.repulsion_strength as f32,
        };
        let sgd = Sgd::new(
            &fuzzy,
            layout,
            kernel,
            p.negative_sample_rate,
            p.learning_rate,
            n_epochs,
            p.seed,
        );
        Ok(Self {
            graph: fuzzy,
            sgd,
            init,
        })
    }

    /// One epoch of SGD; `None` once every epoch has run.
    pub fn step(&mut self) -> Option<EpochInfo> {
        let learning_rate = self.sgd.alpha();
        self.sgd.step().then(|| EpochInfo {
            epoch: self.sgd.epoch(),
            n_epochs: self.sgd.n_epochs(),
            learning_rate,
        })
    }

    /// The layout, `N × 2` interleaved x, y.
    pub fn positions(&self) -> &[f32] {
        self.sgd.positions()
    }

    /// Epochs done.
    pub fn epoch(&self) -> usize {
        self.sgd.epoch()
    }

    /// Epochs in the run.
    pub fn n_epochs(&self) -> usize {
        self.sgd.n_epochs()
    }

    /// Whether every epoch has run.
    pub fn is_finished(&self) -> bool {
        self.sgd.epoch() >= self.sgd.n_epochs()
    }

    /// How the layout was initialised (and why, when a fallback replaced the spectral start).
    pub fn init_outcome(&self) -> &InitOutcome {
        &self.init
    }

    /// The fuzzy simplicial set the layout optimises, without the edges too light to be
    /// sampled.
    pub fn graph(&self) -> &FuzzyGraph {
        &self.graph
    }
}
