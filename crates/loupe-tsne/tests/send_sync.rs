//! The engine types cross threads: the app keeps a `TsneRun` in its state and may hand an
//! engine to a worker.

use loupe_tsne::{Affinities, Pca, Snapshot, TsneEngine, TsneError, TsneRun, ValidTsneParams};

const fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn engine_types_are_send_and_sync() {
    const {
        assert_send_sync::<TsneEngine>();
        assert_send_sync::<TsneRun>();
        assert_send_sync::<Snapshot>();
        assert_send_sync::<ValidTsneParams>();
        assert_send_sync::<Affinities>();
        assert_send_sync::<Pca>();
        assert_send_sync::<TsneError>();
    }
}
