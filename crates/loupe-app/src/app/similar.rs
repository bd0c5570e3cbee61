//! "Find more like this" in the session: positive/negative labels on rows, candidates ranked
//! over the full-dimensional vectors by `loupe-similar`, and a similarity heat map whose
//! threshold becomes a selection.
//!
//! Ranking runs on a named worker thread (the first request also normalises the vectors once,
//! a copy kept for the dataset's lifetime in the view), so a million rows never freeze the
//! window. Labels are saved after every change into the dataset cache folder, keyed by the
//! dataset's name, shape and a fingerprint of its vectors, so they survive a restart and
//! come back when the same data is opened again.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, StringArray};
use loupe_core::{Dataset, LatestSlot, Selection, SelectionMode};
use loupe_similar::{NormalisedVectors, ProbeParams, SimilarError, Strategy};

pub use loupe_similar::Label;

use super::colouring::{ColourSource, Painted};
use super::session::Session;

/// Candidates shown per "Find similar" unless the user asks for another count.
pub const DEFAULT_K: usize = 25;
/// Name of the exported label column.
pub const LABEL_COLUMN: &str = "similar_label";
/// Name of the exported score column (when a heat map was computed).
pub const SCORE_COLUMN: &str = "similar_score";

/// The ranking strategies offered in the panel (`loupe_similar::Strategy` with the app's
/// parameters filled in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StrategyChoice {
    /// Cosine to the mean of the positives.
    #[default]
    Mean,
    /// Cosine to the nearest positive.
    Max,
    /// Rows many positives have among their neighbours.
    Voted,
    /// Cosine to mean(positives) − mean(negatives).
    Contrastive,
    /// Logistic regression on the labelled rows, retrained on every request.
    Probe,
}

impl StrategyChoice {
    /// Every strategy, in menu order.
    pub const ALL: [Self; 5] = [
        Self::Mean,
        Self::Max,
        Self::Voted,
        Self::Contrastive,
        Self::Probe,
    ];

    /// The menu entry.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mean => "cosine to mean of positives",
            Self::Max => "nearest to any positive",
            Self::Voted => "voted neighbours",
            Self::Contrastive => "contrastive (mean pos - mean neg)",
            Self::Probe => "linear probe",
        }
    }

    /// The engine's strategy, seeded where it samples.
    pub fn strategy(self, seed: u64) -> Strategy {
        match self {
            Self::Mean => Strategy::MeanCosine,
            Self::Max => Strategy::MaxCosine,
            Self::Voted => Strategy::VotedNeighbours {
                per_positive: loupe_similar::DEFAULT_PER_POSITIVE,
            },
            Self::Contrastive => Strategy::Contrastive,
            Self::Probe => Strategy::LinearProbe(ProbeParams {
                seed,
                ..ProbeParams::default()
            }),
        }
    }
}

/// One ranked row offered for judging.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The row.
    pub row: usize,
    /// Its score under the strategy that ranked it (cosine, votes or probability).
    pub score: f32,
}

/// What a worker computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobKind {
    Rank,
    Scores,
}

/// What a worker hands back.
enum JobOutput {
    Ranked(Vec<(usize, f32)>),
    Scores(Vec<f32>),
}

/// What a worker publishes: the vectors it normalised (first request only) and its answer.
type JobResult = (Option<Arc<NormalisedVectors>>, Result<JobOutput, String>);

/// A ranking or scoring in progress.
struct SimilarJob {
    /// The labels' generation it was asked for; a result for older labels is dropped.
    labels_generation: u64,
    result: Arc<LatestSlot<JobResult>>,
}

