//! [`PointRenderer`]: long-lived pipelines plus grow-on-demand instance buffers.

use std::num::NonZeroU64;

use egui_wgpu::wgpu;

use crate::PointFrame;
use crate::gpu_types::PointUniforms;

const SHADER_SOURCE: &str = include_str!("../../../shaders/points.wgsl");

/// Bytes per point in the position buffer (`vec2<f32>`).
const POSITION_BYTES: u64 = 8;
/// Bytes per point in the colour buffer (packed RGBA8).
const COLOR_BYTES: u64 = 4;
/// Points the instance buffers hold before the first growth.
const INITIAL_CAPACITY_POINTS: u64 = 1024;
/// Highlight uniform slots allocated before the first growth.
const INITIAL_HIGHLIGHT_SLOTS: usize = 8;
/// Vertices per instanced quad (two triangles, no index buffer).
const QUAD_VERTICES: u32 = 6;

/// How many instance-buffer uploads [`PointRenderer::prepare`] has issued.
///
/// Uploading 10 M positions is 80 MB of bus traffic, so the renderer skips it whenever a frame's
/// generation counter is unchanged; these counters let tests (and a debug overlay) verify that.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UploadStats {
    /// Number of times the position buffer was written.
    pub position_uploads: u64,
    /// Number of times the colour buffer was written.
    pub color_uploads: u64,
    /// Total bytes written to the position buffer.
    pub position_bytes: u64,
    /// Total bytes written to the colour buffer.
    pub color_bytes: u64,
}

/// One per-instance vertex buffer and what was last written into it.
struct InstanceBuffer {
    label: &'static str,
    buffer: wgpu::Buffer,
    bytes_per_point: u64,
    /// Number of points currently valid at the start of the buffer.
    len: u32,
    /// Generation of the data in the buffer; `None` before the first upload.
    generation: Option<u64>,
}

impl InstanceBuffer {
    fn new(device: &wgpu::Device, label: &'static str, bytes_per_point: u64) -> Self {
        Self {
            label,
            buffer: create_vertex_buffer(device, label, INITIAL_CAPACITY_POINTS * bytes_per_point),
            bytes_per_point,
            len: 0,
            generation: None,
        }
    }

    /// Writes `data` (`points` points) unless the same generation and length are already there.
    /// Returns the number of bytes written, or `None` when nothing had to be done.
    fn update(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        data: &[u8],
        points: u32,
        generation: u64,
        max_points: u64,
    ) -> Option<u64> {
        if self.generation == Some(generation) && self.len == points {
            return None;
        }
        let needed = u64::from(points) * self.bytes_per_point;
        if needed > self.buffer.size() {
            // Grow by at least 1.5× so a slowly growing dataset does not reallocate every frame,
            // but never past the device's buffer limit (checked by the caller via `max_points`).
            let grown_points = (self.buffer.size() / self.bytes_per_point) * 3 / 2;
            let capacity_points = grown_points.max(u64::from(points)).min(max_points);
            self.buffer =
                create_vertex_buffer(device, self.label, capacity_points * self.bytes_per_point);
        }
        debug_assert_eq!(data.len() as u64, needed);
        if !data.is_empty() {
            queue.write_buffer(&self.buffer, 0, data);
        }
        self.len = points;
        self.generation = Some(generation);
        Some(needed)
    }

    /// The valid prefix of the buffer, or `None` when it holds no points (wgpu rejects empty
    /// slices).
    fn slice(&self, points: u32) -> Option<wgpu::BufferSlice<'_>> {
        let bytes = u64::from(points.min(self.len)) * self.bytes_per_point;
        (bytes > 0).then(|| self.buffer.slice(..bytes))
    }
}

fn create_vertex_buffer(device: &wgpu::Device, label: &str, size: u64) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size,
        usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

