//! Adding points to a frozen layout: openTSNE's `prepare_partial` and `transform`
//! (Poličar et al. 2019, "openTSNE: a modular Python library for t-SNE dimensionality
//! reduction and embedding", §"Adding new data points").
//!
//! New rows are first placed at the coordinate-wise median of their `k` nearest reference
//! points (nearest in the input space), then optionally optimised against the reference,
//! which stays fixed: every new point feels attraction to its own reference neighbours and
//! repulsion from every reference point, never from the other new points, so each is placed
//! independently of the rest of the batch.

use loupe_knn::{KnnGraph, Metric};
use rayon::prelude::*;

use crate::bh_tree::QuadTree;
use crate::engine::StepInfo;
use crate::params::{finite_positive, in_unit_interval};
use crate::{NegativeGradientMethod, ParamError, Phase, TsneError, conditional_probabilities};

/// New points per parallel task in the gradient.
const GRAD_CHUNK: usize = 64;

/// Settings of [`PartialEmbedding`]; `Default` is openTSNE's `TSNEEmbedding.transform`
/// (`tsne.py`): perplexity 5, median placement over `k` = 25 neighbours, a fixed learning rate
/// of 0.1 (openTSNE warns that the automatic rate is far too large when adding points),
/// 0 iterations at exaggeration 4 and momentum 0.5, then 250 at exaggeration 1.5 and momentum
/// 0.8, with each gradient row clipped to length 0.25 (`max_grad_norm`) so that points that
/// start on top of a reference point do not shoot off.
#[derive(Debug, Clone, PartialEq)]
pub struct TransformParams {
    /// Perplexity of each new point's Gaussian over its reference neighbours.
    pub perplexity: f64,
    /// Reference neighbours whose median position is the starting point.
    pub k: usize,
    /// Metric of the input space (the reference run's metric).
    pub metric: Metric,
    /// Fixed step size.
    pub learning_rate: f64,
    /// Exaggeration of the first phase.
    pub early_exaggeration: f64,
    /// Iterations of the first phase.
    pub early_exaggeration_iter: usize,
    /// Exaggeration of the second phase.
    pub exaggeration: f64,
    /// Iterations of the second phase.
    pub n_iter: usize,
    /// Momentum of the first phase.
    pub initial_momentum: f64,
    /// Momentum of the second phase.
    pub final_momentum: f64,
    /// Longest allowed gradient row; `None` disables the clip.
    pub max_grad_norm: Option<f64>,
    /// Longest allowed update row; `None` disables the clip.
    pub max_step_norm: Option<f64>,
    /// Degrees of freedom of the output kernel (must match the reference run).
    pub dof: f64,
    /// How the repulsion from the reference is summed. `Auto` is exact for up to
    /// [`EXACT_PAIR_LIMIT`] new–reference pairs and Barnes–Hut above; `Fft` also means
    /// Barnes–Hut here: the reference never moves, so its quad tree is built once and each
    /// iteration costs `O(M log N)`.
    pub negative_gradient_method: NegativeGradientMethod,
    /// Barnes–Hut opening angle.
    pub theta: f64,
}

/// New–reference pairs up to which [`TransformParams`]' `Auto` sums the repulsion exactly
/// (about 0.1 s per iteration on two cores at the limit).
pub const EXACT_PAIR_LIMIT: usize = 20_000_000;

impl Default for TransformParams {
    fn default() -> Self {
        Self {
            perplexity: 5.0,
            k: 25,
            metric: Metric::Euclidean,
            learning_rate: 0.1,
            early_exaggeration: 4.0,
            early_exaggeration_iter: 0,
            exaggeration: 1.5,
            n_iter: 250,
            initial_momentum: 0.5,
            final_momentum: 0.8,
            max_grad_norm: Some(0.25),
            max_step_norm: None,
            dof: 1.0,
            negative_gradient_method: NegativeGradientMethod::Auto,
            theta: 0.5,
        }
    }
}

impl TransformParams {
    /// Checks the settings and returns the schedule they describe (two phases).
    pub fn phases(&self) -> Result<Vec<Phase>, ParamError> {
        self.validate()
    }