/// The session's "find more like this" state, for the dataset shown.
#[derive(Default)]
pub struct SimilarState {
    /// A label per row of the shown dataset (empty until a dataset is shown).
    pub labels: Vec<Label>,
    /// The labelled rows, ascending (for markers and counts).
    pub labelled: Vec<usize>,
    /// Bumped on every label change.
    pub labels_generation: u64,
    /// The ranking strategy.
    pub strategy: StrategyChoice,
    /// Candidates per request.
    pub k: usize,
    /// Seed of the strategies that sample (the linear probe's weak negatives).
    pub seed: u64,
    /// The candidates not judged yet, best first.
    pub candidates: Vec<Candidate>,
    /// When the last candidate is judged, rank the next batch at once.
    pub auto_next: bool,
    /// Scores of every row for the heat map, when computed for the current labels.
    pub scores: Option<Arc<Vec<f32>>>,
    /// The heat map's threshold: "Select" takes the rows at or above it.
    pub threshold: f32,
    /// Why the last request could not be answered (shown in the panel).
    pub message: Option<String>,
    /// Draw label and candidate markers on the plot.
    pub hide_markers: bool,
    /// The labels file of the shown dataset (none without a cache folder).
    store: Option<PathBuf>,
    /// The dataset the state belongs to, and its normalised vectors once computed.
    dataset: Option<Arc<Dataset>>,
    vectors: Option<Arc<NormalisedVectors>>,
    rank_job: Option<SimilarJob>,
    score_job: Option<SimilarJob>,
}

impl SimilarState {
    /// Positives and negatives labelled.
    pub fn counts(&self) -> (usize, usize) {
        let positives = self
            .labelled
            .iter()
            .filter(|&&r| self.labels[r] == Label::Positive)
            .count();
        (positives, self.labelled.len() - positives)
    }

    /// The label of a row (unlabelled past the end).
    pub fn label(&self, row: usize) -> Label {
        self.labels.get(row).copied().unwrap_or_default()
    }

    /// Whether a ranking or scoring is running, and which.
    pub fn busy(&self) -> Option<&'static str> {
        if self.rank_job.is_some() {
            Some("ranking")
        } else if self.score_job.is_some() {
            Some("scoring every point")
        } else {
            None
        }
    }

    /// Whether no ranking is running (so Find can start one).
    pub fn rank_job_idle(&self) -> bool {
        self.rank_job.is_none()
    }

    fn job_mut(&mut self, kind: JobKind) -> &mut Option<SimilarJob> {
        match kind {
            JobKind::Rank => &mut self.rank_job,
            JobKind::Scores => &mut self.score_job,
        }
    }

    /// The labels as an export column: "positive", "negative", null for unlabelled; `None`
    /// when nothing is labelled (no column is added).
    pub fn label_column(&self, rows: Option<&[usize]>) -> Option<ArrayRef> {
        if self.labelled.is_empty() {
            return None;
        }
        let text = |r: usize| match self.label(r) {
            Label::Positive => Some("positive"),
            Label::Negative => Some("negative"),
            Label::Unlabelled => None,
        };
        let values: StringArray = match rows {
            Some(rows) => rows.iter().map(|&r| text(r)).collect(),
            None => (0..self.labels.len()).map(text).collect(),
        };
        Some(Arc::new(values))
    }

    /// The heat map scores as an export column, when they match the rows.
    pub fn score_column(&self, rows: Option<&[usize]>) -> Option<ArrayRef> {
        let scores = self.scores.as_ref()?;
        if scores.len() != self.labels.len() {
            return None;
        }
        let values: arrow_array::Float32Array = match rows {
            Some(rows) => rows.iter().map(|&r| Some(scores[r])).collect(),
            None => scores.iter().map(|&s| Some(s)).collect(),
        };
        Some(Arc::new(values))
    }

    /// The range of the heat map scores.
    pub fn score_range(&self) -> Option<(f32, f32)> {
        let scores = self.scores.as_ref()?;
        let lo = scores.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        (lo <= hi).then_some((lo, hi))
    }

    fn recount(&mut self) {
        self.labelled = self
            .labels
            .iter()
            .enumerate()
            .filter(|&(_, &l)| l != Label::Unlabelled)
            .map(|(r, _)| r)
            .collect();
        self.labels_generation += 1;
    }
}

