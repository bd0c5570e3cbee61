//! GPU access for tests, with one policy for "no adapter here".
//!
//! Render tests must run on CI machines without a GPU (Mesa's lavapipe gives a software Vulkan
//! adapter) and must not silently pass where a GPU was expected. The policy lives here so the
//! app's tests reuse it instead of re-deciding it.

use egui_wgpu::wgpu;

/// Environment variable that turns a missing adapter from a skip into a test failure.
pub const REQUIRE_GPU_ENV: &str = "LOUPE_REQUIRE_GPU";

/// Whether [`REQUIRE_GPU_ENV`] is set to something other than empty or `0`.
pub fn gpu_required() -> bool {
    std::env::var_os(REQUIRE_GPU_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// A device and queue for offscreen render tests, or `None` when the test should be skipped.
///
/// Tries every backend wgpu was built with (honouring `WGPU_BACKEND`), preferring a hardware
/// adapter and falling back to a software one (lavapipe, WARP). Requests the same limits as
/// egui-wgpu so tests see what the app sees, and prints the adapter so a log shows what the
/// test really ran on.
///
/// # Panics
/// When no adapter or device is available and [`REQUIRE_GPU_ENV`] is set: a CI job that
/// installed a software rasterizer must not report success without rendering anything.
pub fn request_test_device() -> Option<(wgpu::Device, wgpu::Queue, wgpu::AdapterInfo)> {
    match crate::offscreen::request_device() {
        Ok((device, queue, info)) => {
            eprintln!(
                "loupe-render: GPU tests run on {:?} adapter {:?} ({:?}, driver {:?} {:?})",
                info.backend, info.name, info.device_type, info.driver, info.driver_info
            );
            Some((device, queue, info))
        }
        Err(err) => {
            let reason = match err {
                crate::offscreen::OffscreenError::NoAdapter { reason } => reason,
                other => other.to_string(),
            };
            assert!(
                !gpu_required(),
                "{REQUIRE_GPU_ENV} is set but no usable GPU adapter was found ({reason}); \
                 install mesa-vulkan-drivers (lavapipe) or unset {REQUIRE_GPU_ENV}"
            );
            eprintln!(
                "\n==============================================================\n\
                 SKIPPED: no GPU adapter ({reason}); install mesa-vulkan-drivers \
                 libvulkan1 for the lavapipe software rasterizer, and set \
                 {REQUIRE_GPU_ENV}=1 to make this a failure\n\
                 =============================================================="
            );
            None
        }
    }
}