    fn validate(&self) -> Result<Vec<Phase>, ParamError> {
        if !(self.perplexity.is_finite() && self.perplexity > 0.0) {
            return Err(ParamError::InvalidPerplexity {
                perplexity: self.perplexity,
            });
        }
        if self.k == 0 {
            return Err(ParamError::OutOfRange {
                name: "k",
                value: 0.0,
                expected: "at least 1",
            });
        }
        finite_positive("dof", self.dof)?;
        if !(self.theta.is_finite() && self.theta >= 0.0) {
            return Err(ParamError::OutOfRange {
                name: "theta",
                value: self.theta,
                expected: "a finite number ≥ 0",
            });
        }
        if let Some(n) = self.max_grad_norm {
            finite_positive("max_grad_norm", n)?;
        }
        if let Some(n) = self.max_step_norm {
            finite_positive("max_step_norm", n)?;
        }
        in_unit_interval("initial_momentum", self.initial_momentum)?;
        let phases = vec![
            Phase {
                name: "early exaggeration".to_owned(),
                n_iter: self.early_exaggeration_iter,
                exaggeration: self.early_exaggeration,
                momentum: self.initial_momentum,
                learning_rate: self.learning_rate,
            },
            Phase {
                name: "placement".to_owned(),
                n_iter: self.n_iter,
                exaggeration: self.exaggeration,
                momentum: self.final_momentum,
                learning_rate: self.learning_rate,
            },
        ];
        for phase in &phases {
            phase.validate()?;
        }
        Ok(phases)
    }
}

/// The `k` nearest reference rows of every query row, exactly ([`loupe_knn::exact_query_knn`]:
/// blocked SGEMM, so tens of thousands of queries take seconds).
///
/// Distances are in [`Metric`]'s reported unit, as `loupe-knn` reports them (euclidean norm;
/// `1 − cos` for cosine, via L2-normalised rows), so [`conditional_probabilities`] can
/// calibrate them. Unlike a kNN graph of one set, a query identical to a reference row finds
/// it at distance 0. Ties go to the lower reference index.
pub fn query_knn(
    queries: &[f32],
    reference: &[f32],
    dim: usize,
    k: usize,
    metric: Metric,
) -> Result<KnnGraph, TsneError> {
    let n_ref = reference.len().checked_div(dim).unwrap_or(0);
    if dim == 0 || n_ref * dim != reference.len() || n_ref == 0 {
        return Err(TsneError::InputShape {
            len: reference.len(),
            n_points: n_ref,
            dim,
        });
    }
    let n_query = queries.len() / dim;
    if n_query * dim != queries.len() {
        return Err(TsneError::InputShape {
            len: queries.len(),
            n_points: n_query,
            dim,
        });
    }
    Ok(loupe_knn::exact_query_knn(
        queries, reference, dim, k, metric,
    )?)
}

/// openTSNE's `initialization.median`: each query placed at the coordinate-wise median of the
/// layout positions (`reference_layout`, interleaved x, y) of its first `k` neighbours in
/// `graph`. With `k = 1` a point lands exactly on its nearest reference point.
pub fn median_placement(graph: &KnnGraph, reference_layout: &[f64], k: usize) -> Vec<f64> {
    let k = k.clamp(1, graph.k.max(1));
    let mut out = vec![0.0; 2 * graph.n_points()];
    out.par_chunks_mut(2)
        .zip(graph.indices.par_chunks(graph.k.max(1)))
        .for_each_init(
            || (Vec::with_capacity(k), Vec::with_capacity(k)),
            |(xs, ys), (p, nbrs)| {
                xs.clear();
                ys.clear();
                for &j in &nbrs[..k] {
                    xs.push(reference_layout[2 * j as usize]);
                    ys.push(reference_layout[2 * j as usize + 1]);
                }
                p[0] = median(xs);
                p[1] = median(ys);
            },
        );
    out
}

/// numpy's median: the middle value, or the mean of the two middle values.
fn median(values: &mut [f64]) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

/// New points being optimised against a frozen reference layout (openTSNE's
/// `PartialTSNEEmbedding`), one iteration per [`Self::step`].
///
/// Gradient for new point `i` with reference points `j` (openTSNE's convention, ¼ of
/// `∂KL/∂y`): `α·Σ_j p_{j|i}·w_ij·(y_i − r_j) − (1/Z)·Σ_j w_ij^{(ν+1)/ν}·(y_i − r_j)`, where
/// `p_{j|i}` are the new point's conditional probabilities over its reference neighbours
/// (rows sum to 1, not symmetrised: openTSNE's `PerplexityBasedNN.to_new`) and `Z` sums the
/// kernel over all new–reference pairs, as openTSNE's reference-embedding gradient does. The
/// repulsion is exact (`O(M·N)` per iteration for M new and N reference points). The update
/// is openTSNE's gains-and-momentum step without the re-centring (the reference must not
/// move), with gradient rows clipped to `max_grad_norm`.
#[derive(Debug, Clone)]
pub struct PartialEmbedding {
    reference: Vec<f64>,
    neighbors: Vec<u32>,
    p: Vec<f64>,
    k: usize,
    y: Vec<f64>,
    positions: Vec<f32>,
    grad: Vec<f64>,
    gains: Vec<f64>,
    update: Vec<f64>,
    phases: Vec<Phase>,
    phase_index: usize,
    phase_iteration: usize,
    iteration: usize,
    dof: f64,
    max_grad_norm: Option<f64>,
    max_step_norm: Option<f64>,
    /// The reference's quad tree when the repulsion is Barnes–Hut (built once).
    tree: Option<QuadTree>,
    theta: f64,
    /// Per-point repulsion and per-chunk normaliser, reused every iteration.
    repulsion: Vec<f64>,
    z_parts: Vec<f64>,
}

