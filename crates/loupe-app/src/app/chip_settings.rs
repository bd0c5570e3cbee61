//! The inspector's collapsing "Imagery" section: provider, chip size, outline, Mapbox token and
//! API base, custom tile template, cache folder.
//!
//! The token field is a password field whose text lives only in memory: it is never shown,
//! logged or saved.

use std::path::PathBuf;

use loupe_imagery::{MAX_SIZE_PX, TOKEN_ENV_VAR};

use crate::cli::ProviderArg;
use crate::imagery::ImagerySettings;

/// Width of the provider menu, so the grid fits the inspector's narrowest width.
const MENU_WIDTH: f32 = 100.0;

/// Text being typed in the Imagery section, applied when the field loses focus (so a
/// half-typed URL is not fetched from).
pub struct ImageryEditor {
    token_text: String,
    cache_text: String,
    note: Option<String>,
}

impl ImageryEditor {
    /// Buffers showing `settings` (the token field starts empty).
    pub fn new(settings: &ImagerySettings) -> Self {
        Self {
            token_text: String::new(),
            cache_text: settings
                .cache_dir
                .as_deref()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            note: None,
        }
    }

    /// Draws the section; true when `settings` changed.
    pub fn imagery_ui(&mut self, ui: &mut egui::Ui, settings: &mut ImagerySettings) -> bool {
        let mut changed = false;
        egui::CollapsingHeader::new("Imagery")
            .default_open(false)
            .show(ui, |ui| {
                egui::Grid::new("imagery_settings")
                    .num_columns(2)
                    .spacing([8.0, 4.0])
                    .show(ui, |ui| {
                        changed |= provider_ui(ui, settings);
                        changed |= look_ui(ui, settings);
                    });
                // Text fields under their names, as wide as the panel: URLs and paths are long.
                changed |= self.provider_fields_ui(ui, settings);
                changed |= self.cache_ui(ui, settings);
                if let Some(note) = &self.note {
                    ui.colored_label(ui.visuals().error_fg_color, note);
                }
            });
        changed
    }

    /// Style, API base and token for Mapbox; template and attribution for custom tiles.
    fn provider_fields_ui(&mut self, ui: &mut egui::Ui, settings: &mut ImagerySettings) -> bool {
        let mut changed = false;
        match settings.provider {
            ProviderArg::Mapbox => {
                changed |= text_row_ui(ui, "style", &mut settings.mapbox_style);
                changed |= text_row_ui(ui, "API base URL", &mut settings.mapbox_api);
                let label = ui.label("access token");
                let hint = if settings.token_from_env() {
                    format!("from {TOKEN_ENV_VAR}")
                } else {
                    "pk.…".to_owned()
                };
                let response = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.token_text)
                            .password(true)
                            .desired_width(ui.available_width())
                            .hint_text(hint),
                    )
                    .labelled_by(label.id)
                    .on_hover_text(format!(
                        "kept in memory only; empty: use {TOKEN_ENV_VAR} from the environment"
                    ));
                if response.lost_focus() {
                    let before = settings.token().cloned();
                    match settings.set_typed_token(Some(&self.token_text)) {
                        Ok(()) => self.note = None,
                        Err(e) => self.note = Some(e.to_string()),
                    }
                    changed |= settings.token() != before.as_ref();
                }
            }
            ProviderArg::Xyz => {
                changed |= text_row_ui(ui, "tile URL template", &mut settings.tile_template);
                changed |= text_row_ui(ui, "attribution", &mut settings.tile_attribution);
            }
            ProviderArg::Esri | ProviderArg::Eox => {}
        }
        changed
    }

    fn cache_ui(&mut self, ui: &mut egui::Ui, settings: &mut ImagerySettings) -> bool {
        let label = ui.label("cache folder");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut self.cache_text)
                    .hint_text("no cache")
                    .desired_width(ui.available_width()),
            )
            .labelled_by(label.id);
        if response.lost_focus() {
            let dir = Some(self.cache_text.trim())
                .filter(|t| !t.is_empty())
                .map(PathBuf::from);
            if dir != settings.cache_dir {
                settings.cache_dir = dir;
                return true;
            }
        }
        false
    }
}

fn provider_ui(ui: &mut egui::Ui, settings: &mut ImagerySettings) -> bool {
    let label = ui.label("provider");
    let before = settings.provider;
    egui::ComboBox::from_id_salt("imagery_provider")
        .width(MENU_WIDTH)
        .selected_text(provider_name(settings.provider))
        .show_ui(ui, |ui| {
            for p in [
                ProviderArg::Mapbox,
                ProviderArg::Esri,
                ProviderArg::Eox,
                ProviderArg::Xyz,
            ] {
                ui.selectable_value(&mut settings.provider, p, provider_long_name(p));
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    settings.provider != before
}

/// Chip size and outline colour and width.
fn look_ui(ui: &mut egui::Ui, settings: &mut ImagerySettings) -> bool {
    let mut changed = false;
    let label = ui.label("chip size");
    changed |= ui
        .add(
            egui::DragValue::new(&mut settings.size_px)
                .range(64..=MAX_SIZE_PX)
                .suffix(" px"),
        )
        .labelled_by(label.id)
        .changed();
    ui.end_row();
    let label = ui.label("outline colour");
    changed |= ui
        .color_edit_button_srgb(&mut settings.stroke_color)
        .labelled_by(label.id)
        .changed();
    ui.end_row();
    let label = ui.label("outline width");
    changed |= ui
        .add(
            egui::DragValue::new(&mut settings.stroke_width)
                .range(0.0..=30.0)
                .speed(0.2)
                .suffix(" px"),
        )
        .labelled_by(label.id)
        .changed();
    ui.end_row();
    changed
}

/// A labelled text field applied when it loses focus.
fn text_row_ui(ui: &mut egui::Ui, name: &str, text: &mut String) -> bool {
    let label = ui.label(name);
    let response = ui
        .add(egui::TextEdit::singleline(text).desired_width(ui.available_width()))
        .labelled_by(label.id);
    response.lost_focus()
}

/// The provider as the open combo box lists it.
fn provider_long_name(p: ProviderArg) -> &'static str {
    match p {
        ProviderArg::Mapbox => "Mapbox Static Images (token)",
        ProviderArg::Esri => "Esri World Imagery",
        ProviderArg::Eox => "EOX Sentinel-2 cloudless 2020",
        ProviderArg::Xyz => "custom XYZ tile server",
    }
}

/// The provider as the closed combo box names it (short, to fit the inspector).
pub fn provider_name(p: ProviderArg) -> &'static str {
    match p {
        ProviderArg::Mapbox => "Mapbox",
        ProviderArg::Esri => "Esri World",
        ProviderArg::Eox => "EOX Sentinel-2",
        ProviderArg::Xyz => "custom XYZ",
    }
}
