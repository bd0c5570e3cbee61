//! Pictures and films of the layout from the app, drawn offscreen by the same wgpu point
//! renderer (`loupe-animate`), never a screen grab: a PNG of the current view at any
//! resolution, and the run recorded in the timeline as MP4 (H.264) or GIF in the seed's
//! preset (dark canvas, progress bar, legend of sample pictures or swatches).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use loupe_animate::{
    AnimationStyle, CameraMode, ExportFormat, FrameRenderer, Legend, LegendEntry, LegendImage,
    Quality, SinkOptions, VideoSink,
};
use loupe_core::LatestSlot;

use super::palette;
use super::session::Session;
use super::timeline::{SharedTimeline, lock};

/// The export's settings, edited in the Export section.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoSettings {
    /// Picture width and height in pixels.
    pub size: [u32; 2],
    /// Frames per second of a film.
    pub fps: u32,
    /// Sample pictures (image vectors) rather than colour swatches in the legend.
    pub image_legend: bool,
}

impl Default for VideoSettings {
    fn default() -> Self {
        Self {
            size: [1080, 1080],
            fps: 30,
            image_legend: true,
        }
    }
}

/// A picture or film being written.
pub struct VideoJob {
    /// Fraction done, as `f32` bits.
    progress: Arc<AtomicU32>,
    result: Arc<LatestSlot<Result<String, String>>>,
}

impl VideoJob {
    /// Fraction done in `[0, 1]`.
    pub fn progress(&self) -> f32 {
        f32::from_bits(self.progress.load(Ordering::Relaxed))
    }
}

/// What the session keeps for these exports.
#[derive(Default)]
pub struct VideoState {
    /// Size, frame rate, legend.
    pub settings: VideoSettings,
    /// The export running.
    pub job: Option<VideoJob>,
}

/// What the worker needs, gathered on the UI thread.
struct Scene {
    colours: Vec<u32>,
    legend: Vec<LegendEntry>,
    legend_title: Option<String>,
}

impl Session {
    /// The legend of the colour column: one entry per category, with the first row's vector
    /// as its picture when vectors are images.
    fn scene(&self, with_images: bool) -> Scene {
        let mut legend = Vec::new();
        if let (Some(categories), Some(dataset)) = (&self.categories, &self.dataset) {
            for (code, name) in categories
                .names
                .iter()
                .enumerate()
                .take(loupe_core::MAX_CATEGORIES)
            {
                let image = with_images
                    .then(|| {
                        let shape = dataset.image_shape()?;
                        let row = categories
                            .codes
                            .iter()
                            .position(|c| *c == Some(code as u32))?;
                        LegendImage::from_vector(dataset.row(row), shape)
                    })
                    .flatten();
                let [r, g, b] = palette::category_rgb(code);
                legend.push(LegendEntry {
                    label: name.clone(),
                    colour: [r, g, b, 255],
                    image,
                });
            }
        }
        Scene {
            colours: self.colors.as_ref().clone(),
            legend,
            legend_title: self.categories.as_ref().map(|c| c.column.clone()),
        }
    }

    /// Writes the current view (the plot's visible rectangle, `view` in data units) as a PNG
    /// of the chosen size.
    pub(super) fn export_png(&mut self, path: PathBuf, view: ([f32; 2], [f32; 2])) {
        let Some(positions) = self.positions().cloned() else {
            self.error = Some("export picture: no layout yet".to_owned());
            return;
        };
        let scene = self.scene(self.video.settings.image_legend);
        let style = self.video_style(&scene, false);
        let iteration = self.shown_iteration();
        self.spawn_video(move |progress| {
            let (device, queue, _) = loupe_render::offscreen::request_device()
                .map_err(|e| format!("export picture: {e}"))?;
            let mut renderer = FrameRenderer::new(&device, &queue, style, &scene.legend)
                .map_err(|e| format!("export picture: {e}"))?;
            renderer.set_camera(CameraMode::Fixed {
                min: view.0,
                max: view.1,
            });
            renderer
                .render_png(&path, &positions, &scene.colours, iteration, iteration)
                .map_err(|e| format!("export picture: {e}"))?;
            progress(1.0);
            Ok(format!("wrote {}", path.display()))
        });
    }

