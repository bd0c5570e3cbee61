#!/usr/bin/env bash
# The layering rule (ARCHITECTURE.md): engine and data crates never depend on a GUI or GPU crate.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for crate in loupe-core loupe-data loupe-geo loupe-ingest loupe-imagery loupe-knn loupe-similar loupe-cluster loupe-colour loupe-tsne loupe-umap loupe-bench; do
  offenders=$(cargo tree -p "$crate" -e normal --prefix none 2>/dev/null \
    | grep -oE '^(egui|eframe|winit|wgpu|egui-wgpu|egui_wgpu)( |$)' | sort -u || true)
  if [ -n "$offenders" ]; then
    echo "layering: $crate depends on GUI/GPU crates: $offenders" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "layering: engine and data crates are GUI-free"
exit $status
