//! k-means from the app: on the 2-D layout or on the vectors, on a named worker thread so a
//! million points never freeze the window. Each result becomes a column (`kmeans_2d_20`,
//! `kmeans_hd_100`, …) that colours the plot and goes out with every export; the elbow plot's
//! inertias come from the same worker.

use std::sync::Arc;

use arrow_array::{Array, UInt32Array};
use loupe_cluster::{ElbowPoint, KMeansParams};
use loupe_core::{Categories, LatestSlot, VectorBuffer};

use super::session::Session;

/// Quick choices of k offered as buttons.
pub const QUICK_KS: [usize; 4] = [10, 20, 100, 500];

/// The values of k the elbow plot tries.
pub const ELBOW_KS: [usize; 12] = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30];

/// Which rows' coordinates k-means clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterSpace {
    /// The 2-D layout as shown.
    Layout,
    /// The original high-dimensional vectors.
    Vectors,
}

impl ClusterSpace {
    /// The column name prefix: `kmeans_2d_` or `kmeans_hd_`.
    pub fn column(self, k: usize) -> String {
        match self {
            Self::Layout => format!("kmeans_2d_{k}"),
            Self::Vectors => format!("kmeans_hd_{k}"),
        }
    }
}

/// What a finished job hands back.
enum ClusterResult {
    Fit {
        column: String,
        labels: Vec<u32>,
        exemplars: Vec<u32>,
    },
    Elbow(Vec<ElbowPoint>),
}

/// A k-means or elbow computation in progress.
pub struct ClusterJob {
    /// What it computes, for the panel.
    pub what: String,
    result: Arc<LatestSlot<Result<ClusterResult, String>>>,
}

/// The cluster panel's state.
#[derive(Default)]
pub struct ClusterState {
    /// The computation in progress.
    pub job: Option<ClusterJob>,
    /// The last elbow curve.
    pub elbow: Option<Vec<ElbowPoint>>,
    /// Points nearest each centroid of the last fit.
    pub exemplars: Vec<u32>,
    /// Ring the exemplars on the plot.
    pub show_exemplars: bool,
    /// The k typed by hand.
    pub custom_k: usize,
}

impl Session {
    /// The data k-means runs on: the layout's positions or the vectors, with their width.
    fn cluster_data(&self, space: ClusterSpace) -> Option<(VectorBuffer, usize)> {
        match space {
            ClusterSpace::Layout => {
                let positions = self.positions()?;
                Some((VectorBuffer::from(positions.as_ref().clone()), 2))
            }
            ClusterSpace::Vectors => {
                let dataset = self.dataset.as_ref()?;
                Some((dataset.vector_buffer(), dataset.dim()))
            }
        }
    }

    /// Starts k-means with `k` clusters; the result becomes a column and the colouring.
    pub(super) fn start_kmeans(&mut self, space: ClusterSpace, k: usize) {
        let Some((data, dim)) = self.cluster_data(space) else {
            self.error = Some("k-means needs a layout (run t-SNE or UMAP first)".to_owned());
            return;
        };
        let params = KMeansParams::new(k).with_seed(self.params.seed);
        if let Err(err) = params.validate(&data, dim) {
            self.error = Some(format!("k-means: {err}"));
            return;
        }
        let column = space.column(k);
        self.spawn_cluster_job(format!("k-means, k = {k}"), move || {
            let fit = params.fit(&data, dim).map_err(|e| e.to_string())?;
            Ok(ClusterResult::Fit {
                column,
                labels: fit.labels().to_vec(),
                exemplars: fit.exemplars().iter().flatten().copied().collect(),
            })
        });
    }

    /// Starts the elbow curve (inertia for each of [`ELBOW_KS`]).
    pub(super) fn start_elbow(&mut self, space: ClusterSpace) {
        let Some((data, dim)) = self.cluster_data(space) else {
            self.error = Some("k-means needs a layout (run t-SNE or UMAP first)".to_owned());
            return;
        };
        let base = KMeansParams::new(2).with_seed(self.params.seed);
        let ks: Vec<usize> = ELBOW_KS
            .iter()
            .copied()
            .filter(|&k| k < data.len() / dim.max(1))
            .collect();
        self.spawn_cluster_job("elbow curve".to_owned(), move || {
            loupe_cluster::elbow(&data, dim, &ks, &base, |_, _, _| {
                std::ops::ControlFlow::Continue(())
            })
            .map(ClusterResult::Elbow)
            .map_err(|e| e.to_string())
        });
    }