    /// Writes every recorded iteration of the timeline as a film (`.mp4` or `.gif`).
    pub(super) fn export_video(&mut self, path: PathBuf) {
        let format = match ExportFormat::from_path(&path) {
            Ok(format) if !format.is_still() => format,
            Ok(_) => {
                self.error = Some("export film: name it .mp4 or .gif".to_owned());
                return;
            }
            Err(e) => {
                self.error = Some(format!("export film: {e}"));
                return;
            }
        };
        let shared: SharedTimeline = Arc::clone(&self.timeline.recorded);
        let (frames, bounds) = {
            let guard = lock(&shared);
            let Some(timeline) = guard.as_ref().filter(|t| t.len() >= 2) else {
                self.error =
                    Some("export film: the timeline holds no run yet (two frames at least)".into());
                return;
            };
            (timeline.len(), run_bounds(timeline))
        };
        if lock(&shared).as_ref().map(loupe_core::Timeline::points) != Some(self.colors.len()) {
            self.error = Some("export film: the colours do not match the recorded run".into());
            return;
        }
        let scene = self.scene(self.video.settings.image_legend);
        let style = self.video_style(&scene, true);
        let fps = self.video.settings.fps;
        self.spawn_video(move |progress| {
            let fail = |e: loupe_animate::AnimateError| format!("export film: {e}");
            let (device, queue, _) = loupe_render::offscreen::request_device()
                .map_err(|e| format!("export film: {e}"))?;
            let size = style.size;
            let mut renderer =
                FrameRenderer::new(&device, &queue, style, &scene.legend).map_err(fail)?;
            if let Some((min, max)) = bounds {
                renderer.set_camera(CameraMode::Fixed { min, max });
            }
            let gif_palette = match format {
                ExportFormat::Gif => Some(renderer.gif_palette(&scene.colours).map_err(fail)?),
                _ => None,
            };
            let options = SinkOptions {
                size,
                fps,
                quality: Quality::ConstantQp(23),
                gif_palette,
            };
            let mut sink = VideoSink::create(&path, format, options).map_err(fail)?;
            let mut positions = Vec::new();
            let last_iteration = lock(&shared)
                .as_ref()
                .and_then(|t| t.iteration(frames - 1))
                .unwrap_or(0);
            for index in 0..frames {
                let iteration = {
                    let guard = lock(&shared);
                    let Some(timeline) = guard.as_ref() else {
                        break;
                    };
                    if !timeline.frame_into(index, &mut positions) {
                        break;
                    }
                    timeline.iteration(index).unwrap_or(0)
                };
                let frame = renderer
                    .render(&positions, &scene.colours, iteration, last_iteration)
                    .map_err(fail)?;
                sink.push(frame).map_err(fail)?;
                progress((index + 1) as f32 / frames as f32);
            }
            let written = sink.frames();
            sink.finish().map_err(fail)?;
            Ok(format!("wrote {written} frames to {}", path.display()))
        });
    }

    fn video_style(&self, scene: &Scene, progress_bar: bool) -> AnimationStyle {
        let settings = &self.video.settings;
        let has_images = scene.legend.iter().any(|e| e.image.is_some());
        AnimationStyle {
            size: settings.size,
            fps: settings.fps,
            legend: if scene.legend.is_empty() {
                Legend::None
            } else if has_images {
                Legend::Images
            } else {
                Legend::Swatches
            },
            progress_bar,
            legend_title: scene.legend_title.clone(),
            ..AnimationStyle::default()
        }
    }

    /// The iteration of the layout on screen (a replayed one, or the run's newest).
    fn shown_iteration(&self) -> usize {
        self.timeline
            .replay
            .as_ref()
            .map(|r| r.iteration)
            .or_else(|| self.snapshot.as_ref().map(|s| s.iteration))
            .unwrap_or(0)
    }

    fn spawn_video(
        &mut self,
        work: impl FnOnce(&dyn Fn(f32)) -> Result<String, String> + Send + 'static,
    ) {
        let progress = Arc::new(AtomicU32::new(0));
        let result = Arc::new(LatestSlot::new());
        let (job_progress, slot) = (Arc::clone(&progress), Arc::clone(&result));
        let repaint = Arc::clone(&self.repaint);
        let spawned = std::thread::Builder::new()
            .name("loupe-video".to_owned())
            .spawn(move || {
                let report = |fraction: f32| {
                    job_progress.store(fraction.to_bits(), Ordering::Relaxed);
                    repaint();
                };
                slot.publish(work(&report));
                repaint();
            });
        match spawned {
            Ok(_) => self.video.job = Some(VideoJob { progress, result }),
            Err(err) => self.error = Some(format!("could not start the export: {err}")),
        }
    }

    /// Takes a finished picture or film.
    pub(super) fn poll_video(&mut self) {
        let Some(outcome) = self.video.job.as_ref().and_then(|j| j.result.take()) else {
            return;
        };
        self.video.job = None;
        match (*outcome).clone() {
            Ok(message) => self.notice = Some(message),
            Err(message) => self.error = Some(message),
        }
    }
}

/// The box of every recorded frame: the film's fixed axes, as the seed's.
fn run_bounds(timeline: &loupe_core::Timeline) -> Option<([f32; 2], [f32; 2])> {
    let mut positions = Vec::new();
    let mut lo = [f32::INFINITY; 2];
    let mut hi = [f32::NEG_INFINITY; 2];
    for index in 0..timeline.len() {
        if timeline.frame_into(index, &mut positions)
            && let Some((a, b)) = loupe_core::bounds_2d(&positions)
        {
            for axis in 0..2 {
                lo[axis] = lo[axis].min(a[axis]);
                hi[axis] = hi[axis].max(b[axis]);
            }
        }
    }
    (lo[0] <= hi[0]).then_some((lo, hi))
}
