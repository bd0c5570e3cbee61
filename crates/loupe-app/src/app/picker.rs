//! Hover and click picking: a kd-tree over the current positions, rebuilt off the UI thread.

use std::sync::Arc;
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};

use loupe_core::LatestSlot;
use loupe_render::PickIndex;

/// A pick index together with the positions generation it was built from.
pub struct BuiltIndex {
    /// Which snapshot's positions the tree indexes.
    pub generation: u64,
    /// The kd-tree.
    pub index: PickIndex,
}

/// Owns the named builder thread. New layouts are offered with [`Picker::offer`]; the thread
/// builds only the newest one (latest-wins) and never blocks the UI.
pub struct Picker {
    requests: Arc<LatestSlot<(u64, Arc<Vec<f32>>)>>,
    built: Arc<LatestSlot<BuiltIndex>>,
    wake: Option<SyncSender<()>>,
    current: Option<Arc<BuiltIndex>>,
    offered_generation: Option<u64>,
    /// Indices built from older generations belong to a previous dataset and are dropped.
    min_generation: u64,
}

impl Picker {
    /// Starts the builder thread; `on_built` is called after each build (the app passes
    /// `request_repaint`).
    pub fn new(on_built: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        let requests: Arc<LatestSlot<(u64, Arc<Vec<f32>>)>> = Arc::new(LatestSlot::new());
        let built = Arc::new(LatestSlot::new());
        let (wake, woken) = sync_channel::<()>(1);
        let thread_requests = Arc::clone(&requests);
        let thread_built = Arc::clone(&built);
        std::thread::Builder::new()
            .name("loupe-pick-index".to_owned())
            .spawn(move || {
                while woken.recv().is_ok() {
                    let Some(request) = thread_requests.take() else {
                        continue;
                    };
                    let (generation, positions) = &*request;
                    thread_built.publish(BuiltIndex {
                        generation: *generation,
                        index: PickIndex::new(positions),
                    });
                    on_built();
                }
            })?;
        Ok(Self {
            requests,
            built,
            wake: Some(wake),
            current: None,
            offered_generation: None,
            min_generation: 0,
        })
    }

    /// Asks for an index over `positions` unless this generation was already offered.
    pub fn offer(&mut self, generation: u64, positions: &Arc<Vec<f32>>) {
        if self.offered_generation == Some(generation) {
            return;
        }
        self.offered_generation = Some(generation);
        self.requests.publish((generation, Arc::clone(positions)));
        if let Some(wake) = &self.wake {
            // A full channel means the thread is already due to wake and will see this request.
            if let Err(TrySendError::Disconnected(())) = wake.try_send(()) {
                log::warn!("the pick-index thread has stopped; hover and click are disabled");
                self.wake = None;
            }
        }
    }

    /// Forgets the index because a new dataset was loaded; layouts from now on have
    /// generations of at least `next_generation`.
    pub fn clear(&mut self, next_generation: u64) {
        self.current = None;
        self.offered_generation = None;
        self.min_generation = next_generation;
        self.built.take();
    }

    /// The newest finished index, if any.
    pub fn index(&mut self) -> Option<&BuiltIndex> {
        if let Some(newer) = self.built.take()
            && newer.generation >= self.min_generation
        {
            self.current = Some(newer);
        }
        self.current.as_deref()
    }
}
