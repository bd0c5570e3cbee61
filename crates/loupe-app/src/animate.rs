//! `loupe animate`: a run as an MP4, a GIF or its last frame as a PNG, every frame drawn
//! offscreen by the app's own point renderer (lavapipe on machines without a GPU).
//!
//! Both sources end up as a trajectory file read one epoch at a time: a trajectory given as
//! INPUT, or a run computed here with `--method` and recorded (to `--trajectory`, or a
//! temporary file). Frames are composed on this thread and encoded on a `loupe-encode`
//! thread, so rendering and encoding overlap.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

use anyhow::Context as _;
use arrow_array::{Array, ArrayRef};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loupe_animate::{
    AnimationStyle, CameraMode, ExportFormat, FrameRenderer, Legend, LegendEntry, LegendImage,
    Quality, RgbaImage, SinkOptions, VideoSink,
};
use loupe_core::{Categories, Dataset};
use loupe_data::{DataError, Trajectory, TrajectoryWriter};

use crate::cli::{AnimateArgs, CameraArg, LegendArg, MethodArg};
use crate::embed::{LayoutPlan, Record, iteration_style, preparing_bar};

/// Frames composed ahead of the encoder: enough to keep both threads busy, few enough that
/// 4K frames do not pile up in memory.
const FRAMES_IN_FLIGHT: usize = 3;
/// The colour of every point when no column colours them.
const UNCOLOURED: [u8; 4] = [0x6f, 0xb8, 0xf0, 0xff];