/// Draws millions of points as instanced, anti-aliased discs, plus rings for highlighted points.
///
/// Create it once per device and target format (pipelines are expensive), call
/// [`Self::prepare`] every frame outside the render pass and [`Self::paint`] inside it.
///
/// # Capacity
/// Positions (8 bytes per point) and colours (4 bytes per point) each live in **one** vertex
/// buffer, so the point count is bounded by the device's `max_buffer_size`: with wgpu's default
/// limits (256 MiB, which egui-wgpu requests) that is 33.5 M points; 10 M points need 80 MB +
/// 40 MB. Larger inputs are truncated to what fits, with a warning logged once.
///
/// # Blending
/// Colours are straight-alpha sRGB-encoded RGBA8 (see [`crate::pack_rgba`]); the shader
/// premultiplies and the pipelines blend with `One, OneMinusSrcAlpha`, like egui.
///
/// # One view per renderer
/// `prepare` overwrites the uniforms, so one renderer draws one scatter view per frame. The
/// render pass it paints into must have no depth attachment (eframe's default).
pub struct PointRenderer {
    points_pipeline: wgpu::RenderPipeline,
    highlight_pipeline: wgpu::RenderPipeline,
    uniform_layout: wgpu::BindGroupLayout,
    points_uniforms: wgpu::Buffer,
    points_bind_group: wgpu::BindGroup,
    highlight_uniforms: wgpu::Buffer,
    highlight_bind_group: wgpu::BindGroup,
    /// Distance between highlight uniform slots (the device's dynamic-offset alignment).
    highlight_stride: u64,
    /// Point index of each highlight slot written by the last `prepare`.
    highlight_points: Vec<u32>,
    positions: InstanceBuffer,
    colors: InstanceBuffer,
    /// Points drawn by `paint`: the shorter of the two uploaded arrays.
    instance_count: u32,
    srgb_target: bool,
    stats: UploadStats,
    warned_truncation: bool,
}

