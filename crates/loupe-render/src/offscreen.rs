//! Rendering points without a window: into a texture, read back as RGBA bytes.
//!
//! Exports (a PNG of the view, every frame of a video) must come from the same renderer the
//! app draws with, not a screen grab, so they look the same at any resolution and work with
//! no display at all. [`OffscreenRenderer`] keeps the pipelines, the target texture and the
//! read-back buffer between calls, so rendering hundreds of frames of one size costs one
//! upload, one draw and one copy each. [`request_device`] finds an adapter for such work
//! (a GPU, or Mesa's lavapipe software rasterizer on machines without one).

use egui_wgpu::wgpu;

use crate::{PointFrame, PointRenderer};

/// The texture format frames are rendered in: plain (non-sRGB) RGBA8, so the bytes read back
/// are exactly the sRGB-encoded colours the points were given, as egui's own framebuffer.
pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Why offscreen rendering could not happen.
#[derive(Debug, thiserror::Error)]
pub enum OffscreenError {
    /// No GPU or software adapter could be opened on this machine.
    #[error(
        "no graphics adapter for offscreen rendering ({reason}); on a machine without a GPU \
         install Mesa's software Vulkan driver (scripts/setup-system.sh: mesa-vulkan-drivers \
         libvulkan1)"
    )]
    NoAdapter {
        /// What wgpu said when asked for an adapter or a device.
        reason: String,
    },
    /// The requested image is empty or larger than the device's textures can be.
    #[error("cannot render a {width} × {height} image: each side must be 1 to {max} pixels")]
    BadSize {
        /// Requested width in pixels.
        width: u32,
        /// Requested height in pixels.
        height: u32,
        /// The device's largest 2-D texture side.
        max: u32,
    },
    /// The device failed while rendering or reading the frame back (a lost device, say).
    #[error("reading the rendered frame back failed: {reason}")]
    ReadBack {
        /// What wgpu reported.
        reason: String,
    },
}

/// Opens a device and queue for offscreen work, preferring a hardware adapter and falling
/// back to a software one (lavapipe, WARP).
///
/// Honours `WGPU_BACKEND` and requests egui-wgpu's default limits, so exports see what the app
/// sees. Returns the adapter's description too, so a log can say what rendered.
pub fn request_device() -> Result<(wgpu::Device, wgpu::Queue, wgpu::AdapterInfo), OffscreenError> {
    pollster::block_on(request_device_async())
        .map_err(|reason| OffscreenError::NoAdapter { reason })
}

async fn request_device_async() -> Result<(wgpu::Device, wgpu::Queue, wgpu::AdapterInfo), String> {
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
        backends: wgpu::Backends::from_env().unwrap_or(wgpu::Backends::all()),
        ..wgpu::InstanceDescriptor::new_without_display_handle()
    });
    let mut options = wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::HighPerformance,
        ..wgpu::RequestAdapterOptions::default()
    };
    let adapter = match instance.request_adapter(&options).await {
        Ok(adapter) => adapter,
        Err(first) => {
            options.force_fallback_adapter = true;
            instance
                .request_adapter(&options)
                .await
                .map_err(|fallback| format!("{first}; fallback adapter: {fallback}"))?
        }
    };
    let info = adapter.get_info();
    let base_limits = if info.backend == wgpu::Backend::Gl {
        wgpu::Limits::downlevel_webgl2_defaults()
    } else {
        wgpu::Limits::default()
    };
    let (device, queue) = adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("loupe offscreen device"),
            required_limits: base_limits,
            ..wgpu::DeviceDescriptor::default()
        })
        .await
        .map_err(|err| format!("adapter {:?} refused a device: {err}", info.name))?;
    Ok((device, queue, info))
}

/// A render target of one size with its read-back buffer; rebuilt when the size changes.
struct Target {
    size: [u32; 2],
    texture: wgpu::Texture,
    view: wgpu::TextureView,
    readback: wgpu::Buffer,
    /// Bytes per row in the read-back buffer: rows of a texture copy start at multiples of 256.
    padded_row_bytes: u32,
}