/// Renders INPUT (a trajectory, or a dataset laid out with `--method`) to `--out`.
pub fn run_animate(args: &AnimateArgs) -> anyhow::Result<()> {
    let format = ExportFormat::from_path(&args.out)?;
    if args.every == 0 {
        anyhow::bail!("--every must be at least 1");
    }
    let started = Instant::now();
    // The temporary folder of a recorded run lives until the frames are written.
    let (trajectory, prepared, _temporary) = if let Some(method) = args.method {
        record_run(args, method, format)?
    } else {
        let trajectory = Trajectory::scan(&args.input).map_err(|e| match e {
            DataError::Parquet { .. } | DataError::BadTrajectory { .. } => {
                anyhow::anyhow!("{e}; to lay out a dataset and animate the run, add --method tsne")
            }
            other => other.into(),
        })?;
        let prepared = prepare_trajectory(args, &trajectory, format)?;
        (trajectory, prepared, None)
    };
    let Prepared {
        mut renderer,
        sink,
        colours,
    } = prepared;
    let (min, max) = trajectory.bounds();
    renderer.set_camera(match args.camera {
        CameraArg::Fixed => CameraMode::Fixed { min, max },
        CameraArg::Follow => CameraMode::FollowEachFrame,
    });
    // A run recorded here kept only every K-th iteration already.
    let every = if args.method.is_some() { 1 } else { args.every };
    let epochs = chosen_epochs(trajectory.epochs(), every, format.is_still());
    let total = trajectory.epochs().last().copied().unwrap_or(0) as usize;
    let bar = progress_bar(args.quiet);
    bar.set_style(iteration_style());
    bar.set_length(epochs.len() as u64);
    bar.set_message(format!("rendering {}", args.out.display()));
    let (frames, bytes) = render_frames(
        &trajectory,
        &epochs,
        total,
        &mut renderer,
        &colours,
        sink,
        &bar,
    )?;
    bar.finish_and_clear();
    if !args.quiet {
        eprintln!(
            "wrote {frames} {} of {} points ({}×{}) to {} ({:.1} MB) in {:.1} s",
            if frames == 1 { "frame" } else { "frames" },
            trajectory.points(),
            args.size.0[0],
            args.size.0[1],
            args.out.display(),
            bytes as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// What every source prepares before frames are drawn: the composer, the open output and the
/// points' colours in slot order.
struct Prepared {
    renderer: FrameRenderer,
    sink: VideoSink,
    colours: Vec<u32>,
}

/// Which recorded epochs become frames: every `every`-th, always the first and the last; a
/// still picture needs only the last.
fn chosen_epochs(epochs: &[u32], every: usize, still: bool) -> Vec<u32> {
    let Some(&last) = epochs.last() else {
        return Vec::new();
    };
    if still {
        return vec![last];
    }
    let mut chosen: Vec<u32> = epochs.iter().step_by(every.max(1)).copied().collect();
    if chosen.last() != Some(&last) {
        chosen.push(last);
    }
    chosen
}

/// Reads the trajectory's epochs in order and sends the chosen ones, composed, to the sink
/// on an encoder thread; returns the frames written and the file size.
fn render_frames(
    trajectory: &Trajectory,
    epochs: &[u32],
    total: usize,
    renderer: &mut FrameRenderer,
    colours: &[u32],
    sink: VideoSink,
    bar: &ProgressBar,
) -> anyhow::Result<(usize, u64)> {
    let (sender, receiver): (SyncSender<RgbaImage>, Receiver<RgbaImage>) =
        sync_channel(FRAMES_IN_FLIGHT);
    let encoder = std::thread::Builder::new()
        .name("loupe-encode".to_owned())
        .spawn(move || -> anyhow::Result<(usize, u64)> {
            let mut sink = sink;
            for frame in receiver {
                sink.push(frame)?;
            }
            let frames = sink.frames();
            Ok((frames, sink.finish()?))
        })
        .context("starting the encoder thread")?;
    let rendered = (|| -> anyhow::Result<()> {
        let mut snapshots = trajectory.snapshots()?;
        let mut wanted = epochs.iter().peekable();
        while let Some(&&next) = wanted.peek() {
            let Some((epoch, positions)) = snapshots.next_snapshot()? else {
                break;
            };
            if epoch != next {
                continue;
            }
            wanted.next();
            let frame = renderer.render(positions, colours, epoch as usize, total)?;
            if sender.send(frame).is_err() {
                // The encoder stopped; its error is reported below.
                break;
            }
            bar.inc(1);
        }
        Ok(())
    })();
    drop(sender);
    let encoded = encoder
        .join()
        .map_err(|_| anyhow::anyhow!("the encoder thread panicked"))?;
    // An encoder error explains a render stopped early better than the other way round.
    let written = encoded?;
    rendered?;
    Ok(written)
}

/// `--method`: reads INPUT, checks everything that can fail (colours, legend, device, output)
/// and only then runs the layout, recording it to a trajectory file.
fn record_run(
    args: &AnimateArgs,
    method: MethodArg,
    format: ExportFormat,
) -> anyhow::Result<(Trajectory, Prepared, Option<tempfile::TempDir>)> {
    let opened =
        crate::info::open_with_progress(&args.input, &args.read.open_options(), args.quiet)?;
    if !args.quiet && !opened.report.failed.is_empty() {
        eprintln!("{}", opened.report);
    }
    let dataset = opened.dataset;
    let column = match &args.color_by {
        Some(name) => Some(dataset_column(&dataset, name, &args.input)?),
        None => default_dataset_column(&dataset),
    };
    let colouring = Colouring::new(column.as_ref().map(|(n, v)| (n.as_str(), v)))?;
    let rows: Vec<usize> = (0..dataset.n_rows()).collect();
    let legend = legend_entries(&colouring, args.legend, Some(&dataset), &rows, &args.input)?;
    let plan = layout_run(method, args, &dataset)?;
    let total = plan.total_iterations();
    let prepared = prepare(args, dataset.n_rows(), &colouring, legend, format)?;

    let (path, temporary): (PathBuf, _) = if let Some(path) = &args.trajectory {
        (path.clone(), None)
    } else {
        let dir = tempfile::tempdir().context("creating a temporary folder for the run")?;
        (dir.path().join("trajectory.parquet"), Some(dir))
    };
    let labels = column.map(|(_, values)| values);
    let mut writer = TrajectoryWriter::create(&path, dataset.n_rows(), labels)?;
    let keep = |iteration: usize| {
        if format.is_still() {
            iteration == total
        } else {
            iteration.is_multiple_of(args.every) || iteration == total
        }
    };
    let bar = preparing_bar(&dataset, args.quiet);
    let mut record = |iteration: usize, positions: &[f32]| -> anyhow::Result<()> {
        if keep(iteration) {
            writer.append(u32::try_from(iteration).unwrap_or(u32::MAX), positions)?;
        }
        Ok(())
    };
    plan.run(&dataset, &bar, &mut record)?;
    bar.finish_and_clear();
    writer.finish()?;
    if let (Some(kept), false) = (&args.trajectory, args.quiet) {
        eprintln!("wrote the recorded run to {}", kept.display());
    }
    let trajectory = Trajectory::scan(&path)?;
    Ok((trajectory, prepared, temporary))
}

/// A layout method that runs to the end, reporting every iteration's positions.
trait LayoutRun {
    /// Iterations the run will take (the progress bar's "epoch i / n").
    fn total_iterations(&self) -> usize;
    /// Runs with a progress bar, calling `record` with iteration 0 (the initial layout) and
    /// after every iteration.
    fn run(
        &self,
        dataset: &Dataset,
        bar: &ProgressBar,
        record: &mut Record<'_>,
    ) -> anyhow::Result<()>;
}

impl LayoutRun for LayoutPlan {
    fn total_iterations(&self) -> usize {
        LayoutPlan::total_iterations(self)
    }

    fn run(
        &self,
        dataset: &Dataset,
        bar: &ProgressBar,
        record: &mut Record<'_>,
    ) -> anyhow::Result<()> {
        LayoutPlan::run(self, dataset, bar, true, record).map(drop)
    }
}

/// The run `--method` asks for, its parameters checked against the dataset before anything
/// runs. Each method is one arm here.
fn layout_run(
    method: MethodArg,
    args: &AnimateArgs,
    dataset: &Dataset,
) -> anyhow::Result<Box<dyn LayoutRun>> {
    Ok(Box::new(LayoutPlan::new(
        method, &args.tsne, &args.umap, dataset,
    )?))
}

/// A trajectory as INPUT: colours from its label column, pictures from `--images`.
fn prepare_trajectory(
    args: &AnimateArgs,
    trajectory: &Trajectory,
    format: ExportFormat,
) -> anyhow::Result<Prepared> {
    let name = match &args.color_by {
        Some(name) => Some(name.clone()),
        None => default_trajectory_column(trajectory)?,
    };
    let values = match &name {
        Some(name) => Some(
            trajectory
                .column(name)
                .map_err(|e| anyhow::anyhow!("--color-by: {e}"))?,
        ),
        None => None,
    };
    let colouring = Colouring::new(name.as_deref().zip(values.as_ref()))?;
    let images = match &args.images {
        Some(path) => Some(
            crate::info::open_with_progress(path, &args.read.open_options(), args.quiet)?.dataset,
        ),
        None => None,
    };
    let rows = match &images {
        Some(dataset) => rows_of(trajectory, dataset.n_rows(), args.images.as_deref())?,
        None => Vec::new(),
    };
    let legend = legend_entries(&colouring, args.legend, images.as_ref(), &rows, &args.input)?;
    prepare(args, trajectory.points(), &colouring, legend, format)
}

/// The dataset row of each trajectory point (its `index`), checked to exist.
fn rows_of(
    trajectory: &Trajectory,
    n_rows: usize,
    path: Option<&Path>,
) -> anyhow::Result<Vec<usize>> {
    trajectory
        .indices()
        .iter()
        .map(|&index| {
            usize::try_from(index)
                .ok()
                .filter(|&row| row < n_rows)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "--images {}: the trajectory's index {index} is past its {n_rows} rows; \
                     give the dataset the run laid out",
                        path.unwrap_or(Path::new("")).display()
                    )
                })
        })
        .collect()
}