impl Session {
    /// Follows the dataset shown: same rows (projected rows added or removed) keep their
    /// labels; another dataset loads its saved labels.
    pub(super) fn similar_follow_dataset(&mut self) {
        let Some(dataset) = self.dataset.clone() else {
            return;
        };
        let state = &mut self.similar;
        if state
            .dataset
            .as_ref()
            .is_some_and(|d| Arc::ptr_eq(d, &dataset))
        {
            return;
        }
        let same_rows = state.dataset.as_ref().is_some_and(|old| {
            old.name() == dataset.name() && old.dim() == dataset.dim() && !state.labels.is_empty()
        }) && self.projection.is_some();
        state.rank_job = None;
        state.score_job = None;
        state.vectors = None;
        state.scores = None;
        state.candidates.clear();
        state.message = None;
        if state.k == 0 {
            state.k = DEFAULT_K;
            state.auto_next = true;
        }
        if same_rows {
            state.labels.resize(dataset.n_rows(), Label::Unlabelled);
        } else {
            state.store = self
                .cache_policy
                .dir()
                .map(|dir| dir.join("labels").join(labels_file_name(&dataset)));
            state.labels = vec![Label::Unlabelled; dataset.n_rows()];
            if let Some(store) = &state.store {
                match load_labels(store, &mut state.labels) {
                    Ok(0) => {}
                    Ok(n) => {
                        log::info!("restored {n} labels from {}", store.display());
                    }
                    Err(message) => state.message = Some(message),
                }
            }
        }
        state.dataset = Some(dataset);
        state.recount();
    }

    /// Labels one row. A zero vector cannot be a positive (its cosine is undefined). A judged
    /// candidate leaves the list, and when it was the selected row the selection moves on
    /// to the next candidate, so a batch is judged with one key per row.
    pub(super) fn set_label(&mut self, row: usize, label: Label) {
        let Some(dataset) = self.dataset.clone() else {
            return;
        };
        self.similar_follow_dataset();
        if row >= self.similar.labels.len() {
            return;
        }
        if label == Label::Positive && !has_direction(dataset.row(row)) {
            self.similar.message = Some(format!(
                "row {row} is a zero (or non-finite) vector: cosine similarity is undefined, so \
                 it cannot be a positive"
            ));
            return;
        }
        self.similar.labels[row] = label;
        self.similar.recount();
        self.similar.message = None;
        let position = self.similar.candidates.iter().position(|c| c.row == row);
        if let Some(index) = position {
            self.similar.candidates.remove(index);
            if self.selected == Some(row) {
                self.selected = self
                    .similar
                    .candidates
                    .get(index)
                    .or_else(|| self.similar.candidates.first())
                    .map(|c| c.row);
            }
        }
        self.save_labels();
        if self.colouring.source == Some(ColourSource::SimilarityScore) {
            self.start_similar_job(JobKind::Scores);
        } else {
            self.similar.scores = None;
        }
        if position.is_some()
            && self.similar.candidates.is_empty()
            && self.similar.auto_next
            && self.similar.rank_job.is_none()
        {
            self.start_similar_job(JobKind::Rank);
        }
    }

    /// Forgets every label (and the candidates and scores made from them).
    pub(super) fn clear_labels(&mut self) {
        self.similar_follow_dataset();
        self.similar.labels.fill(Label::Unlabelled);
        self.similar.recount();
        self.similar.candidates.clear();
        self.similar.scores = None;
        self.similar.message = None;
        self.save_labels();
    }

    /// Ranks the unlabelled rows and shows the best `k` as candidates.
    pub(super) fn find_similar(&mut self) {
        self.start_similar_job(JobKind::Rank);
    }

    /// Scores every row and colours the plot by the scores.
    pub(super) fn colour_by_similarity(&mut self) {
        self.start_similar_job(JobKind::Scores);
        if self.similar.score_job.is_some() {
            self.colouring.source = Some(ColourSource::SimilarityScore);
        }
    }

    /// Selects the rows whose heat map score is at least `threshold`.
    pub(super) fn select_by_score(&mut self, threshold: f32) {
        let Some(scores) = self.similar.scores.clone() else {
            self.similar.message = Some("colour by similarity first".to_owned());
            return;
        };
        if scores.len() != self.n_rows() {
            return;
        }
        self.similar.threshold = threshold;
        let picked = Selection::from_fn(scores.len(), |r| scores[r] >= threshold);
        self.select_rows(&picked, SelectionMode::Replace);
    }

