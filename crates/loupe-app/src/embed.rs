//! `loupe embed`: the same engines as the app (t-SNE or UMAP), headless, with a progress bar.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use arrow_array::{ArrayRef, UInt32Array};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loupe_cluster::KMeansParams;
use loupe_core::Dataset;
use loupe_tsne::{RecipeEngine, TsneEngine, ValidRecipe, ValidTsneParams};

use crate::cli::{EmbedArgs, MethodArg, TsneArgs, UmapArgs};
use crate::select::OutputFormat;

/// Reads the input, lays it out with t-SNE or UMAP, adds any k-means labels asked for and
/// writes the layout as (Geo)Parquet, CSV or `.geojson`.
pub fn run_embed(args: &EmbedArgs) -> anyhow::Result<()> {
    let opened =
        crate::info::open_with_progress(&args.input, &args.read.open_options(), args.quiet)?;
    if !args.quiet && !opened.report.failed.is_empty() {
        eprintln!("{}", opened.report);
    }
    let dataset = opened.dataset;
    // Every parameter is checked before any work, so a typo costs nothing.
    let plan = LayoutPlan::new(args.method, &args.tsne, &args.umap, &dataset)?;
    let kmeans_2d = cluster_counts(&args.kmeans, dataset.n_rows(), "--kmeans")?;
    let kmeans_hd = cluster_counts(&args.kmeans_vectors, dataset.n_rows(), "--kmeans-vectors")?;

    let bar = preparing_bar(&dataset, args.quiet);
    let mut trajectory = trajectory_writer(args, &dataset)?;
    let mut record = |iteration: usize, positions: &[f32]| -> anyhow::Result<()> {
        if let Some(writer) = &mut trajectory
            && iteration.is_multiple_of(args.trajectory_every.max(1))
        {
            writer.append(u32::try_from(iteration).unwrap_or(u32::MAX), positions)?;
        }
        Ok(())
    };
    let positions = plan.run(&dataset, &bar, false, &mut record)?;
    if let Some(writer) = trajectory {
        let snapshots = writer.snapshots();
        writer.finish()?;
        if !args.quiet {
            eprintln!(
                "wrote {snapshots} iterations of the trajectory to {}",
                args.trajectory
                    .as_deref()
                    .unwrap_or(Path::new(""))
                    .display()
            );
        }
    }
    let mut labels = Vec::new();
    for &k in &kmeans_2d {
        labels.push((format!("kmeans_2d_{k}"), kmeans(k, args, &positions, 2)?));
    }
    for &k in &kmeans_hd {
        let vectors = dataset.vectors();
        labels.push((
            format!("kmeans_hd_{k}"),
            kmeans(k, args, vectors, dataset.dim())?,
        ));
    }
    let extra: Vec<(&str, ArrayRef)> = labels
        .iter()
        .map(|(name, column)| (name.as_str(), Arc::clone(column)))
        .collect();
    // Unknown extensions stay Parquet, as before `loupe select` named its formats.
    let format = OutputFormat::from_path(&args.out).unwrap_or(OutputFormat::Parquet);
    format.write(&args.out, dataset.metadata(), &positions, &extra)?;
    if !args.quiet {
        let mut columns = String::from("x, y");
        for (name, _) in &labels {
            columns.push_str(", ");
            columns.push_str(name);
        }
        eprintln!(
            "wrote {} rows with {columns} to {}",
            dataset.n_rows(),
            args.out.display()
        );
    }
    Ok(())
}

/// The run the flags ask for, with either method, checked against the dataset before anything
/// runs. Shared by `loupe embed` and `loupe animate --method`.
pub(crate) enum LayoutPlan {
    /// t-SNE: one schedule or a multi-stage recipe.
    Tsne(TsnePlan),
    /// UMAP.
    Umap(loupe_umap::ValidUmapParams),
}

impl LayoutPlan {
    /// Validates the flags of `method` for `dataset` (UMAP takes metric, seed and PCA from the
    /// t-SNE flags).
    pub(crate) fn new(
        method: MethodArg,
        tsne: &TsneArgs,
        umap: &UmapArgs,
        dataset: &Dataset,
    ) -> anyhow::Result<Self> {
        Ok(match method {
            MethodArg::Tsne => Self::Tsne(TsnePlan::new(tsne, dataset)?),
            MethodArg::Umap => {
                Self::Umap(umap.to_valid_params(tsne, dataset.dim(), dataset.n_rows())?)
            }
        })
    }

    /// Iterations (UMAP: epochs) the run will take.
    pub(crate) fn total_iterations(&self) -> usize {
        match self {
            Self::Tsne(plan) => plan.total_iterations(),
            Self::Umap(params) => params.n_epochs(),
        }
    }