/// Opens the device, the composer and the output: everything that can fail before frames
/// are drawn (or a run is started).
fn prepare(
    args: &AnimateArgs,
    points: usize,
    colouring: &Colouring,
    legend: (Legend, Vec<LegendEntry>),
    format: ExportFormat,
) -> anyhow::Result<Prepared> {
    let (legend_kind, entries) = legend;
    let style = AnimationStyle {
        size: args.size.0,
        fps: args.fps,
        legend: legend_kind,
        title: args.title.clone(),
        legend_title: colouring
            .name
            .clone()
            .filter(|_| legend_kind != Legend::None),
        point_radius_px: args.point_radius,
        ..AnimationStyle::default()
    };
    let (device, queue, adapter) = loupe_render::offscreen::request_device()?;
    log::info!(
        "rendering on {:?} ({:?}, {:?})",
        adapter.name,
        adapter.backend,
        adapter.device_type
    );
    let renderer = FrameRenderer::new(&device, &queue, style, &entries)?;
    let colours = colouring.colours_for(points);
    let quality = match args.bitrate {
        Some(kbps) => Quality::BitrateKbps(kbps),
        None => Quality::ConstantQp(args.quality),
    };
    let gif_palette = match format {
        ExportFormat::Gif => Some(renderer.gif_palette(&colours)?),
        ExportFormat::Mp4 | ExportFormat::Png => None,
    };
    let sink = VideoSink::create(
        &args.out,
        format,
        SinkOptions::for_style(renderer.style(), quality, gif_palette),
    )?;
    Ok(Prepared {
        renderer,
        sink,
        colours,
    })
}

