#!/usr/bin/env bash
# Installs the system packages Loupe needs on Debian/Ubuntu (run as root or with sudo):
#  - mesa-vulkan-drivers + libvulkan1: Mesa's lavapipe, a software Vulkan adapter, so wgpu can
#    render (the app, and the GPU tests) on machines without a GPU;
#  - xvfb + xauth: a virtual X display to run the window headless (screenshots);
#  - X11/Wayland client libraries that winit loads at run time;
#  - g++: the H.264 encoder behind `loupe animate` (OpenH264) is compiled from bundled C++
#    source (no nasm needed; it speeds the encoder up when present).
set -euo pipefail
packages=(
  g++
  mesa-vulkan-drivers libvulkan1 vulkan-tools
  xvfb xauth
  libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libxkbcommon0 libxkbcommon-x11-0
  libwayland-client0 libwayland-cursor0 libwayland-egl1
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup-system: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
