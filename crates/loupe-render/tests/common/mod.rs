//! Offscreen target, pixel read-back and colours shared by the GPU integration tests.

#![allow(
    dead_code,
    reason = "each test binary compiles this module and uses a different subset"
)]

use egui_wgpu::wgpu;

/// Width and height of every test target, in pixels.
pub const SIZE: u32 = 128;
/// Format of the test targets: egui's preferred non-sRGB format, so bytes compare exactly.
pub const FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;
pub const CLEAR: [u8; 4] = [20, 30, 40, 255];
pub const RED: [u8; 4] = [255, 0, 0, 255];
pub const GREEN: [u8; 4] = [0, 255, 0, 255];
pub const YELLOW: [u8; 4] = [255, 255, 0, 255];

/// An RGBA8 image read back from the GPU.
pub struct Image {
    pub pixels: Vec<[u8; 4]>,
}

impl Image {
    pub fn at(&self, x: u32, y: u32) -> [u8; 4] {
        self.pixels[(y * SIZE + x) as usize]
    }

    pub fn assert_pixel(&self, x: u32, y: u32, expected: [u8; 4], tolerance: u8, what: &str) {
        let got = self.at(x, y);
        let close = got
            .iter()
            .zip(expected)
            .all(|(&g, e)| g.abs_diff(e) <= tolerance);
        assert!(
            close,
            "{what}: pixel ({x}, {y}) is {got:?}, expected {expected:?} ± {tolerance}"
        );
    }
}

pub fn clear_color() -> wgpu::Color {
    wgpu::Color {
        r: f64::from(CLEAR[0]) / 255.0,
        g: f64::from(CLEAR[1]) / 255.0,
        b: f64::from(CLEAR[2]) / 255.0,
        a: f64::from(CLEAR[3]) / 255.0,
    }
}

/// A `SIZE`² render target, optionally multisampled (then resolved into `resolved`).
pub struct Target {
    pub resolved: wgpu::Texture,
    pub resolved_view: wgpu::TextureView,
    pub multisampled_view: Option<wgpu::TextureView>,
}

impl Target {
    pub fn new(device: &wgpu::Device, msaa_samples: u32) -> Self {
        let texture_descriptor = |label, sample_count, usage| wgpu::TextureDescriptor {
            label: Some(label),
            size: extent(),
            mip_level_count: 1,
            sample_count,
            dimension: wgpu::TextureDimension::D2,
            format: FORMAT,
            usage,
            view_formats: &[],
        };
        let resolved = device.create_texture(&texture_descriptor(
            "test target",
            1,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
        ));
        let resolved_view = resolved.create_view(&wgpu::TextureViewDescriptor::default());
        let multisampled_view = (msaa_samples > 1).then(|| {
            device
                .create_texture(&texture_descriptor(
                    "test msaa target",
                    msaa_samples,
                    wgpu::TextureUsages::RENDER_ATTACHMENT,
                ))
                .create_view(&wgpu::TextureViewDescriptor::default())
        });
        Self {
            resolved,
            resolved_view,
            multisampled_view,
        }
    }

    /// The colour attachment clearing to `CLEAR`, resolving when multisampled.
    pub fn attachment(&self) -> wgpu::RenderPassColorAttachment<'_> {
        let (view, resolve_target) = match &self.multisampled_view {
            Some(msaa_view) => (msaa_view, Some(&self.resolved_view)),
            None => (&self.resolved_view, None),
        };
        wgpu::RenderPassColorAttachment {
            view,
            depth_slice: None,
            resolve_target,
            ops: wgpu::Operations {
                load: wgpu::LoadOp::Clear(clear_color()),
                store: wgpu::StoreOp::Store,
            },
        }
    }

    /// Copies the target into a buffer at the end of `encoder`, submits `command_buffers` and
    /// the encoder, and returns the pixels.
    pub fn read_back(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        mut encoder: wgpu::CommandEncoder,
        command_buffers: Vec<wgpu::CommandBuffer>,
    ) -> Image {
        // Rows in a texture→buffer copy must start at multiples of 256 bytes.
        let unpadded_row = SIZE * 4;
        let padded_row = unpadded_row.next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("test readback"),
            size: u64::from(padded_row * SIZE),
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        encoder.copy_texture_to_buffer(
            wgpu::TexelCopyTextureInfo {
                texture: &self.resolved,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            wgpu::TexelCopyBufferInfo {
                buffer: &readback,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded_row),
                    rows_per_image: Some(SIZE),
                },
            },
            extent(),
        );
        queue.submit(command_buffers.into_iter().chain([encoder.finish()]));

        let slice = readback.slice(..);
        slice.map_async(wgpu::MapMode::Read, |result| {
            result.expect("readback buffer maps");
        });
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .expect("GPU finishes the frame");
        let pixels = {
            let data = slice.get_mapped_range().expect("mapped range");
            data.chunks_exact(padded_row as usize)
                .flat_map(|row| row[..unpadded_row as usize].chunks_exact(4))
                .map(|p| [p[0], p[1], p[2], p[3]])
                .collect()
        };
        readback.unmap();
        Image { pixels }
    }
}

fn extent() -> wgpu::Extent3d {
    wgpu::Extent3d {
        width: SIZE,
        height: SIZE,
        depth_or_array_layers: 1,
    }
}