impl Target {
    fn new(device: &wgpu::Device, size: [u32; 2]) -> Self {
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("loupe offscreen target"),
            size: extent(size),
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: OFFSCREEN_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let padded_row_bytes = (size[0] * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("loupe offscreen read-back"),
            size: u64::from(padded_row_bytes) * u64::from(size[1]),
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        Self {
            size,
            texture,
            view,
            readback,
            padded_row_bytes,
        }
    }
}

fn extent([width, height]: [u32; 2]) -> wgpu::Extent3d {
    wgpu::Extent3d {
        width,
        height,
        depth_or_array_layers: 1,
    }
}

/// Draws [`PointFrame`]s into an offscreen texture and returns their pixels.
///
/// Holds a [`PointRenderer`] built for [`OFFSCREEN_FORMAT`], so consecutive frames reuse its
/// pipelines and buffers (and skip uploads whose generation did not change), and one target
/// per size. The frame's `viewport_px` should be the image size: the camera maps into it.
pub struct OffscreenRenderer {
    device: wgpu::Device,
    queue: wgpu::Queue,
    renderer: PointRenderer,
    target: Option<Target>,
}

impl OffscreenRenderer {
    /// Builds the point pipelines on `device` (cheap handles: wgpu devices and queues are
    /// reference-counted, so the caller keeps using its own).
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Self {
        Self {
            renderer: PointRenderer::new(device, OFFSCREEN_FORMAT, 1),
            device: device.clone(),
            queue: queue.clone(),
            target: None,
        }
    }

    /// Renders `frame` over `background` (straight sRGB RGBA8) into a `size` image and returns
    /// it as tightly packed RGBA8 rows, top row first.
    pub fn render(
        &mut self,
        frame: &PointFrame,
        size: [u32; 2],
        background: [u8; 4],
    ) -> Result<Vec<u8>, OffscreenError> {
        let max = self.device.limits().max_texture_dimension_2d;
        if size.iter().any(|&side| side == 0 || side > max) {
            return Err(OffscreenError::BadSize {
                width: size[0],
                height: size[1],
                max,
            });
        }
        if self.target.as_ref().is_some_and(|t| t.size != size) {
            self.target = None;
        }
        let target = self
            .target
            .get_or_insert_with(|| Target::new(&self.device, size));
        self.renderer.prepare(&self.device, &self.queue, frame);
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("loupe offscreen frame"),
            });
        {
            let clear = background.map(|c| f64::from(c) / 255.0);
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("loupe offscreen points"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &target.view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color {
                            r: clear[0],
                            g: clear[1],
                            b: clear[2],
                            a: clear[3],
                        }),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            self.renderer.paint(&mut pass);
        }
        encoder.copy_texture_to_buffer(
            wgpu::TexelCopyTextureInfo {
                texture: &target.texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            wgpu::TexelCopyBufferInfo {
                buffer: &target.readback,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(target.padded_row_bytes),
                    rows_per_image: Some(size[1]),
                },
            },
            extent(size),
        );
        self.queue.submit([encoder.finish()]);
        read_back(&self.device, target)
    }

    /// The point renderer, e.g. to check its upload counters.
    pub fn point_renderer(&self) -> &PointRenderer {
        &self.renderer
    }
}

/// Maps the read-back buffer and copies the rows out without their padding.
fn read_back(device: &wgpu::Device, target: &Target) -> Result<Vec<u8>, OffscreenError> {
    let slice = target.readback.slice(..);
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    slice.map_async(wgpu::MapMode::Read, move |result| {
        // The receiver waits below; a send can only fail if it is gone, and then nobody cares.
        let _ = sender.send(result);
    });
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| OffscreenError::ReadBack {
            reason: e.to_string(),
        })?;
    receiver
        .recv()
        .map_err(|e| OffscreenError::ReadBack {
            reason: e.to_string(),
        })?
        .map_err(|e| OffscreenError::ReadBack {
            reason: e.to_string(),
        })?;
    let row_bytes = target.size[0] as usize * 4;
    let mut pixels = Vec::with_capacity(row_bytes * target.size[1] as usize);
    {
        let data = slice
            .get_mapped_range()
            .map_err(|e| OffscreenError::ReadBack {
                reason: e.to_string(),
            })?;
        for row in data.chunks_exact(target.padded_row_bytes as usize) {
            pixels.extend_from_slice(&row[..row_bytes]);
        }
    }
    target.readback.unmap();
    Ok(pixels)
}

/// Renders one frame with a throw-away [`OffscreenRenderer`]: for a single picture (a PNG of
/// the view). Building the pipelines costs more than drawing, so render many frames with one
/// [`OffscreenRenderer`] instead.
pub fn render_points(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    frame: &PointFrame,
    size: [u32; 2],
    background: [u8; 4],
) -> Result<Vec<u8>, OffscreenError> {
    OffscreenRenderer::new(device, queue).render(frame, size, background)
}
