//! The inspector's satellite chip for geo rows: requested through one [`ChipFetcher`] (worker
//! threads), polled once per frame, decoded on a short-lived thread, shown as a texture with
//! the provider's attribution. Nothing here blocks the UI: a click on another row cancels the
//! stale request, and a failure becomes one line of text.

use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use loupe_core::Dataset;
use loupe_imagery::{Chip, ChipFetcher, ChipRequest, ChipTicket, HttpConfig};

use super::chip_settings::ImageryEditor;
use super::session::Session;
use super::shown_chip::{Decoded, ShownChip, spawn_decode};
use crate::imagery::ImagerySettings;
use crate::outlines::GeometryColumn;

/// Chip downloads at once: the row clicked last, plus one stale request still unwinding.
const WORKERS: usize = 2;
/// Queued requests; stale ones are answered "cancelled" at once, so a few are plenty.
const QUEUE_LEN: usize = 8;
/// How long settings must stay still (a dragged size, a colour picker) before chips are
/// fetched again with them.
const SETTINGS_DEBOUNCE: Duration = Duration::from_millis(400);

/// Where the chip of the selected row stands.
enum ChipState {
    /// No geo row selected.
    Idle,
    /// Waiting for the fetcher.
    Fetching { row: usize, ticket: ChipTicket },
    /// Waiting for the decode thread.
    Decoding {
        row: usize,
        result: Receiver<Result<Decoded, String>>,
    },
    /// On screen.
    Shown(ShownChip),
    /// Why there is no chip, in one line.
    Failed { message: String },
}

/// The row a chip was asked for, under which settings.
struct Target {
    dataset: Weak<Dataset>,
    row: usize,
    generation: u64,
    started: Instant,
}

/// The fetcher for one generation of settings.
struct Fetcher {
    generation: u64,
    fetcher: ChipFetcher,
}

/// Chip state of the inspector, owned by the app.
pub struct ChipPanel {
    /// Provider, size, outline style, cache, token (edited in the Imagery section).
    settings: ImagerySettings,
    /// Text buffers of the Imagery section.
    pub(super) editor: ImageryEditor,
    generation: u64,
    applied_generation: u64,
    changed_at: Option<Instant>,
    fetcher: Option<Fetcher>,
    geometry: Option<(Weak<Dataset>, Option<GeometryColumn>)>,
    target: Option<Target>,
    state: ChipState,
    repaint: Arc<dyn Fn() + Send + Sync>,
    requests: usize,
    superseded: usize,
}

impl ChipPanel {
    /// A panel that calls `repaint` when a chip is ready, with default settings.
    pub fn new(repaint: Arc<dyn Fn() + Send + Sync>) -> Self {
        let settings = ImagerySettings::default();
        Self {
            editor: ImageryEditor::new(&settings),
            settings,
            generation: 0,
            applied_generation: 0,
            changed_at: None,
            fetcher: None,
            geometry: None,
            target: None,
            state: ChipState::Idle,
            repaint,
            requests: 0,
            superseded: 0,
        }
    }

    /// The settings in use.
    pub fn settings(&self) -> &ImagerySettings {
        &self.settings
    }

    /// Replaces the settings (the command line, tests); the selected row is fetched again at
    /// once.
    pub fn configure(&mut self, settings: ImagerySettings) {
        self.editor = ImageryEditor::new(&settings);
        self.settings = settings;
        self.generation += 1;
        self.changed_at = None;
    }

    /// Edits the settings in place; chips follow once they have been still for a moment.
    pub fn edit_settings(&mut self, edit: impl FnOnce(&mut ImagerySettings)) {
        let before = self.settings.clone();
        edit(&mut self.settings);
        if self.settings != before {
            self.generation += 1;
            self.changed_at = Some(Instant::now());
        }
    }

    /// The chip on screen.
    pub fn shown(&self) -> Option<&ShownChip> {
        match &self.state {
            ChipState::Shown(chip) => Some(chip),
            _ => None,
        }
    }

    /// The row whose chip is being fetched or decoded.
    pub fn pending_row(&self) -> Option<usize> {
        match &self.state {
            ChipState::Fetching { row, .. } | ChipState::Decoding { row, .. } => Some(*row),
            _ => None,
        }
    }