impl PartialEmbedding {
    /// openTSNE's `prepare_partial`: affinities of each new row (`new_vectors`, `M × dim`) to
    /// its `⌊3·perplexity⌋` nearest reference rows (`reference_vectors`, `N × dim`, the input
    /// the reference layout was made from, after any reduction), and the median placement over
    /// `params.k` of them on `reference_layout` (`N × 2`, interleaved).
    pub fn prepare(
        reference_vectors: &[f32],
        dim: usize,
        reference_layout: &[f64],
        new_vectors: &[f32],
        params: &TransformParams,
    ) -> Result<Self, TsneError> {
        let phases = params.validate()?;
        let n_ref = reference_vectors.len().checked_div(dim).unwrap_or(0);
        if reference_layout.len() != 2 * n_ref {
            return Err(TsneError::InputShape {
                len: reference_layout.len(),
                n_points: n_ref,
                dim: 2,
            });
        }
        for data in [reference_vectors, new_vectors] {
            if let Some(pos) = data.iter().position(|v| !v.is_finite()) {
                return Err(TsneError::NonFinite {
                    row: pos / dim.max(1),
                });
            }
        }
        if let Some(pos) = reference_layout.iter().position(|v| !v.is_finite()) {
            return Err(TsneError::NonFinite { row: pos / 2 });
        }
        let k_affinity = ((3.0 * params.perplexity).floor() as usize).max(1);
        let graph = query_knn(
            new_vectors,
            reference_vectors,
            dim,
            k_affinity.max(params.k),
            params.metric,
        )?;
        let y = median_placement(&graph, reference_layout, params.k);
        // The affinities use the first ⌊3·perplexity⌋ neighbours (fewer when N is small).
        let k = k_affinity.min(graph.k);
        let truncated = KnnGraph {
            k,
            indices: graph
                .indices
                .chunks_exact(graph.k)
                .flat_map(|r| r[..k].iter().copied())
                .collect(),
            distances: graph
                .distances
                .chunks_exact(graph.k)
                .flat_map(|r| r[..k].iter().copied())
                .collect(),
        };
        let perplexity = params.perplexity.min(k as f64);
        let p = conditional_probabilities(&truncated, perplexity);
        let n_new = y.len() / 2;
        let exact = match params.negative_gradient_method {
            NegativeGradientMethod::Exact => true,
            NegativeGradientMethod::Auto => n_new.saturating_mul(n_ref) <= EXACT_PAIR_LIMIT,
            NegativeGradientMethod::BarnesHut | NegativeGradientMethod::Fft => false,
        };
        let tree = (!exact).then(|| {
            let mut tree = QuadTree::default();
            tree.build(reference_layout);
            tree
        });
        Ok(Self {
            tree,
            theta: params.theta,
            repulsion: vec![0.0; y.len()],
            z_parts: vec![0.0; y.len().div_ceil(2 * GRAD_CHUNK)],
            reference: reference_layout.to_vec(),
            neighbors: truncated.indices,
            p,
            k,
            positions: y.iter().map(|&v| v as f32).collect(),
            grad: vec![0.0; y.len()],
            gains: vec![1.0; y.len()],
            update: vec![0.0; y.len()],
            y,
            phases,
            phase_index: 0,
            phase_iteration: 0,
            iteration: 0,
            dof: params.dof,
            max_grad_norm: params.max_grad_norm,
            max_step_norm: params.max_step_norm,
        })
    }

    /// One iteration; `None` once every phase has run. `kl` is never evaluated.
    pub fn step(&mut self) -> Option<StepInfo> {
        while self
            .phases
            .get(self.phase_index)
            .is_some_and(|ph| self.phase_iteration >= ph.n_iter)
        {
            self.phase_index += 1;
            self.phase_iteration = 0;
        }
        let phase = self.phases.get(self.phase_index)?.clone();
        self.gradient(phase.exaggeration);
        if let Some(max) = self.max_grad_norm {
            clip_rows(&mut self.grad, max);
        }
        for ((gain, update), &g) in self.gains.iter_mut().zip(&mut self.update).zip(&self.grad) {
            // openTSNE's gains rule (see `optimizer.rs`), sign(0) counting as its own sign.
            if sign(*update) == sign(g) {
                *gain = *gain * 0.8 + crate::MIN_GAIN;
            } else {
                *gain += 0.2;
            }
            *update = phase.momentum * *update - phase.learning_rate * *gain * g;
        }
        if let Some(max) = self.max_step_norm {
            clip_rows(&mut self.update, max);
        }
        for ((y, u), p) in self.y.iter_mut().zip(&self.update).zip(&mut self.positions) {
            *y += u;
            *p = *y as f32;
        }
        self.iteration += 1;
        self.phase_iteration += 1;
        Some(StepInfo {
            iteration: self.iteration,
            phase_index: self.phase_index,
            phase_iteration: self.phase_iteration,
            exaggeration: phase.exaggeration,
            learning_rate: phase.learning_rate,
            kl: None,
        })
    }