    fn start_similar_job(&mut self, kind: JobKind) {
        let Some(dataset) = self.dataset.clone() else {
            self.similar.message = Some("open a dataset first".to_owned());
            return;
        };
        self.similar_follow_dataset();
        let state = &mut self.similar;
        let (positives, _) = state.counts();
        if positives == 0 {
            state.message = Some(
                "no positives yet: click a point and press P (or the positive button)".to_owned(),
            );
            return;
        }
        if kind == JobKind::Rank && state.labelled.len() >= dataset.n_rows() {
            state.message = Some("every point is labelled: nothing is left to rank".to_owned());
            return;
        }
        let labels = state.labels.clone();
        let strategy = state.strategy.strategy(state.seed);
        let k = state.k.max(1);
        let cached = state.vectors.clone();
        let result = Arc::new(LatestSlot::new());
        let slot = Arc::clone(&result);
        let repaint = Arc::clone(&self.repaint);
        let spawned = std::thread::Builder::new()
            .name("loupe-similar".to_owned())
            .spawn(move || {
                let (fresh, vectors) = if let Some(vectors) = cached {
                    (None, Ok(vectors))
                } else {
                    let built = NormalisedVectors::new(dataset.vectors(), dataset.dim())
                        .map(Arc::new)
                        .map_err(|e| explain(&e));
                    (built.as_ref().ok().cloned(), built)
                };
                let output = vectors.and_then(|vectors| match kind {
                    JobKind::Rank => vectors
                        .rank(&labels, strategy, k)
                        .map(JobOutput::Ranked)
                        .map_err(|e| explain(&e)),
                    JobKind::Scores => vectors
                        .scores(&labels, strategy)
                        .map(JobOutput::Scores)
                        .map_err(|e| explain(&e)),
                });
                slot.publish((fresh, output));
                repaint();
            });
        match spawned {
            Ok(_) => {
                state.message = None;
                let generation = state.labels_generation;
                *state.job_mut(kind) = Some(SimilarJob {
                    labels_generation: generation,
                    result,
                });
            }
            Err(err) => state.message = Some(format!("could not start ranking: {err}")),
        }
    }

    /// Takes finished rankings and scorings.
    pub(super) fn poll_similar(&mut self) {
        self.poll_similar_job(JobKind::Rank);
        self.poll_similar_job(JobKind::Scores);
    }

    fn poll_similar_job(&mut self, kind: JobKind) {
        let Some(job) = self.similar.job_mut(kind).as_ref() else {
            return;
        };
        let Some(done) = job.result.take() else {
            return;
        };
        let generation = job.labels_generation;
        *self.similar.job_mut(kind) = None;
        let Ok((fresh, output)) = Arc::try_unwrap(done) else {
            return;
        };
        if let Some(vectors) = fresh {
            self.similar.vectors = Some(vectors);
        }
        let output = match output {
            Ok(output) => output,
            Err(message) => {
                self.similar.message = Some(message);
                if kind == JobKind::Scores {
                    self.colouring.source = None;
                }
                return;
            }
        };
        let stale = generation != self.similar.labels_generation;
        match output {
            JobOutput::Ranked(ranked) => {
                self.similar.candidates = ranked
                    .into_iter()
                    .filter(|&(row, _)| self.similar.label(row) == Label::Unlabelled)
                    .map(|(row, score)| Candidate { row, score })
                    .collect();
                if self.similar.candidates.is_empty() {
                    self.similar.message = Some("no unlabelled point is left to rank".to_owned());
                }
                if stale {
                    // Labels changed while ranking (a candidate judged fast): the list is
                    // still useful minus what was judged; the next request catches up.
                    log::debug!("candidates ranked for older labels");
                }
            }
            JobOutput::Scores(scores) => {
                if scores.len() != self.n_rows() {
                    return;
                }
                self.show_scores(Arc::new(scores));
                if stale && self.colouring.source == Some(ColourSource::SimilarityScore) {
                    self.start_similar_job(JobKind::Scores);
                }
            }
        }
    }

