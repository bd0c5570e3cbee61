//! Colourings beyond categorical columns: a numeric column through a perceptual colormap
//! (with an adjustable range and a colour bar), and the structure colourings of
//! `loupe-colour` (PCA → RGB, PCA-24 bits, ICA → RGB, argmax, the layout-trust map), computed
//! on a named worker thread with progress so a million points never freeze the window.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use loupe_colour::{ArgmaxOf, Colormap, IcaParams, TrustParams};
use loupe_core::{Categories, LatestSlot, VectorBuffer};

use super::session::{Command, Session};

/// A structure colouring from the "Coloring t-SNE" notebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    /// The vectors' first three principal components as R, G, B.
    PcaRgb,
    /// 24 principal components, each above or below its median, as the 24 bits of a colour.
    PcaBits,
    /// Three `FastICA` sources as R, G, B.
    IcaRgb,
    /// The index of each vector's largest value.
    ArgmaxRaw,
    /// The same after standardising every dimension.
    ArgmaxStandardised,
    /// The largest of ten standardised principal components.
    ArgmaxPca,
    /// Mean high-dimensional distance to the 10 nearest 2-D neighbours: where the picture lies.
    TrustMap,
}

impl Structure {
    /// Every colouring, in menu order.
    pub const ALL: [Self; 7] = [
        Self::PcaRgb,
        Self::PcaBits,
        Self::IcaRgb,
        Self::ArgmaxRaw,
        Self::ArgmaxStandardised,
        Self::ArgmaxPca,
        Self::TrustMap,
    ];

    /// The menu entry.
    pub fn name(self) -> &'static str {
        match self {
            Self::PcaRgb => "PCA to RGB",
            Self::PcaBits => "PCA 24 bits",
            Self::IcaRgb => "ICA to RGB",
            Self::ArgmaxRaw => "argmax of vector",
            Self::ArgmaxStandardised => "argmax of standardised vector",
            Self::ArgmaxPca => "argmax of PCA components",
            Self::TrustMap => "layout trust (local distortion)",
        }
    }
}

/// What the points are coloured by, when it is not a categorical column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColourSource {
    /// A numeric column through a colormap; `range` `None` = 1st–99th percentile.
    Numeric {
        /// The column.
        column: String,
        /// The values mapped to the colormap's ends.
        range: Option<(f64, f64)>,
    },
    /// A structure colouring.
    Structure(Structure),
    /// How much each point is like the positives ("find more like this" scores), computed
    /// from the current labels and recomputed when they change.
    SimilarityScore,
}

/// Finished colours.
pub struct Painted {
    /// One packed colour per row.
    pub colours: Vec<u32>,
    /// The values at the colour bar's ends, for sequential colourings.
    pub bar: Option<(f64, f64)>,
    /// Categories for a legend (argmax colourings).
    pub categories: Option<Categories>,
}

/// A colouring being computed.
pub struct ColourJob {
    /// What is computed.
    pub source: ColourSource,
    /// Fraction done, as `f32` bits.
    progress: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
    result: Arc<LatestSlot<Result<Painted, String>>>,
}

impl ColourJob {
    /// Fraction done in `[0, 1]`.
    pub fn progress(&self) -> f32 {
        f32::from_bits(self.progress.load(Ordering::Relaxed))
    }
}

