//! Plain-old-data structs uploaded to the GPU.
//!
//! Every struct here must match a WGSL declaration byte for byte; each names its WGSL file and
//! carries a compile-time size assert. The unit test at the bottom also compares sizes and member
//! offsets with the layout naga computes from the WGSL source, so a change on one side only is
//! caught by `cargo test`.

/// Uniform block of `shaders/points.wgsl` (`struct PointUniforms`).
///
/// The same layout serves both draws: the point pass ignores the ring fields, and the highlight
/// pass stores one of these per highlight in a dynamic-offset uniform buffer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct PointUniforms {
    /// Data → clip scale (`clip = position * clip_scale + clip_offset`).
    pub clip_scale: [f32; 2],
    /// Data → clip offset.
    pub clip_offset: [f32; 2],
    /// Render viewport size in physical pixels.
    pub viewport_px: [f32; 2],
    /// Disc radius, or outer ring radius for highlights, in physical pixels.
    pub radius_px: f32,
    /// Global opacity multiplier for the point pass.
    pub opacity: f32,
    /// Packed RGBA8 ring colour (highlight pass only).
    pub ring_color: u32,
    /// Ring thickness in physical pixels (highlight pass only).
    pub ring_width_px: f32,
    /// 1 when the target format is sRGB, so the shader decodes colours to linear first.
    pub srgb_target: u32,
    /// Point pass: instances from this index on are drawn as rings (`u32::MAX`: none).
    pub hollow_from: u32,
}

// Must match `struct PointUniforms` in shaders/points.wgsl.
const _: () = assert!(size_of::<PointUniforms>() == 48);

#[cfg(test)]
mod tests {
    use super::PointUniforms;
    use std::mem::offset_of;

    /// Finds `struct PointUniforms` in the parsed shader and compares its layout with Rust's.
    #[test]
    fn point_uniforms_match_wgsl_layout() {
        let source = include_str!("../../../shaders/points.wgsl");
        let module = naga::front::wgsl::parse_str(source).expect("points.wgsl parses");
        let (_, ty) = module
            .types
            .iter()
            .find(|(_, ty)| ty.name.as_deref() == Some("PointUniforms"))
            .expect("points.wgsl declares struct PointUniforms");
        let naga::TypeInner::Struct { members, span } = &ty.inner else {
            panic!("PointUniforms is not a struct");
        };
        assert_eq!(*span as usize, size_of::<PointUniforms>(), "struct size");
        let rust_offsets = [
            ("clip_scale", offset_of!(PointUniforms, clip_scale)),
            ("clip_offset", offset_of!(PointUniforms, clip_offset)),
            ("viewport_px", offset_of!(PointUniforms, viewport_px)),
            ("radius_px", offset_of!(PointUniforms, radius_px)),
            ("opacity", offset_of!(PointUniforms, opacity)),
            ("ring_color", offset_of!(PointUniforms, ring_color)),
            ("ring_width_px", offset_of!(PointUniforms, ring_width_px)),
            ("srgb_target", offset_of!(PointUniforms, srgb_target)),
            ("hollow_from", offset_of!(PointUniforms, hollow_from)),
        ];
        assert_eq!(members.len(), rust_offsets.len(), "member count");
        for (member, (name, offset)) in members.iter().zip(rust_offsets) {
            assert_eq!(member.name.as_deref(), Some(name), "member order");
            assert_eq!(member.offset as usize, offset, "offset of {name}");
        }
    }
}