/// How points are coloured: by categories (with a legend), by a numeric column (viridis, no
/// legend), or all alike.
struct Colouring {
    name: Option<String>,
    categories: Option<Categories>,
    colours: Option<Vec<u32>>,
}

impl Colouring {
    fn new(column: Option<(&str, &ArrayRef)>) -> anyhow::Result<Self> {
        let Some((name, values)) = column else {
            return Ok(Self {
                name: None,
                categories: None,
                colours: None,
            });
        };
        let formatter = ArrayFormatter::try_new(values.as_ref(), &FormatOptions::default())
            .with_context(|| format!("--color-by {name}: cannot read the column"))?;
        let text: Vec<Option<String>> = (0..values.len())
            .map(|i| (!values.is_null(i)).then(|| formatter.value(i).to_string()))
            .collect();
        if let Some(categories) = Categories::from_values(name, &text) {
            let colours = categories
                .codes
                .iter()
                .map(|code| {
                    loupe_colour::pack(loupe_colour::category_colour(code.map(|c| c as usize)))
                })
                .collect();
            return Ok(Self {
                name: Some(name.to_owned()),
                categories: Some(categories),
                colours: Some(colours),
            });
        }
        if values.data_type().is_numeric() {
            let numbers = arrow_cast::cast(values, &arrow_schema::DataType::Float64)
                .with_context(|| format!("--color-by {name}: cannot read numbers"))?;
            let numbers = numbers
                .as_any()
                .downcast_ref::<arrow_array::Float64Array>()
                .context("a Float64 column")?;
            let values: Vec<f64> = (0..numbers.len())
                .map(|i| {
                    if numbers.is_null(i) {
                        f64::NAN
                    } else {
                        numbers.value(i)
                    }
                })
                .collect();
            let painted =
                loupe_colour::numeric_colours(&values, None, loupe_colour::Colormap::Viridis)?;
            return Ok(Self {
                name: Some(name.to_owned()),
                categories: None,
                colours: Some(
                    painted
                        .colours
                        .into_iter()
                        .map(loupe_colour::pack)
                        .collect(),
                ),
            });
        }
        anyhow::bail!(
            "--color-by {name}: the column has no values or more than {} distinct ones, and is \
             not numeric; pick a column of classes",
            loupe_core::MAX_CATEGORIES
        )
    }

    fn colours_for(&self, points: usize) -> Vec<u32> {
        self.colours
            .clone()
            .unwrap_or_else(|| vec![loupe_colour::pack(UNCOLOURED); points])
    }
}

