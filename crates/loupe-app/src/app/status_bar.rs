//! The bottom status bar: size of the data, where the run is, how fast it goes.

use loupe_tsne::RunStatus;

use super::session::Session;

/// Draws N, D, phase, iteration, KL divergence (UMAP: the epoch), iterations/s and frames/s.
pub fn status_bar_ui(ui: &mut egui::Ui, session: &Session) {
    ui.horizontal(|ui| {
        match &session.dataset {
            Some(d) => ui.label(format!("N {}  ·  D {}", d.n_rows(), d.dim())),
            None => ui.label("no data"),
        };
        ui.separator();
        if let Some(snapshot) = &session.snapshot {
            let status = match &snapshot.status {
                RunStatus::Preparing(stage) => format!("preparing: {stage}"),
                RunStatus::Running => "running".to_owned(),
                RunStatus::Paused => "paused".to_owned(),
                RunStatus::Finished => "finished".to_owned(),
                RunStatus::Cancelled => "stopped".to_owned(),
                RunStatus::Failed(message) => format!("failed: {message}"),
            };
            ui.label(status);
            ui.separator();
            if snapshot.stage_count > 1 {
                ui.label(format!(
                    "stage {}/{}: {}",
                    snapshot.stage_index + 1,
                    snapshot.stage_count,
                    snapshot.stage_name
                ));
                ui.separator();
            }
            if snapshot.phase_name == loupe_umap::PHASE_NAME {
                // UMAP has epochs, no exaggeration and no KL divergence.
                ui.label(format!(
                    "UMAP epoch {} / {}",
                    snapshot.iteration, snapshot.total_iterations
                ));
            } else {
                ui.label(format!(
                    "phase {} (exaggeration {})",
                    snapshot.phase_name, snapshot.exaggeration
                ));
                ui.separator();
                ui.label(format!(
                    "iteration {} / {}",
                    snapshot.iteration, snapshot.total_iterations
                ));
                ui.separator();
                match snapshot.kl {
                    Some((at, kl)) => ui.label(format!("KL {kl:.4} (at {at})")),
                    None => ui.label("KL –"),
                };
            }
            ui.separator();
            ui.label(format!("{:.1} it/s", snapshot.iterations_per_s));
        } else {
            ui.label("idle");
        }
        ui.separator();
        ui.label(format!("{:.0} fps", session.fps()));
    });
}