    /// Runs to the end (see [`TsnePlan::run`]); returns the final layout.
    pub(crate) fn run(
        &self,
        dataset: &Dataset,
        bar: &ProgressBar,
        record_start: bool,
        record: &mut Record<'_>,
    ) -> anyhow::Result<Vec<f32>> {
        match self {
            Self::Tsne(plan) => plan.run(dataset, bar, record_start, record),
            Self::Umap(params) => run_umap(dataset, params, bar, record_start, record),
        }
    }
}

/// UMAP, one epoch per step; the trajectory records epochs.
fn run_umap(
    dataset: &Dataset,
    params: &loupe_umap::ValidUmapParams,
    bar: &ProgressBar,
    record_start: bool,
    record: &mut Record<'_>,
) -> anyhow::Result<Vec<f32>> {
    let mut engine =
        loupe_umap::UmapEngine::prepare(dataset.vectors(), dataset.dim(), params, &mut |stage| {
            bar.set_message(format!("preparing: {stage}"));
        })?;
    bar.set_length(engine.n_epochs() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} epochs ({per_sec}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(match engine.init_outcome() {
        loupe_umap::InitOutcome::PcaFallback { reason }
        | loupe_umap::InitOutcome::RandomFallback { reason } => {
            format!("UMAP (spectral start failed: {reason}; fell back)")
        }
        _ => "UMAP".to_owned(),
    });
    if record_start {
        record(0, engine.positions())?;
    }
    while let Some(info) = engine.step() {
        record(info.epoch, engine.positions())?;
        bar.set_position(info.epoch as u64);
    }
    bar.finish_with_message("done");
    Ok(engine.positions().to_vec())
}

/// The cluster counts of `--kmeans`/`--kmeans-vectors`, each between 1 and the number of
/// rows, repeats dropped; checked before t-SNE runs so a typo costs nothing.
fn cluster_counts(counts: &[usize], n_rows: usize, flag: &str) -> anyhow::Result<Vec<usize>> {
    let mut unique: Vec<usize> = Vec::with_capacity(counts.len());
    for &k in counts {
        if k == 0 || k > n_rows {
            anyhow::bail!(
                "{flag}: cannot make {k} clusters of {n_rows} rows; give numbers of clusters \
                 from 1 to {n_rows}"
            );
        }
        if !unique.contains(&k) {
            unique.push(k);
        }
    }
    Ok(unique)
}

/// k-means labels of `data` (`N × dim`), seeded with the t-SNE seed.
fn kmeans(k: usize, args: &EmbedArgs, data: &[f32], dim: usize) -> anyhow::Result<ArrayRef> {
    let fit = KMeansParams::new(k)
        .with_seed(args.tsne.seed)
        .fit(data, dim)
        .with_context(|| format!("k-means with k = {k}"))?;
    Ok(Arc::new(UInt32Array::from(fit.labels().to_vec())))
}

/// The trajectory file `--trajectory` asks for, with `--trajectory-label`'s column.
fn trajectory_writer(
    args: &EmbedArgs,
    dataset: &Dataset,
) -> anyhow::Result<Option<loupe_data::TrajectoryWriter>> {
    let Some(path) = &args.trajectory else {
        return Ok(None);
    };
    let labels = match &args.trajectory_label {
        Some(column) => Some(
            dataset
                .metadata()
                .column_by_name(column)
                .cloned()
                .with_context(|| {
                    format!(
                        "--trajectory-label: no column {column:?} (columns: {})",
                        dataset.column_names().join(", ")
                    )
                })?,
        ),
        None => None,
    };
    Ok(Some(loupe_data::TrajectoryWriter::create(
        path,
        dataset.n_rows(),
        labels,
    )?))
}

/// Called after every iteration with the iteration number and the positions.
pub(crate) type Record<'a> = dyn FnMut(usize, &[f32]) -> anyhow::Result<()> + 'a;

/// A t-SNE run as the flags ask for it, checked against the dataset before anything runs:
/// one schedule of phases, or a multi-stage recipe. Shared by `loupe embed` and
/// `loupe animate --method tsne`.
pub(crate) enum TsnePlan {
    /// One engine, one schedule.
    Standard(ValidTsneParams),
    /// A multi-stage recipe (`--preset clay-multistage`).
    Recipe(ValidRecipe),
}

impl TsnePlan {
    /// Validates the t-SNE flags for `dataset`.
    pub(crate) fn new(tsne: &TsneArgs, dataset: &Dataset) -> anyhow::Result<Self> {
        let recipe = tsne.to_recipe(dataset.dim(), dataset.n_rows())?;
        let params = tsne
            .to_valid_params(dataset.dim(), dataset.n_rows())
            .context("invalid t-SNE parameters")?;
        Ok(match recipe {
            Some(recipe) => Self::Recipe(recipe),
            None => Self::Standard(params),
        })
    }

    /// Iterations the run will take.
    pub(crate) fn total_iterations(&self) -> usize {
        match self {
            Self::Standard(params) => params.total_iterations(),
            Self::Recipe(recipe) => recipe.total_iterations(),
        }
    }

    /// Runs to the end with a progress bar, calling `record` after every iteration (and, with
    /// `record_start`, once with iteration 0 and the initial layout); returns the final layout.
    pub(crate) fn run(
        &self,
        dataset: &Dataset,
        bar: &ProgressBar,
        record_start: bool,
        record: &mut Record<'_>,
    ) -> anyhow::Result<Vec<f32>> {
        match self {
            Self::Standard(params) => run_standard(dataset, params, bar, record_start, record),
            Self::Recipe(recipe) => run_recipe(dataset, recipe, bar, record_start, record),
        }
    }
}

/// A spinner saying what is being prepared (a run's kNN and affinities), hidden when `quiet`;
/// [`TsnePlan::run`] turns it into an iteration bar.
pub(crate) fn preparing_bar(dataset: &Dataset, quiet: bool) -> ProgressBar {
    let bar = if quiet {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
    } else {
        ProgressBar::new_spinner()
    };
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message(format!(
        "{}: {} rows × {} dims — preparing",
        dataset.name(),
        dataset.n_rows(),
        dataset.dim()
    ));
    bar
}

/// The progress bar of an iterating engine (also the frame bar of `loupe animate`).
pub(crate) fn iteration_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} it ({per_sec}) {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// One engine, one schedule of phases.
fn run_standard(
    dataset: &Dataset,
    params: &ValidTsneParams,
    bar: &ProgressBar,
    record_start: bool,
    record: &mut Record<'_>,
) -> anyhow::Result<Vec<f32>> {
    let mut engine = TsneEngine::prepare(dataset.vectors(), dataset.dim(), params, &mut |stage| {
        bar.set_message(format!("preparing: {stage}"));
    })?;
    bar.set_length(engine.total_iterations() as u64);
    bar.set_style(iteration_style());
    if record_start {
        record(0, engine.positions())?;
    }
    let mut last_kl: Option<f64> = None;
    while let Some(step) = engine.step() {
        last_kl = step.kl.or(last_kl);
        record(engine.iteration(), engine.positions())?;
        bar.set_position(engine.iteration() as u64);
        let phase = &engine.phases()[engine.phase_index().min(engine.phases().len() - 1)];
        let kl_text = last_kl.map_or_else(String::new, |kl| format!(", KL {kl:.4}"));
        bar.set_message(format!("{}{kl_text}", phase.name));
    }
    bar.finish_with_message(format!("done, KL {:.4}", engine.kl_divergence()));
    Ok(engine.positions().to_vec())
}

/// A multi-stage recipe: each stage prepares its own affinities and layout.
fn run_recipe(
    dataset: &Dataset,
    recipe: &ValidRecipe,
    bar: &ProgressBar,
    record_start: bool,
    record: &mut Record<'_>,
) -> anyhow::Result<Vec<f32>> {
    let mut engine = RecipeEngine::prepare(
        dataset.vector_buffer(),
        dataset.dim(),
        recipe,
        &mut |stage| {
            bar.set_message(format!("stage 1: preparing: {stage}"));
        },
    )?;
    bar.set_length(engine.total_iterations() as u64);
    bar.set_style(iteration_style());
    if record_start {
        record(0, engine.positions())?;
    }
    loop {
        if engine.needs_next_stage() {
            let next = engine.stage_index() + 2;
            engine.begin_next_stage(
                &mut |stage| bar.set_message(format!("stage {next}: preparing: {stage}")),
                &|| false,
            )?;
        }
        let Some(step) = engine.step()? else {
            break;
        };
        record(engine.iteration(), engine.positions())?;
        bar.set_position(step.info.iteration as u64);
        let name = recipe.stage_name(step.stage_index).unwrap_or("stage");
        let kl_text = engine
            .last_kl()
            .map_or_else(String::new, |(_, kl)| format!(", KL {kl:.4}"));
        bar.set_message(format!(
            "stage {} ({name}), exaggeration {}{kl_text}",
            step.stage_index + 1,
            step.info.exaggeration
        ));
    }
    let kl_text = engine
        .last_kl()
        .map_or_else(String::new, |(_, kl)| format!(", KL {kl:.4}"));
    bar.finish_with_message(format!("done{kl_text}"));
    Ok(engine.positions().to_vec())
}
