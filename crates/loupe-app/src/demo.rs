//! The built-in demo dataset: the 10,000 MNIST test digits shipped in `assets/`.

use anyhow::Context as _;
use loupe_core::Dataset;

/// Compiled into the binary so `loupe` with no arguments works from any directory.
const DEMO_IMAGES_GZ: &[u8] = include_bytes!("../../../assets/t10k-images.idx3-ubyte.gz");
const DEMO_LABELS_GZ: &[u8] = include_bytes!("../../../assets/t10k-labels.idx1-ubyte.gz");

/// Name shown for the demo in the window title and status bar.
pub const DEMO_NAME: &str = "MNIST test digits (demo)";

/// Decodes the demo digits, optionally only the first `limit` of them (tests use fewer).
pub fn demo_dataset(limit: Option<usize>) -> anyhow::Result<Dataset> {
    loupe_data::read_idx_bytes(DEMO_NAME, DEMO_IMAGES_GZ, Some(DEMO_LABELS_GZ), limit)
        .context("decoding the built-in demo dataset")
}