impl PointRenderer {
    /// Builds the pipelines for `target_format` with `msaa_samples` samples (0 or 1 = off).
    ///
    /// Both must match the render pass that [`Self::paint`] will record into.
    pub fn new(
        device: &wgpu::Device,
        target_format: wgpu::TextureFormat,
        msaa_samples: u32,
    ) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("loupe points.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SHADER_SOURCE.into()),
        });
        let uniform_size = NonZeroU64::new(size_of::<PointUniforms>() as u64);
        // One layout for both draws: the highlight pass needs a dynamic offset (one slot per
        // ring) and the point pass simply always passes offset 0.
        let uniform_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("loupe point uniforms"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: true,
                    min_binding_size: uniform_size,
                },
                count: None,
            }],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("loupe points"),
            bind_group_layouts: &[Some(&uniform_layout)],
            immediate_size: 0,
        });
        let position_layout = wgpu::VertexBufferLayout {
            array_stride: POSITION_BYTES,
            step_mode: wgpu::VertexStepMode::Instance,
            attributes: &wgpu::vertex_attr_array![0 => Float32x2],
        };
        let color_layout = wgpu::VertexBufferLayout {
            array_stride: COLOR_BYTES,
            step_mode: wgpu::VertexStepMode::Instance,
            attributes: &wgpu::vertex_attr_array![1 => Uint32],
        };
        let target = PipelineTarget {
            device,
            layout: &layout,
            module: &module,
            format: target_format,
            msaa_samples: msaa_samples.max(1),
        };
        let points_pipeline = target.create(
            "loupe points",
            ("vs_points", "fs_points"),
            &[Some(position_layout.clone()), Some(color_layout)],
        );
        let highlight_pipeline = target.create(
            "loupe highlights",
            ("vs_highlight", "fs_highlight"),
            &[Some(position_layout)],
        );

        let points_uniforms = create_uniform_buffer(
            device,
            "loupe point uniforms",
            size_of::<PointUniforms>() as u64,
        );
        let points_bind_group =
            create_uniform_bind_group(device, &uniform_layout, &points_uniforms);
        let alignment = u64::from(device.limits().min_uniform_buffer_offset_alignment).max(1);
        let highlight_stride = (size_of::<PointUniforms>() as u64).next_multiple_of(alignment);
        let highlight_uniforms = create_uniform_buffer(
            device,
            "loupe highlight uniforms",
            highlight_stride * INITIAL_HIGHLIGHT_SLOTS as u64,
        );
        let highlight_bind_group =
            create_uniform_bind_group(device, &uniform_layout, &highlight_uniforms);

        Self {
            points_pipeline,
            highlight_pipeline,
            uniform_layout,
            points_uniforms,
            points_bind_group,
            highlight_uniforms,
            highlight_bind_group,
            highlight_stride,
            highlight_points: Vec::new(),
            positions: InstanceBuffer::new(device, "loupe point positions", POSITION_BYTES),
            colors: InstanceBuffer::new(device, "loupe point colours", COLOR_BYTES),
            instance_count: 0,
            srgb_target: target_format.is_srgb(),
            stats: UploadStats::default(),
            warned_truncation: false,
        }
    }

    /// Uploads what changed since the last call and the per-frame uniforms.
    ///
    /// Positions are written only when `positions_generation` (or the point count) differs from
    /// the last upload, colours likewise with `colors_generation`; uniforms and highlights are
    /// tiny and written every call. Call it before the render pass that [`Self::paint`] records
    /// into is submitted.
    pub fn prepare(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, frame: &PointFrame) {
        let max_points =
            (device.limits().max_buffer_size / POSITION_BYTES).min(u64::from(u32::MAX));
        let position_points = self.clamp_points(frame.position_count(), max_points);
        let color_points = self.clamp_points(frame.colors.len(), max_points);

        let position_data = &frame.positions[..position_points as usize * 2];
        if let Some(bytes) = self.positions.update(
            device,
            queue,
            bytemuck::cast_slice(position_data),
            position_points,
            frame.positions_generation,
            max_points,
        ) {
            self.stats.position_uploads += 1;
            self.stats.position_bytes += bytes;
        }
        let color_data = &frame.colors[..color_points as usize];
        if let Some(bytes) = self.colors.update(
            device,
            queue,
            bytemuck::cast_slice(color_data),
            color_points,
            frame.colors_generation,
            max_points,
        ) {
            self.stats.color_uploads += 1;
            self.stats.color_bytes += bytes;
        }
        self.instance_count = self.positions.len.min(self.colors.len);

        let viewport_px = frame
            .viewport_px
            .map(|v| if v.is_finite() { v.max(1.0) } else { 1.0 });
        let (clip_scale, clip_offset) = frame.camera.to_clip_transform(viewport_px);
        let base = PointUniforms {
            clip_scale,
            clip_offset,
            viewport_px,
            radius_px: sanitize_radius(frame.point_radius_px),
            opacity: if frame.opacity.is_finite() {
                frame.opacity.clamp(0.0, 1.0)
            } else {
                1.0
            },
            srgb_target: u32::from(self.srgb_target),
            hollow_from: frame.hollow_from.unwrap_or(u32::MAX),
            ..PointUniforms::default()
        };
        queue.write_buffer(&self.points_uniforms, 0, bytemuck::bytes_of(&base));
        self.prepare_highlights(device, queue, frame, base);
    }

    /// Bounds a point count by the device's buffer limit, warning once when it truncates.
    fn clamp_points(&mut self, count: usize, max_points: u64) -> u32 {
        let count = count as u64;
        if count > max_points && !self.warned_truncation {
            self.warned_truncation = true;
            log::warn!(
                "{count} points exceed this device's max_buffer_size; drawing the first {max_points}"
            );
        }
        count.min(max_points) as u32
    }

    fn prepare_highlights(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        frame: &PointFrame,
        base: PointUniforms,
    ) {
        self.highlight_points.clear();
        let stride = self.highlight_stride as usize;
        let mut bytes = Vec::new();
        for highlight in &frame.highlights {
            if highlight.index >= self.instance_count {
                continue;
            }
            let radius_px = sanitize_radius(highlight.radius_px);
            let uniforms = PointUniforms {
                radius_px,
                ring_color: highlight.color,
                // Thick enough to read at a glance, thin enough not to hide neighbours; scales
                // with the radius so it also scales with the display's pixels per point.
                ring_width_px: (radius_px * 0.2).clamp(1.5, radius_px.max(1.5)),
                ..base
            };
            bytes.resize(self.highlight_points.len() * stride, 0);
            bytes.extend_from_slice(bytemuck::bytes_of(&uniforms));
            self.highlight_points.push(highlight.index);
        }
        if bytes.is_empty() {
            return;
        }
        if bytes.len() as u64 > self.highlight_uniforms.size() {
            let slots = self.highlight_points.len().next_power_of_two();
            self.highlight_uniforms = create_uniform_buffer(
                device,
                "loupe highlight uniforms",
                self.highlight_stride * slots as u64,
            );
            self.highlight_bind_group =
                create_uniform_bind_group(device, &self.uniform_layout, &self.highlight_uniforms);
        }
        queue.write_buffer(&self.highlight_uniforms, 0, &bytes);
    }

    /// Records the draws: all points in one instanced draw, then one ring per highlight.
    ///
    /// The caller sets the viewport (the whole render target unless told otherwise) and scissor.
    /// Takes any render-pass lifetime, so egui-wgpu's `RenderPass<'static>` works too.
    pub fn paint(&self, pass: &mut wgpu::RenderPass<'_>) {
        let (Some(positions), Some(colors)) = (
            self.positions.slice(self.instance_count),
            self.colors.slice(self.instance_count),
        ) else {
            return;
        };
        pass.set_pipeline(&self.points_pipeline);
        pass.set_bind_group(0, &self.points_bind_group, &[0]);
        pass.set_vertex_buffer(0, positions);
        pass.set_vertex_buffer(1, colors);
        pass.draw(0..QUAD_VERTICES, 0..self.instance_count);

        if self.highlight_points.is_empty() {
            return;
        }
        pass.set_pipeline(&self.highlight_pipeline);
        pass.set_vertex_buffer(0, positions);
        for (slot, &index) in self.highlight_points.iter().enumerate() {
            let offset = (slot as u64 * self.highlight_stride) as u32;
            pass.set_bind_group(0, &self.highlight_bind_group, &[offset]);
            // first_instance selects the point: its position is fetched from instance `index`.
            pass.draw(0..QUAD_VERTICES, index..index + 1);
        }
    }

    /// Upload counters since creation.
    pub fn uploads(&self) -> UploadStats {
        self.stats
    }

    /// Number of points the next [`Self::paint`] draws.
    pub fn instance_count(&self) -> u32 {
        self.instance_count
    }
}