/// The legend `choice` asks for, with one sample picture per class when pictures are wanted
/// and the vectors are images (`rows` maps points to `dataset` rows).
fn legend_entries(
    colouring: &Colouring,
    choice: LegendArg,
    dataset: Option<&Dataset>,
    rows: &[usize],
    input: &Path,
) -> anyhow::Result<(Legend, Vec<LegendEntry>)> {
    let Some(categories) = &colouring.categories else {
        if matches!(choice, LegendArg::Images | LegendArg::Swatches) {
            anyhow::bail!(
                "--legend needs classes to list: colour the points by a column of classes \
                 with --color-by COLUMN"
            );
        }
        return Ok((Legend::None, Vec::new()));
    };
    let shape = dataset.and_then(|d| d.image_shape().map(|s| (d, s)));
    let kind = match (choice, shape) {
        (LegendArg::None, _) => return Ok((Legend::None, Vec::new())),
        (LegendArg::Swatches, _) | (LegendArg::Auto, None) => Legend::Swatches,
        (LegendArg::Images | LegendArg::Auto, Some(_)) => Legend::Images,
        (LegendArg::Images, None) => {
            let reason = match dataset {
                Some(d) => format!(
                    "the vectors of {} are not images (no height × width shape)",
                    d.name()
                ),
                None => format!(
                    "{} is a trajectory without vectors; pass the dataset it laid out with \
                     --images FILE",
                    input.display()
                ),
            };
            anyhow::bail!("--legend images: {reason}");
        }
    };
    // The first point of each class is its sample.
    let mut samples: Vec<Option<usize>> = vec![None; categories.names.len()];
    for (point, code) in categories.codes.iter().enumerate() {
        if let Some(code) = code
            && samples[*code as usize].is_none()
        {
            samples[*code as usize] = Some(point);
        }
    }
    let entries = categories
        .names
        .iter()
        .zip(&samples)
        .enumerate()
        .map(|(code, (name, sample))| {
            let image = match (kind, shape, sample) {
                (Legend::Images, Some((dataset, shape)), Some(point)) => rows
                    .get(*point)
                    .and_then(|&row| LegendImage::from_vector(dataset.row(row), shape)),
                _ => None,
            };
            LegendEntry {
                label: name.clone(),
                colour: loupe_colour::category_colour(Some(code)),
                image,
            }
        })
        .collect();
    Ok((kind, entries))
}

/// `--color-by` on a dataset: the column, or a one-line error listing the columns.
fn dataset_column(
    dataset: &Dataset,
    name: &str,
    input: &Path,
) -> anyhow::Result<(String, ArrayRef)> {
    let values = dataset.metadata().column_by_name(name).with_context(|| {
        format!(
            "--color-by: {} has no column {name:?} (columns: {})",
            input.display(),
            dataset.column_names().join(", ")
        )
    })?;
    Ok((name.to_owned(), Arc::clone(values)))
}

/// Without `--color-by`: a categorical `label` column, else none.
fn default_dataset_column(dataset: &Dataset) -> Option<(String, ArrayRef)> {
    dataset.categories("label")?;
    let values = dataset.metadata().column_by_name("label")?;
    Some(("label".to_owned(), Arc::clone(values)))
}

/// Without `--color-by`: `label` when it holds values, else the first other column that does
/// (the seed's `digit`), else none.
fn default_trajectory_column(trajectory: &Trajectory) -> anyhow::Result<Option<String>> {
    let mut names: Vec<&String> = trajectory.other_columns().iter().collect();
    names.sort_by_key(|n| n.as_str() != "label");
    for name in names {
        let values = trajectory.column(name)?;
        if values.null_count() < values.len() {
            return Ok(Some(name.clone()));
        }
    }
    Ok(None)
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
    } else {
        let bar = ProgressBar::new_spinner();
        bar.set_style(ProgressStyle::default_spinner());
        bar
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_are_thinned_keeping_both_ends() {
        let epochs: Vec<u32> = (0..=10).collect();
        assert_eq!(chosen_epochs(&epochs, 1, false), epochs);
        assert_eq!(chosen_epochs(&epochs, 4, false), [0, 4, 8, 10]);
        assert_eq!(chosen_epochs(&epochs, 5, false), [0, 5, 10]);
        assert_eq!(chosen_epochs(&epochs, 3, true), [10]);
        assert!(chosen_epochs(&[], 3, false).is_empty());
    }
}
