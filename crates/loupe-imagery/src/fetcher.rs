//! A small pool of named worker threads so the UI never waits for a chip: it submits a request,
//! gets a ticket, and polls the ticket each frame. A newer `request` cancels the stale one.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::{CancelToken, Chip, ChipError, ChipRequest, ChipService};

/// Callback run on a worker after each result is ready (the app passes `request_repaint`).
type OnReady = Arc<dyn Fn() + Send + Sync>;

/// One queued request.
struct Job {
    request: ChipRequest,
    cancel: CancelToken,
    reply: SyncSender<Result<Chip, ChipError>>,
}

/// A bounded pool of chip workers.
///
/// Dropping it cancels everything in flight and lets the workers exit on their own (it does not
/// wait for a download to time out); [`ChipFetcher::shutdown`] also joins them.
pub struct ChipFetcher {
    queue: Option<SyncSender<Job>>,
    queue_len: usize,
    workers: Vec<JoinHandle<()>>,
    shutdown: CancelToken,
    latest: Mutex<Option<CancelToken>>,
}

/// The pending result of one request.
#[derive(Debug)]
pub struct ChipTicket {
    result: Receiver<Result<Chip, ChipError>>,
    cancel: CancelToken,
}

impl ChipFetcher {
    /// Starts `workers` threads (at least 1) fed by a queue of `queue_len` requests (at least
    /// 1); `on_ready` runs on the worker after each result.
    pub fn new(
        service: &Arc<ChipService>,
        workers: usize,
        queue_len: usize,
        on_ready: Option<&OnReady>,
    ) -> Result<Self, ChipError> {
        let queue_len = queue_len.max(1);
        let (tx, rx) = mpsc::sync_channel::<Job>(queue_len);
        let rx = Arc::new(Mutex::new(rx));
        let shutdown = CancelToken::new();
        let mut handles = Vec::new();
        for i in 0..workers.max(1) {
            let (rx, service, on_ready) = (Arc::clone(&rx), Arc::clone(service), on_ready.cloned());
            let handle = std::thread::Builder::new()
                .name(format!("loupe-chip-{i}"))
                .spawn(move || worker(&rx, &service, on_ready.as_deref()))
                .map_err(|e| ChipError::spec(format!("cannot start a chip worker thread: {e}")))?;
            handles.push(handle);
        }
        Ok(Self {
            queue: Some(tx),
            queue_len,
            workers: handles,
            shutdown,
            latest: Mutex::new(None),
        })
    }

    /// Queues `request` and cancels the previous `request` (latest wins: the inspector only
    /// shows the row clicked last).
    pub fn request(&self, request: ChipRequest) -> Result<ChipTicket, ChipError> {
        let mut latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(stale) = latest.take() {
            stale.cancel();
        }
        let ticket = self.submit(request)?;
        *latest = Some(ticket.cancel.clone());
        Ok(ticket)
    }

    /// Queues `request` without cancelling anything; [`ChipError::Busy`] when the queue is full.
    pub fn submit(&self, request: ChipRequest) -> Result<ChipTicket, ChipError> {
        let Some(queue) = &self.queue else {
            return Err(ChipError::Cancelled);
        };
        let cancel = self.shutdown.child();
        let (reply, result) = mpsc::sync_channel(1);
        let job = Job {
            request,
            cancel: cancel.clone(),
            reply,
        };
        match queue.try_send(job) {
            Ok(()) => Ok(ChipTicket { result, cancel }),
            Err(TrySendError::Full(_)) => Err(ChipError::Busy {
                queued: self.queue_len,
            }),
            Err(TrySendError::Disconnected(_)) => Err(ChipError::Cancelled),
        }
    }

    /// Cancels everything and waits for the workers to finish their current step.
    pub fn shutdown(mut self) {
        self.stop();
        for h in self.workers.drain(..) {
            let _ = h.join();
        }
    }

    fn stop(&mut self) {
        self.shutdown.cancel();
        self.queue = None;
    }
}

impl Drop for ChipFetcher {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A worker: takes jobs until the queue closes; cancelled jobs are answered at once.
fn worker(
    rx: &Mutex<Receiver<Job>>,
    service: &ChipService,
    on_ready: Option<&(dyn Fn() + Send + Sync)>,
) {
    loop {
        let job = {
            let rx = rx.lock().unwrap_or_else(PoisonError::into_inner);
            rx.recv()
        };
        let Ok(job) = job else { return };
        let result = match job.cancel.check() {
            Ok(()) => service.fetch(&job.request, &job.cancel),
            Err(e) => Err(e),
        };
        // The ticket may be gone; that is fine.
        let _ = job.reply.try_send(result);
        if let Some(f) = on_ready {
            f();
        }
    }
}

impl ChipTicket {
    /// The result if it is ready (never blocks; for polling once per frame).
    pub fn try_take(&self) -> Option<Result<Chip, ChipError>> {
        match self.result.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(ChipError::Cancelled)),
        }
    }

    /// Waits up to `timeout` for the result.
    pub fn wait_timeout(&self, timeout: Duration) -> Option<Result<Chip, ChipError>> {
        match self.result.recv_timeout(timeout) {
            Ok(r) => Some(r),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Err(ChipError::Cancelled)),
        }
    }

    /// Waits for the result (for the CLI and tests; the UI should poll).
    pub fn wait(self) -> Result<Chip, ChipError> {
        self.result.recv().unwrap_or(Err(ChipError::Cancelled))
    }

    /// Cancels this request.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Whether this request was cancelled (by the caller, a newer request or shutdown).
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}