/// Non-finite or negative radii draw nothing instead of poisoning the vertex shader.
fn sanitize_radius(radius_px: f32) -> f32 {
    if radius_px.is_finite() {
        radius_px.max(0.0)
    } else {
        0.0
    }
}

/// Shared parameters of the two render pipelines.
struct PipelineTarget<'a> {
    device: &'a wgpu::Device,
    layout: &'a wgpu::PipelineLayout,
    module: &'a wgpu::ShaderModule,
    format: wgpu::TextureFormat,
    msaa_samples: u32,
}

impl PipelineTarget<'_> {
    fn create(
        &self,
        label: &str,
        (vertex_entry, fragment_entry): (&str, &str),
        buffers: &[Option<wgpu::VertexBufferLayout<'_>>],
    ) -> wgpu::RenderPipeline {
        self.device
            .create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(label),
                layout: Some(self.layout),
                vertex: wgpu::VertexState {
                    module: self.module,
                    entry_point: Some(vertex_entry),
                    buffers,
                    compilation_options: wgpu::PipelineCompilationOptions::default(),
                },
                primitive: wgpu::PrimitiveState {
                    topology: wgpu::PrimitiveTopology::TriangleList,
                    cull_mode: None,
                    ..wgpu::PrimitiveState::default()
                },
                depth_stencil: None,
                multisample: wgpu::MultisampleState {
                    count: self.msaa_samples,
                    mask: !0,
                    alpha_to_coverage_enabled: false,
                },
                fragment: Some(wgpu::FragmentState {
                    module: self.module,
                    entry_point: Some(fragment_entry),
                    targets: &[Some(wgpu::ColorTargetState {
                        format: self.format,
                        blend: Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                    compilation_options: wgpu::PipelineCompilationOptions::default(),
                }),
                multiview_mask: None,
                cache: None,
            })
    }
}

fn create_uniform_buffer(device: &wgpu::Device, label: &str, size: u64) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

fn create_uniform_bind_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    buffer: &wgpu::Buffer,
) -> wgpu::BindGroup {
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("loupe point uniforms"),
        layout,
        entries: &[wgpu::BindGroupEntry {
            binding: 0,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer,
                offset: 0,
                size: NonZeroU64::new(size_of::<PointUniforms>() as u64),
            }),
        }],
    })
}