impl Drop for ColourJob {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// The colour state of the session beyond categorical columns.
#[derive(Default)]
pub struct ColouringState {
    /// The colouring shown (or being computed).
    pub source: Option<ColourSource>,
    /// Its colours, once computed.
    pub painted: Option<Painted>,
    /// The computation in progress.
    pub job: Option<ColourJob>,
}

impl Session {
    /// Colours by a numeric column or a structure colouring (computed in the background).
    pub(super) fn colour_by_source(&mut self, source: ColourSource) {
        if source == ColourSource::SimilarityScore {
            self.colour_by_similarity();
            return;
        }
        let Some(dataset) = self.dataset.clone() else {
            return;
        };
        let vectors = dataset.vector_buffer();
        let dim = dataset.dim();
        let seed = self.params.seed;
        let positions = self.positions().cloned();
        let numeric = match &source {
            ColourSource::Numeric { column, .. } => {
                let Some(values) = numeric_column(&dataset, column) else {
                    self.error = Some(format!("{column} is not a numeric column"));
                    return;
                };
                Some(values)
            }
            ColourSource::Structure(Structure::TrustMap) if positions.is_none() => {
                self.error =
                    Some("the trust map needs a layout (run t-SNE or UMAP first)".to_owned());
                return;
            }
            ColourSource::Structure(_) | ColourSource::SimilarityScore => None,
        };
        let progress = Arc::new(AtomicU32::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let result = Arc::new(LatestSlot::new());
        let (job_progress, job_cancel, slot) = (
            Arc::clone(&progress),
            Arc::clone(&cancel),
            Arc::clone(&result),
        );
        let repaint = Arc::clone(&self.repaint);
        let work_source = source.clone();
        let spawned = std::thread::Builder::new()
            .name("loupe-colour".to_owned())
            .spawn(move || {
                let report = |fraction: f64| {
                    job_progress.store((fraction as f32).to_bits(), Ordering::Relaxed);
                    if job_cancel.load(Ordering::Relaxed) {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                };
                let painted = paint(
                    &work_source,
                    &vectors,
                    dim,
                    positions.as_deref().map(Vec::as_slice),
                    numeric.as_deref(),
                    seed,
                    report,
                )
                .map_err(|e| e.to_string());
                slot.publish(painted);
                repaint();
            });
        match spawned {
            Ok(_) => {
                self.colouring.job = Some(ColourJob {
                    source: source.clone(),
                    progress,
                    cancel,
                    result,
                });
                self.colouring.source = Some(source);
            }
            Err(err) => self.error = Some(format!("could not start the colouring: {err}")),
        }
    }

    /// Takes a finished colouring and shows it.
    pub(super) fn poll_colouring(&mut self) {
        let Some(painted) = self
            .colouring
            .job
            .as_ref()
            .and_then(|job| job.result.take())
        else {
            return;
        };
        self.colouring.job = None;
        match Arc::try_unwrap(painted) {
            Ok(Ok(painted)) if painted.colours.len() == self.n_rows() => {
                self.color_by = None;
                self.categories.clone_from(&painted.categories);
                self.colouring.painted = Some(painted);
                self.refresh_colors();
                self.labels_generation = u64::MAX;
            }
            Ok(Ok(_)) => self.error = Some("the rows changed while colouring".to_owned()),
            Ok(Err(message)) => self.error = Some(format!("colouring: {message}")),
            Err(_) => {}
        }
    }

    /// Drops any numeric or structure colouring (a categorical column was chosen).
    pub(super) fn forget_colouring(&mut self) {
        self.colouring = ColouringState::default();
    }
}

/// Computes one colouring (on the worker thread).
fn paint(
    source: &ColourSource,
    vectors: &VectorBuffer,
    dim: usize,
    positions: Option<&[f32]>,
    numeric: Option<&[f64]>,
    seed: u64,
    mut progress: impl FnMut(f64) -> ControlFlow<()>,
) -> Result<Painted, loupe_colour::ColourError> {
    let packed =
        |colours: Vec<loupe_colour::Rgba>| colours.into_iter().map(loupe_colour::pack).collect();
    let plain = |colours| Painted {
        colours: packed(colours),
        bar: None,
        categories: None,
    };
    match source {
        ColourSource::Numeric { range, .. } => {
            let painted =
                loupe_colour::numeric_colours(numeric.unwrap_or(&[]), *range, Colormap::Viridis)?;
            Ok(Painted {
                colours: packed(painted.colours),
                bar: painted.range,
                categories: None,
            })
        }
        ColourSource::SimilarityScore => Err(loupe_colour::ColourError::EmptyInput),
        ColourSource::Structure(structure) => match structure {
            Structure::PcaRgb => loupe_colour::pca_rgb(vectors, dim, seed, progress).map(plain),
            Structure::PcaBits => loupe_colour::pca_bits(vectors, dim, seed, progress).map(plain),
            Structure::IcaRgb => {
                let params = IcaParams {
                    seed,
                    ..IcaParams::default()
                };
                loupe_colour::ica_rgb(vectors, dim, &params, progress).map(plain)
            }
            Structure::ArgmaxRaw | Structure::ArgmaxStandardised | Structure::ArgmaxPca => {
                let of = match structure {
                    Structure::ArgmaxRaw => ArgmaxOf::Raw,
                    Structure::ArgmaxStandardised => ArgmaxOf::Standardised,
                    _ => ArgmaxOf::Pca {
                        components: 10.min(dim),
                        seed,
                    },
                };
                let label = if matches!(of, ArgmaxOf::Pca { .. }) {
                    "PC"
                } else {
                    "dim"
                };
                let found = loupe_colour::argmax_colours(vectors, dim, of, &mut progress)?;
                let categories = Categories {
                    column: structure.name().to_owned(),
                    names: (0..found.n_categories)
                        .map(|i| format!("{label} {i}"))
                        .collect(),
                    codes: found.index.iter().map(|&i| Some(i)).collect(),
                    counts: found.counts.clone(),
                };
                Ok(Painted {
                    colours: packed(found.colours),
                    bar: None,
                    categories: Some(categories),
                })
            }
            Structure::TrustMap => {
                let map = loupe_colour::trust_map(
                    vectors,
                    dim,
                    positions.unwrap_or(&[]),
                    &TrustParams::default(),
                    progress,
                )?;
                Ok(Painted {
                    colours: packed(map.colours),
                    bar: Some(map.range),
                    categories: None,
                })
            }
        },
    }
}

/// A numeric column's values as `f64`, NaN for nulls; `None` for other types.
pub fn numeric_column(dataset: &loupe_core::Dataset, column: &str) -> Option<Vec<f64>> {
    let array = dataset.metadata().column_by_name(column)?;
    if !array.data_type().is_numeric() {
        return None;
    }
    super::filters::numeric_values(array.as_ref())
}

/// Names of the numeric columns offered in the colour menu (the k-means labels aside).
pub fn numeric_columns(dataset: &loupe_core::Dataset) -> Vec<String> {
    dataset
        .metadata()
        .schema()
        .fields()
        .iter()
        .filter(|f| f.data_type().is_numeric() && !f.name().starts_with("kmeans_"))
        .map(|f| f.name().clone())
        .collect()
}

/// The colour bar of a sequential colouring, with its range editable for numeric columns.
pub fn colour_bar_ui(ui: &mut egui::Ui, session: &Session, commands: &mut Vec<Command>) {
    if let Some(job) = &session.colouring.job {
        ui.add(egui::ProgressBar::new(job.progress()).text("colouring…"));
    }
    let (Some(source), Some(painted)) = (&session.colouring.source, &session.colouring.painted)
    else {
        return;
    };
    let Some((lo, hi)) = painted.bar else {
        return;
    };
    let (rect, _) = ui.allocate_exact_size(egui::vec2(200.0, 12.0), egui::Sense::hover());
    let steps = 64;
    for i in 0..steps {
        let t = i as f32 / (steps - 1) as f32;
        let [r, g, b, _] = Colormap::Viridis.sample(f64::from(t));
        let x0 = rect.left() + rect.width() * i as f32 / steps as f32;
        let x1 = rect.left() + rect.width() * (i + 1) as f32 / steps as f32;
        ui.painter().rect_filled(
            egui::Rect::from_min_max(egui::pos2(x0, rect.top()), egui::pos2(x1, rect.bottom())),
            0.0,
            egui::Color32::from_rgb(r, g, b),
        );
    }
    if let ColourSource::Numeric { column, .. } = source {
        let (mut from, mut to) = (lo, hi);
        ui.horizontal(|ui| {
            let label = ui.label("range");
            let a = ui
                .add(egui::DragValue::new(&mut from).speed((hi - lo).abs() / 200.0))
                .labelled_by(label.id);
            let b = ui
                .add(egui::DragValue::new(&mut to).speed((hi - lo).abs() / 200.0))
                .labelled_by(label.id);
            if (a.changed() || b.changed()) && from < to {
                commands.push(Command::ColourBySource(ColourSource::Numeric {
                    column: column.clone(),
                    range: Some((from, to)),
                }));
            }
        });
    } else {
        ui.label(format!("{lo:.3} – {hi:.3}"));
    }
}