    /// Colours the plot by the scores (viridis, 1st to 99th percentile) and keeps them for
    /// the threshold.
    fn show_scores(&mut self, scores: Arc<Vec<f32>>) {
        let values: Vec<f64> = scores.iter().map(|&s| f64::from(s)).collect();
        match loupe_colour::numeric_colours(&values, None, loupe_colour::Colormap::Viridis) {
            Ok(painted) => {
                let first = self.similar.scores.is_none();
                self.similar.scores = Some(scores);
                if first && let Some((lo, hi)) = self.similar.score_range() {
                    self.similar.threshold = lo + 0.9 * (hi - lo);
                }
                self.color_by = None;
                self.categories = None;
                self.colouring.job = None;
                self.colouring.source = Some(ColourSource::SimilarityScore);
                self.colouring.painted = Some(Painted {
                    colours: painted
                        .colours
                        .into_iter()
                        .map(loupe_colour::pack)
                        .collect(),
                    bar: painted.range,
                    categories: None,
                });
                self.refresh_colors();
                self.labels_generation = u64::MAX;
            }
            Err(err) => self.similar.message = Some(format!("heat map: {err}")),
        }
    }

    fn save_labels(&mut self) {
        let Some(store) = &self.similar.store else {
            return;
        };
        if let Err(message) = save_labels(store, &self.similar.labels, &self.similar.labelled) {
            self.similar.message = Some(message);
        }
    }
}

/// A similarity error as the panel says it: what is wrong and what to do.
fn explain(err: &SimilarError) -> String {
    match err {
        SimilarError::NoPositives => {
            "no positives yet: click a point and press P (or the positive button)".to_owned()
        }
        SimilarError::AllLabelled { .. } => {
            "every point with a direction is labelled: nothing is left to rank".to_owned()
        }
        SimilarError::UndefinedRow { row } => format!(
            "row {row} is a zero (or non-finite) vector, so cosine similarity is undefined: \
             unlabel it (U)"
        ),
        other => other.to_string(),
    }
}

/// Whether a vector has a direction (finite, non-zero norm).
fn has_direction(values: &[f32]) -> bool {
    let norm2: f64 = values.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
    norm2.is_finite() && norm2 > 0.0
}

/// The labels file of a dataset: its name, shape and a fingerprint of its vectors (FNV-1a
/// over the first and last 64 Ki values), so another dataset never picks up these labels.
fn labels_file_name(dataset: &Dataset) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    mix(dataset.name().as_bytes());
    mix(&(dataset.n_rows() as u64).to_le_bytes());
    mix(&(dataset.dim() as u64).to_le_bytes());
    let values = dataset.vectors();
    let edge = values.len().min(1 << 16);
    for v in values[..edge].iter().chain(&values[values.len() - edge..]) {
        mix(&v.to_bits().to_le_bytes());
    }
    let stem: String = dataset
        .name()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    format!("{stem}-{hash:016x}.csv")
}

/// Reads a labels file into `labels`; returns how many rows it labelled (0 when there is no
/// file). A damaged file is reported, not fatal, and leaves the labels untouched.
fn load_labels(path: &Path, labels: &mut [Label]) -> Result<usize, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(format!("could not read saved labels: {e}")),
    };
    let mut parsed = Vec::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        let bad = || format!("saved labels damaged at line {} (ignored)", number + 1);
        let (row, label) = line.split_once(',').ok_or_else(bad)?;
        let row: usize = row.trim().parse().map_err(|_| bad())?;
        let label = match label.trim() {
            "positive" => Label::Positive,
            "negative" => Label::Negative,
            _ => return Err(bad()),
        };
        if row >= labels.len() {
            return Err(bad());
        }
        parsed.push((row, label));
    }
    for &(row, label) in &parsed {
        labels[row] = label;
    }
    Ok(parsed.len())
}

