//! The chips of a lasso selection's first rows as a grid of thumbnails in the inspector, so
//! "what is this cluster?" is answered with pictures (and, with another instance, the
//! chips of the similarity candidates). They come through their own
//! [`ChipFetcher`] (queued, not newest-wins, so the clicked row's chip is never cancelled by
//! them) and the same disk cache as the inspector's chip; a new selection drops the old work.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use loupe_core::Dataset;
use loupe_imagery::{ChipError, ChipFetcher, ChipRequest, ChipTicket, HttpConfig};

use super::session::Session;
use super::shown_chip::{Decoded, ShownChip, spawn_decode};
use crate::imagery::ImagerySettings;
use crate::outlines::GeometryColumn;

/// Thumbnails shown per selection.
pub const THUMBNAILS: usize = 24;
/// Download threads for thumbnails.
const WORKERS: usize = 2;
/// Requests queued at once; the rest are submitted as these finish.
const QUEUE_LEN: usize = 8;
/// Thumbnail edge on screen, in points.
const THUMB_PX: f32 = 72.0;

/// One thumbnail's progress.
enum Thumb {
    Waiting,
    Fetching(ChipTicket),
    Decoding(Receiver<Result<Decoded, String>>),
    Ready(egui::TextureHandle),
    Failed(String),
}

/// What the thumbnails were made for: a change starts over.
#[derive(PartialEq)]
struct Key {
    dataset: *const Dataset,
    rows: Vec<usize>,
}

/// The selection's chip thumbnails.
#[derive(Default)]
pub struct ChipThumbnails {
    key: Option<Key>,
    fetcher: Option<ChipFetcher>,
    thumbs: Vec<(usize, Thumb)>,
}

impl ChipThumbnails {
    /// Once per frame: follows the selection, submits, takes downloads, uploads textures.
    pub fn poll(
        &mut self,
        ctx: &egui::Context,
        session: &Session,
        settings: &ImagerySettings,
        repaint: &Arc<dyn Fn() + Send + Sync>,
    ) {
        let rows: Vec<usize> = session
            .selection
            .current
            .as_ref()
            .map(|selection| selection.iter().take(THUMBNAILS).collect())
            .unwrap_or_default();
        self.poll_rows(ctx, session.dataset.as_ref(), rows, settings, repaint);
    }

    /// Once per frame: keeps thumbnails of `rows` of `dataset` (any rows: a selection's,
    /// the similarity candidates'), starting over when they change.
    pub fn poll_rows(
        &mut self,
        ctx: &egui::Context,
        dataset: Option<&Arc<Dataset>>,
        rows: Vec<usize>,
        settings: &ImagerySettings,
        repaint: &Arc<dyn Fn() + Send + Sync>,
    ) {
        let Some(dataset) = dataset.filter(|_| !rows.is_empty()) else {
            self.clear();
            return;
        };
        let Some(geometry) = GeometryColumn::find(dataset) else {
            self.clear();
            return;
        };
        let key = Key {
            dataset: Arc::as_ptr(dataset),
            rows,
        };
        if self.key.as_ref() != Some(&key) {
            self.clear();
            self.thumbs = key.rows.iter().map(|&r| (r, Thumb::Waiting)).collect();
            self.key = Some(key);
        }
        self.submit(dataset, &geometry, settings, repaint);
        self.advance(ctx, repaint);
    }

    fn clear(&mut self) {
        // Dropping the fetcher cancels what it was doing.
        self.fetcher = None;
        self.thumbs.clear();
        self.key = None;
    }