    fn spawn_cluster_job(
        &mut self,
        what: String,
        work: impl FnOnce() -> Result<ClusterResult, String> + Send + 'static,
    ) {
        let result = Arc::new(LatestSlot::new());
        let slot = Arc::clone(&result);
        let repaint = Arc::clone(&self.repaint);
        let spawned = std::thread::Builder::new()
            .name("loupe-kmeans".to_owned())
            .spawn(move || {
                slot.publish(work());
                repaint();
            });
        match spawned {
            Ok(_) => self.clusters.job = Some(ClusterJob { what, result }),
            Err(err) => self.error = Some(format!("could not start k-means: {err}")),
        }
    }

    /// Takes a finished job: adds its column and colours by it, or keeps its elbow curve.
    pub(super) fn poll_clusters(&mut self) {
        let Some(outcome) = self.clusters.job.as_ref().and_then(|job| job.result.take()) else {
            return;
        };
        self.clusters.job = None;
        match Arc::try_unwrap(outcome) {
            Ok(Ok(ClusterResult::Fit {
                column,
                labels,
                exemplars,
            })) => self.adopt_clusters(&column, labels, exemplars),
            Ok(Ok(ClusterResult::Elbow(points))) => self.clusters.elbow = Some(points),
            Ok(Err(message)) => self.error = Some(format!("k-means: {message}")),
            Err(_) => {}
        }
    }

    fn adopt_clusters(&mut self, column: &str, labels: Vec<u32>, exemplars: Vec<u32>) {
        // A column of the same name from an earlier fit is replaced by `with_column`.
        let Some(dataset) = self.dataset.as_ref() else {
            return;
        };
        if labels.len() != dataset.n_rows() {
            self.error = Some("k-means: the rows changed while it ran; run it again".to_owned());
            return;
        }
        let values = Arc::new(UInt32Array::from(labels));
        match dataset.as_ref().clone().with_column(column, values) {
            Ok(with_column) => {
                self.swap_dataset(Arc::new(with_column));
                self.clusters.exemplars = exemplars;
                self.handle(super::session::Command::ColorBy(Some(column.to_owned())));
            }
            Err(err) => self.error = Some(format!("k-means: {err}")),
        }
    }
}

/// A k-means column's labels as categories, however many clusters there are (other columns
/// stop at [`loupe_core::MAX_CATEGORIES`]); `None` for any other column.
pub fn cluster_column_categories(
    dataset: &loupe_core::Dataset,
    column: &str,
) -> Option<Categories> {
    if !column.starts_with("kmeans_") {
        return None;
    }
    let labels = dataset
        .metadata()
        .column_by_name(column)?
        .as_any()
        .downcast_ref::<UInt32Array>()?;
    (labels.null_count() == 0).then(|| cluster_categories(column, labels.values()))
}

/// Cluster labels as categories named `0 … k-1`, however many there are.
pub fn cluster_categories(column: &str, labels: &[u32]) -> Categories {
    let k = labels.iter().max().map_or(0, |&m| m as usize + 1);
    let mut counts = vec![0; k];
    for &label in labels {
        counts[label as usize] += 1;
    }
    Categories {
        column: column.to_owned(),
        names: (0..k).map(|c| c.to_string()).collect(),
        codes: labels.iter().map(|&l| Some(l)).collect(),
        counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_labels_become_categories_with_counts() {
        let categories = cluster_categories("kmeans_2d_3", &[2, 0, 2, 1, 2]);
        assert_eq!(categories.names, ["0", "1", "2"]);
        assert_eq!(categories.counts, [1, 1, 3]);
        assert_eq!(categories.codes[0], Some(2));
        assert_eq!(ClusterSpace::Vectors.column(20), "kmeans_hd_20");
    }
}