/// Writes the labelled rows (`row,label`) atomically: a temporary file renamed over the old
/// one, so a crash mid-write never loses the previous labels.
fn save_labels(path: &Path, labels: &[Label], labelled: &[usize]) -> Result<(), String> {
    use std::fmt::Write as _;
    let fail = |e: std::io::Error| format!("could not save labels: {e}");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut text = String::from("row,label\n");
    for &row in labelled {
        let name = if labels[row] == Label::Positive {
            "positive"
        } else {
            "negative"
        };
        let _ = writeln!(text, "{row},{name}");
    }
    let temporary = path.with_extension("csv.tmp");
    std::fs::write(&temporary, text).map_err(fail)?;
    std::fs::rename(&temporary, path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_their_file_and_damage_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels").join("x.csv");
        let mut labels = vec![Label::Unlabelled; 6];
        labels[1] = Label::Positive;
        labels[4] = Label::Negative;
        save_labels(&path, &labels, &[1, 4]).unwrap();
        let mut back = vec![Label::Unlabelled; 6];
        assert_eq!(load_labels(&path, &mut back), Ok(2));
        assert_eq!(back, labels);

        let mut short = vec![Label::Unlabelled; 3];
        assert!(
            load_labels(&path, &mut short).is_err(),
            "a row past the end"
        );
        assert_eq!(short, vec![Label::Unlabelled; 3], "untouched on error");
        let mut none = vec![Label::Unlabelled; 3];
        assert_eq!(
            load_labels(&dir.path().join("missing.csv"), &mut none),
            Ok(0)
        );
    }

    /// A session showing four 2-D rows, row 2 the zero vector, labels saved under `cache`.
    fn session_with_a_zero_row(cache: &Path) -> Session {
        let mut session = Session::new(Arc::new(|| {}), false);
        session.cache_policy = loupe_ingest::CachePolicy::Dir(cache.to_path_buf());
        let empty = arrow_array::RecordBatch::new_empty(Arc::new(arrow_schema::Schema::empty()));
        let vectors = vec![1.0, 0.0, 0.9, 0.1, 0.0, 0.0, -1.0, 0.0];
        let dataset = Dataset::new("zeros", "v", vectors, 2, empty).unwrap();
        session.show_dataset(Arc::new(dataset));
        session
    }

    fn wait_for_jobs(session: &mut Session) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while session.similar.busy().is_some() {
            assert!(std::time::Instant::now() < deadline, "ranking timed out");
            std::thread::sleep(std::time::Duration::from_millis(5));
            session.poll();
        }
    }

    #[test]
    fn a_zero_vector_cannot_be_a_positive_and_is_never_a_candidate() {
        let dir = tempfile::tempdir().unwrap();
        let mut session = session_with_a_zero_row(dir.path());
        session.set_label(2, Label::Positive);
        assert_eq!(session.similar.label(2), Label::Unlabelled);
        let message = session.similar.message.clone().unwrap_or_default();
        assert!(message.contains("zero"), "{message}");

        session.set_label(0, Label::Positive);
        session.similar.k = 10;
        session.find_similar();
        wait_for_jobs(&mut session);
        let rows: Vec<usize> = session.similar.candidates.iter().map(|c| c.row).collect();
        assert_eq!(rows, vec![1, 3], "best first; the zero row is left out");
        assert!(
            session
                .similar
                .candidates
                .iter()
                .all(|c| c.score.is_finite())
        );

        // Every row with a direction labelled: a message, not a panic.
        session.set_label(1, Label::Negative);
        session.set_label(3, Label::Negative);
        session.find_similar();
        wait_for_jobs(&mut session);
        let message = session.similar.message.clone().unwrap_or_default();
        assert!(message.contains("nothing is left"), "{message}");

        // Scores for the heat map are finite everywhere, the zero row included.
        session.colour_by_similarity();
        wait_for_jobs(&mut session);
        let scores = session.similar.scores.clone().unwrap();
        assert!(scores.iter().all(|s| s.is_finite()), "{scores:?}");
    }

    #[test]
    fn the_labels_file_name_differs_between_datasets() {
        let empty = || arrow_array::RecordBatch::new_empty(Arc::new(arrow_schema::Schema::empty()));
        let a = Dataset::new("a", "v", vec![1.0, 2.0, 3.0, 4.0], 2, empty()).unwrap();
        let b = Dataset::new("a", "v", vec![1.0, 2.0, 3.0, 5.0], 2, empty()).unwrap();
        assert_ne!(labels_file_name(&a), labels_file_name(&b));
        assert_eq!(labels_file_name(&a), labels_file_name(&a));
    }
}