    /// The one-line reason the selected row has no chip.
    pub fn error(&self) -> Option<&str> {
        match &self.state {
            ChipState::Failed { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Chip requests made so far, and how many of them a newer click cancelled.
    pub fn request_counts(&self) -> (usize, usize) {
        (self.requests, self.superseded)
    }

    /// Whether the selected dataset has a geometry column (then the inspector shows chips).
    pub fn is_geo(&mut self, dataset: &Arc<Dataset>) -> bool {
        self.geometry_of(dataset).is_some()
    }

    /// Once per frame: follows the selection and the settings, takes finished downloads and
    /// decodes, uploads textures. Never blocks.
    pub fn poll(&mut self, ctx: &egui::Context, session: &Session) {
        if self.generation != self.applied_generation {
            match self.changed_at {
                Some(at) if at.elapsed() < SETTINGS_DEBOUNCE => {
                    ctx.request_repaint_after(SETTINGS_DEBOUNCE);
                }
                _ => {
                    self.applied_generation = self.generation;
                    // Dropping the old fetcher cancels whatever it was doing.
                    self.fetcher = None;
                }
            }
        }
        let wanted = match (&session.dataset, session.selected) {
            (Some(dataset), Some(row)) => self
                .geometry_of(dataset)
                .map(|geometry| (Arc::clone(dataset), row, geometry)),
            _ => None,
        };
        match wanted {
            None => self.reset(),
            Some((dataset, row, geometry)) => {
                let current = self.target.as_ref().is_some_and(|t| {
                    t.row == row
                        && t.generation == self.applied_generation
                        && std::ptr::eq(t.dataset.as_ptr(), Arc::as_ptr(&dataset))
                });
                if !current {
                    self.start(&dataset, row, &geometry);
                }
            }
        }
        self.advance(ctx);
    }

    fn geometry_of(&mut self, dataset: &Arc<Dataset>) -> Option<GeometryColumn> {
        let known = self
            .geometry
            .as_ref()
            .is_some_and(|(d, _)| std::ptr::eq(d.as_ptr(), Arc::as_ptr(dataset)));
        if !known {
            self.geometry = Some((Arc::downgrade(dataset), GeometryColumn::find(dataset)));
        }
        self.geometry.as_ref().and_then(|(_, g)| g.clone())
    }

    /// Cancels whatever is in flight and shows nothing.
    fn reset(&mut self) {
        if let ChipState::Fetching { ticket, .. } = &self.state {
            ticket.cancel();
        }
        self.target = None;
        self.state = ChipState::Idle;
    }

    /// Asks for the chip of `row`, superseding the previous request.
    fn start(&mut self, dataset: &Arc<Dataset>, row: usize, geometry: &GeometryColumn) {
        if let ChipState::Fetching { ticket, .. } = &self.state {
            ticket.cancel();
            self.superseded += 1;
        } else if matches!(self.state, ChipState::Decoding { .. }) {
            self.superseded += 1;
        }
        self.target = Some(Target {
            dataset: Arc::downgrade(dataset),
            row,
            generation: self.applied_generation,
            started: Instant::now(),
        });
        let fail = |message: String| ChipState::Failed { message };
        let outline = match geometry.outline(dataset, row) {
            Ok(outline) => outline,
            Err(reason) => {
                self.state = fail(reason);
                return;
            }
        };
        let spec = self.settings.spec();
        let requested = self.fetcher().and_then(|f| {
            f.request(ChipRequest::new(outline, spec))
                .map_err(|e| e.to_string())
        });
        self.state = match requested {
            Ok(ticket) => {
                self.requests += 1;
                ChipState::Fetching { row, ticket }
            }
            Err(message) => fail(message),
        };
    }

    /// The fetcher for the current settings, built on first use.
    fn fetcher(&mut self) -> Result<&ChipFetcher, String> {
        let stale = self
            .fetcher
            .as_ref()
            .is_none_or(|f| f.generation != self.applied_generation);
        if stale {
            self.fetcher = None;
            let service = self
                .settings
                .service(HttpConfig::default())
                .map_err(|e| format!("{e:#}"))?;
            let repaint = Arc::clone(&self.repaint);
            let on_ready: Arc<dyn Fn() + Send + Sync> = Arc::new(move || repaint());
            let fetcher = ChipFetcher::new(&Arc::new(service), WORKERS, QUEUE_LEN, Some(&on_ready))
                .map_err(|e| e.to_string())?;
            self.fetcher = Some(Fetcher {
                generation: self.applied_generation,
                fetcher,
            });
        }
        self.fetcher
            .as_ref()
            .map(|f| &f.fetcher)
            .ok_or_else(|| "no chip fetcher".to_owned())
    }

    /// Moves a finished download on to decoding, and a finished decode on to the screen.
    fn advance(&mut self, ctx: &egui::Context) {
        let next = match &self.state {
            ChipState::Fetching { row, ticket } => match ticket.try_take() {
                None => None,
                Some(Ok(chip)) => Some(self.decode(*row, chip)),
                Some(Err(e)) => Some(ChipState::Failed {
                    message: e.to_string(),
                }),
            },
            ChipState::Decoding { row, result } => match result.try_recv() {
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => Some(ChipState::Failed {
                    message: "the chip decoder stopped".to_owned(),
                }),
                Ok(Err(message)) => Some(ChipState::Failed { message }),
                Ok(Ok(decoded)) => Some(ChipState::Shown(self.upload(ctx, *row, decoded))),
            },
            ChipState::Idle | ChipState::Shown(_) | ChipState::Failed { .. } => None,
        };
        if let Some(next) = next {
            self.state = next;
        }
    }

    /// Hands `chip` to a decode thread.
    fn decode(&self, row: usize, chip: Chip) -> ChipState {
        match spawn_decode(chip, Arc::clone(&self.repaint)) {
            Ok(result) => ChipState::Decoding { row, result },
            Err(message) => ChipState::Failed { message },
        }
    }

    /// Uploads a decoded chip as the texture on screen.
    fn upload(&self, ctx: &egui::Context, row: usize, decoded: Decoded) -> ShownChip {
        let since_click = self
            .target
            .as_ref()
            .map_or(Duration::ZERO, |t| t.started.elapsed());
        ShownChip::upload(ctx, row, decoded, since_click)
    }

    /// The chip (or spinner, or error line) and the Imagery settings.
    pub fn chip_ui(&mut self, ui: &mut egui::Ui) {
        match &self.state {
            ChipState::Idle => {}
            ChipState::Fetching { row, .. } | ChipState::Decoding { row, .. } => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("fetching the chip of row {row}…"));
                });
            }
            ChipState::Shown(chip) => chip.shown_chip_ui(ui),
            ChipState::Failed { message, .. } => {
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(message).color(ui.visuals().error_fg_color),
                    )
                    .wrap(),
                );
            }
        }
        if self.editor.imagery_ui(ui, &mut self.settings) {
            self.generation += 1;
            self.changed_at = Some(Instant::now());
        }
    }
}
