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
    match pollster::block_on(try_request_device()) {
        Ok((device, queue, info)) => {
            eprintln!(
                "loupe-render: GPU tests run on {:?} adapter {:?} ({:?}, driver {:?} {:?})",
                info.backend, info.name, info.device_type, info.driver, info.driver_info
            );
            Some((device, queue, info))
        }
        Err(reason) => {
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

async fn try_request_device() -> Result<(wgpu::Device, wgpu::Queue, wgpu::AdapterInfo), String> {
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
            label: Some("loupe test device"),
            required_limits: base_limits,
            ..wgpu::DeviceDescriptor::default()
        })
        .await
        .map_err(|err| format!("adapter {:?} refused a device: {err}", info.name))?;
    Ok((device, queue, info))
}
