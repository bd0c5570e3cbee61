#!/usr/bin/env bash
# The layering rule (ARCHITECTURE.md): engine and data crates never depend on a GUI or GPU crate.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
# forbid CRATE PATTERN WHAT: fails when CRATE's normal dependency tree holds a crate whose name
# matches PATTERN (an extended regex alternation).
forbid() {
  local offenders
  offenders=$(cargo tree -p "$1" -e normal --prefix none 2>/dev/null \
    | grep -oE "^($2)( |\$)" | sort -u || true)
  if [ -n "$offenders" ]; then
    echo "layering: $1 depends on $3: $offenders" >&2
    status=1
  fi
}
for crate in loupe-core loupe-data loupe-geo loupe-ingest loupe-imagery loupe-knn loupe-similar loupe-cluster loupe-colour loupe-tsne loupe-umap loupe-video loupe-bench; do
  forbid "$crate" 'egui|eframe|winit|wgpu|egui-wgpu|egui_wgpu' "GUI/GPU crates"
done
# The GPU crates draw offscreen or into egui's paint callbacks: wgpu (through egui-wgpu) is
# theirs, a window toolkit or the app is not.
for crate in loupe-render loupe-animate; do
  forbid "$crate" 'eframe|winit|loupe-app' "window or app crates"
done
[ $status -eq 0 ] && echo "layering: engine and data crates are GUI-free; render crates window-free"
exit $status
