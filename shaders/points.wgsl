// Loupe point renderer: every point is one instance of a screen-aligned quad (two triangles,
// six vertices, no index buffer) expanded in the vertex shader and shaded as an anti-aliased
// disc in the fragment shader.
//
// The uniform block must match `PointUniforms` in crates/loupe-render/src/gpu_types.rs
// (a unit test there compares sizes and offsets with what naga computes for this file).
//
// Blending: the fragment shaders output PREMULTIPLIED alpha (rgb already multiplied by alpha)
// and the pipelines blend with `One, OneMinusSrcAlpha`, the same convention egui uses, so
// overlapping translucent points composite correctly over egui's own output.
//
// Entry points:
// * `vs_points` / `fs_points`: all points; per-instance position (location 0) and packed
//   RGBA8 colour (location 1, r in the lowest byte). Points whose instance index is at least
//   `hollow_from` are drawn as rings instead of discs (rows projected into a finished layout
//   are appended after the reference rows, so one index marks them all).
// * `vs_highlight` / `fs_highlight`: one ring per draw around a hovered or selected point; the
//   draw's first_instance picks the point, the colour and radius come from the uniform block
//   (bound with a dynamic offset, one slot per highlight).

struct PointUniforms {
    // data -> clip: clip = position * clip_scale + clip_offset
    clip_scale: vec2<f32>,
    clip_offset: vec2<f32>,
    // size of the render viewport in physical pixels (used to turn pixel radii into clip units)
    viewport_px: vec2<f32>,
    // disc radius (points) or outer ring radius (highlight), physical pixels
    radius_px: f32,
    // global opacity multiplier applied to the points (not to highlight rings)
    opacity: f32,
    // packed RGBA8 ring colour (highlight pass only)
    ring_color: u32,
    // ring thickness in physical pixels (highlight pass only)
    ring_width_px: f32,
    // 1 when the render target is an *Srgb format: colours are then decoded to linear
    srgb_target: u32,
    // point pass: instances from this index on are drawn hollow (0xffffffff: none)
    hollow_from: u32,
}

@group(0) @binding(0) var<uniform> u: PointUniforms;

// Extra pixels around the disc so the 1 px anti-aliased edge is not clipped by the quad.
const AA_MARGIN_PX: f32 = 1.0;

struct VertexOut {
    @builtin(position) clip: vec4<f32>,
    // position of this fragment relative to the point centre, physical pixels
    @location(0) local_px: vec2<f32>,
    @location(1) @interpolate(flat) color: vec4<f32>,
    // 1 for a hollow (ring) marker in the point pass
    @location(2) @interpolate(flat) hollow: u32,
}

fn quad_corner(vertex_index: u32) -> vec2<f32> {
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(-1.0, -1.0),
        vec2<f32>(1.0, -1.0),
        vec2<f32>(1.0, 1.0),
        vec2<f32>(-1.0, -1.0),
        vec2<f32>(1.0, 1.0),
        vec2<f32>(-1.0, 1.0),
    );
    return corners[vertex_index % 6u];
}

fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let low = c / 12.92;
    let high = pow((c + vec3<f32>(0.055)) / 1.055, vec3<f32>(2.4));
    return select(high, low, c <= vec3<f32>(0.04045));
}

// Colours arrive as sRGB-encoded bytes (like egui's Color32). On a non-sRGB target they are
// written as they are (egui's preferred "gamma" framebuffer); on an sRGB target the hardware
// re-encodes, so decode here first.
fn decode_color(packed: u32) -> vec4<f32> {
    let c = unpack4x8unorm(packed);
    if u.srgb_target != 0u {
        return vec4<f32>(srgb_to_linear(c.rgb), c.a);
    }
    return c;
}

fn expand_quad(vertex_index: u32, position: vec2<f32>, half_extent_px: f32) -> VertexOut {
    let corner = quad_corner(vertex_index);
    let center_clip = position * u.clip_scale + u.clip_offset;
    let offset_clip = corner * half_extent_px * 2.0 / max(u.viewport_px, vec2<f32>(1.0));
    var out: VertexOut;
    out.clip = vec4<f32>(center_clip + offset_clip, 0.0, 1.0);
    // Clip space has y up, pixels have y down; the disc is symmetric so the sign does not matter.
    out.local_px = corner * half_extent_px;
    out.color = vec4<f32>(0.0);
    out.hollow = 0u;
    return out;
}

@vertex
fn vs_points(
    @builtin(vertex_index) vertex_index: u32,
    @builtin(instance_index) instance_index: u32,
    @location(0) position: vec2<f32>,
    @location(1) color: u32,
) -> VertexOut {
    var out = expand_quad(vertex_index, position, max(u.radius_px, 0.5) + AA_MARGIN_PX);
    out.color = decode_color(color);
    out.hollow = select(0u, 1u, instance_index >= u.hollow_from);
    return out;
}

@fragment
fn fs_points(in: VertexOut) -> @location(0) vec4<f32> {
    let d = length(in.local_px);
    // 1 px linear ramp centred on the rim: an analytic box-filtered edge.
    var coverage = clamp(u.radius_px + 0.5 - d, 0.0, 1.0);
    if in.hollow != 0u {
        // A ring a third of the radius thick (at least 1.5 px), same outer edge as the disc.
        let half_width = 0.5 * max(u.radius_px / 3.0, 1.5);
        let ring_center = u.radius_px - half_width;
        coverage = clamp(half_width + 0.5 - abs(d - ring_center), 0.0, 1.0);
    }
    let alpha = in.color.a * coverage * u.opacity;
    if alpha <= 0.0 {
        discard;
    }
    return vec4<f32>(in.color.rgb * alpha, alpha);
}

@vertex
fn vs_highlight(
    @builtin(vertex_index) vertex_index: u32,
    @location(0) position: vec2<f32>,
) -> VertexOut {
    var out = expand_quad(vertex_index, position, max(u.radius_px, 0.5) + AA_MARGIN_PX);
    out.color = decode_color(u.ring_color);
    return out;
}

@fragment
fn fs_highlight(in: VertexOut) -> @location(0) vec4<f32> {
    let d = length(in.local_px);
    let half_width = 0.5 * u.ring_width_px;
    let ring_center = u.radius_px - half_width;
    let coverage = clamp(half_width + 0.5 - abs(d - ring_center), 0.0, 1.0);
    let alpha = in.color.a * coverage;
    if alpha <= 0.0 {
        discard;
    }
    return vec4<f32>(in.color.rgb * alpha, alpha);
}