    fn gradient(&mut self, exaggeration: f64) {
        let dof = self.dof;
        let (reference, neighbors, p, k, y) =
            (&self.reference, &self.neighbors, &self.p, self.k, &self.y);
        // (w, w_rep, attraction weight) = ((1 + d²/ν)^−ν, (1 + d²/ν)^−(ν+1), (1 + d²/ν)^−1).
        let cauchy = (dof - 1.0).abs() < f64::EPSILON;
        let kernel = move |d2: f64| {
            let base = 1.0 / (1.0 + d2 / dof);
            let w = if cauchy { base } else { base.powf(dof) };
            (w, w * base, base)
        };
        let (tree, theta) = (self.tree.as_ref(), self.theta);
        self.repulsion
            .par_chunks_mut(2 * GRAD_CHUNK)
            .zip(y.par_chunks(2 * GRAD_CHUNK))
            .zip(&mut self.z_parts)
            .for_each(|((rep, ys), z)| {
                *z = 0.0;
                for (r, yi) in rep.chunks_exact_mut(2).zip(ys.chunks_exact(2)) {
                    if let Some(tree) = tree {
                        // The tree returns the force, −Σ w^{(ν+1)/ν}·(y − r).
                        let (force, sum_q) = tree.repulsion([yi[0], yi[1]], theta, dof);
                        *z += sum_q;
                        r[0] = -force[0];
                        r[1] = -force[1];
                        continue;
                    }
                    let mut acc = [0.0; 2];
                    for rj in reference.chunks_exact(2) {
                        let (dx, dy) = (yi[0] - rj[0], yi[1] - rj[1]);
                        let (w, w_rep, _) = kernel(dx * dx + dy * dy);
                        *z += w;
                        acc[0] += w_rep * dx;
                        acc[1] += w_rep * dy;
                    }
                    r.copy_from_slice(&acc);
                }
            });
        let z: f64 = self.z_parts.iter().sum();
        let inv_z = if z > 0.0 { 1.0 / z } else { 0.0 };
        self.grad
            .par_chunks_mut(2)
            .zip(y.par_chunks(2))
            .zip(self.repulsion.par_chunks(2))
            .enumerate()
            .for_each(|(i, ((g, yi), rep))| {
                let mut attr = [0.0; 2];
                let row = i * k..(i + 1) * k;
                for (&j, &pij) in neighbors[row.clone()].iter().zip(&p[row]) {
                    let rj = &reference[2 * j as usize..2 * j as usize + 2];
                    let (dx, dy) = (yi[0] - rj[0], yi[1] - rj[1]);
                    let (_, _, q) = kernel(dx * dx + dy * dy);
                    attr[0] += pij * q * dx;
                    attr[1] += pij * q * dy;
                }
                g[0] = exaggeration * attr[0] - inv_z * rep[0];
                g[1] = exaggeration * attr[1] - inv_z * rep[1];
            });
    }

    /// Runs every remaining iteration and returns the final positions (`M × 2`).
    #[must_use]
    pub fn run(mut self) -> Vec<f32> {
        while self.step().is_some() {}
        self.positions
    }

    /// The new points' positions, `M × 2` interleaved.
    pub fn positions(&self) -> &[f32] {
        &self.positions
    }

    /// The new points' positions in working precision.
    pub fn positions_f64(&self) -> &[f64] {
        &self.y
    }

    /// The frozen reference layout.
    pub fn reference(&self) -> &[f64] {
        &self.reference
    }

    /// Iterations done.
    pub fn iteration(&self) -> usize {
        self.iteration
    }

    /// The schedule.
    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }
}

/// `np.sign`: 0 for ±0.
fn sign(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

/// Scales every 2-vector longer than `max` down to length `max`.
fn clip_rows(v: &mut [f64], max: f64) {
    for u in v.chunks_exact_mut(2) {
        let norm = (u[0] * u[0] + u[1] * u[1]).sqrt();
        if norm > max {
            u[0] = u[0] / norm * max;
            u[1] = u[1] / norm * max;
        }
    }
}
