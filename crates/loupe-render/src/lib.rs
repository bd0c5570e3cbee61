//! Loupe's GPU point renderer.
//!
//! Draws millions of 2-D embedding points as instanced, anti-aliased discs with wgpu
//! ([`PointRenderer`], shader `shaders/points.wgsl`), plus rings for hovered and selected points.
//! Around it: the camera maths shared by the renderer and the app's input handling ([`Camera`]),
//! CPU picking with a kd-tree ([`PickIndex`]), one small bridge into egui's paint callbacks
//! ([`install`], [`points_paint_callback`]), offscreen rendering to RGBA bytes for exports
//! ([`offscreen`]) and a GPU-or-skip helper for render tests ([`testing`]).
//!
//! wgpu is reached only through `egui_wgpu::wgpu`, so the renderer always uses the exact wgpu
//! version egui renders with. This crate must never depend on the engine crates (t-SNE, kNN,
//! data loading) or on eframe: it takes plain position and colour arrays, so it can be tested
//! headless and reused by any egui-wgpu host.

mod camera;
mod egui_bridge;
mod frame;
mod gpu_types;
pub mod offscreen;
mod picking;
mod point_renderer;
pub mod testing;

pub use camera::Camera;
pub use egui_bridge::{
    install, install_into, install_with_msaa, points_paint_callback, points_paint_callback_for,
};
pub use frame::{Highlight, PointFrame, pack_rgba};
pub use picking::PickIndex;
pub use point_renderer::{PointRenderer, UploadStats};

#[cfg(test)]
mod tests {
    /// The renderer lives in egui-wgpu's thread-safe `callback_resources`; frames and pick
    /// indices are built on worker threads and handed to the UI.
    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<crate::PointRenderer>();
        assert_send_sync::<crate::PointFrame>();
        assert_send_sync::<crate::PickIndex>();
        assert_send_sync::<crate::Camera>();
        assert_send_sync::<crate::offscreen::OffscreenRenderer>();
    }
}