    /// Submits waiting rows while the queue has room.
    fn submit(
        &mut self,
        dataset: &Dataset,
        geometry: &GeometryColumn,
        settings: &ImagerySettings,
        repaint: &Arc<dyn Fn() + Send + Sync>,
    ) {
        if !self.thumbs.iter().any(|(_, t)| matches!(t, Thumb::Waiting)) {
            return;
        }
        if self.fetcher.is_none() {
            let built = settings
                .service(HttpConfig::default())
                .map_err(|e| format!("{e:#}"))
                .and_then(|service| {
                    let on_ready: Arc<dyn Fn() + Send + Sync> = Arc::clone(repaint);
                    ChipFetcher::new(&Arc::new(service), WORKERS, QUEUE_LEN, Some(&on_ready))
                        .map_err(|e| e.to_string())
                });
            match built {
                Ok(fetcher) => self.fetcher = Some(fetcher),
                Err(message) => {
                    for (_, thumb) in &mut self.thumbs {
                        *thumb = Thumb::Failed(message.clone());
                    }
                    return;
                }
            }
        }
        let Some(fetcher) = &self.fetcher else {
            return;
        };
        let spec = settings.spec();
        for (row, thumb) in &mut self.thumbs {
            if !matches!(thumb, Thumb::Waiting) {
                continue;
            }
            let outline = match geometry.outline(dataset, *row) {
                Ok(outline) => outline,
                Err(reason) => {
                    *thumb = Thumb::Failed(reason);
                    continue;
                }
            };
            match fetcher.submit(ChipRequest::new(outline, spec)) {
                Ok(ticket) => *thumb = Thumb::Fetching(ticket),
                Err(ChipError::Busy { .. }) => break,
                Err(e) => *thumb = Thumb::Failed(e.to_string()),
            }
        }
    }

    /// Moves finished downloads on to decoding and finished decodes on to textures.
    fn advance(&mut self, ctx: &egui::Context, repaint: &Arc<dyn Fn() + Send + Sync>) {
        for (row, thumb) in &mut self.thumbs {
            let next = match thumb {
                Thumb::Fetching(ticket) => match ticket.try_take() {
                    None => None,
                    Some(Ok(chip)) => Some(match spawn_decode(chip, Arc::clone(repaint)) {
                        Ok(result) => Thumb::Decoding(result),
                        Err(message) => Thumb::Failed(message),
                    }),
                    Some(Err(e)) => Some(Thumb::Failed(e.to_string())),
                },
                Thumb::Decoding(result) => match result.try_recv() {
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => {
                        Some(Thumb::Failed("the chip decoder stopped".to_owned()))
                    }
                    Ok(Err(message)) => Some(Thumb::Failed(message)),
                    Ok(Ok(decoded)) => {
                        let shown =
                            ShownChip::upload(ctx, *row, decoded, std::time::Duration::ZERO);
                        Some(Thumb::Ready(shown.texture))
                    }
                },
                Thumb::Waiting | Thumb::Ready(_) | Thumb::Failed(_) => None,
            };
            if let Some(next) = next {
                *thumb = next;
            }
        }
    }

    /// How many thumbnails are on screen (for tests and the heading).
    pub fn ready(&self) -> usize {
        self.thumbs
            .iter()
            .filter(|(_, t)| matches!(t, Thumb::Ready(_)))
            .count()
    }

    /// One row's thumbnail, `size` points square: the picture, a spinner while it comes, a
    /// grey square whose tooltip says why when it failed, nothing for a row not kept.
    pub fn thumb_ui(&self, ui: &mut egui::Ui, row: usize, size: f32) {
        if let Some((_, thumb)) = self.thumbs.iter().find(|(r, _)| *r == row) {
            thumb_ui(ui, row, thumb, egui::vec2(size, size));
        }
    }

    /// The grid: a picture per row, a spinner while it comes, a short reason when it failed.
    pub fn thumbnails_ui(&self, ui: &mut egui::Ui, total: usize) {
        if self.thumbs.is_empty() {
            return;
        }
        egui::CollapsingHeader::new(format!(
            "Selection chips ({} of {total})",
            self.thumbs.len()
        ))
        .default_open(true)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for (row, thumb) in &self.thumbs {
                    thumb_ui(ui, *row, thumb, egui::vec2(THUMB_PX, THUMB_PX));
                }
            });
        });
    }
}

/// Draws one thumbnail in its state.
fn thumb_ui(ui: &mut egui::Ui, row: usize, thumb: &Thumb, size: egui::Vec2) {
    match thumb {
        Thumb::Ready(texture) => {
            ui.add(egui::Image::new((texture.id(), size)))
                .on_hover_text(format!("row {row}"));
        }
        Thumb::Failed(reason) => {
            let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
            ui.painter()
                .rect_filled(rect, 2.0, egui::Color32::from_gray(40));
            response.on_hover_text(format!("row {row}: {reason}"));
        }
        Thumb::Waiting | Thumb::Fetching(_) | Thumb::Decoding(_) => {
            let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            ui.put(rect, egui::Spinner::new());
        }
    }
}
