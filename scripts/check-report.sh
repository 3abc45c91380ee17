#!/usr/bin/env bash
# Renders a training report in headless Chromium and saves a screenshot to look at.
#   scripts/check-report.sh [LOG_DIR] [OUT.png]
# Without LOG_DIR it trains a short LeNet-5 run on the CPU with --log-dir into a temporary
# directory first (Fashion-MNIST must be installed: scripts/setup.sh). Installs chromium with apt
# when it is missing, as setup.sh installs its packages.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-}"
png="${2:-report.png}"
if ! command -v chromium >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "check-report: installing chromium"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if [ -z "$dir" ]; then
  swift build --product synapse >/dev/null
  dir="$(mktemp -d)/run"
  "$(swift build --show-bin-path)/synapse" train --device cpu --epochs 3 --limit-train 3200 --limit-test 1000 \
    --batch-size 64 --log-dir "$dir" --quiet
fi
[ -f "$dir/report.html" ] || "$(swift build --show-bin-path)/synapse" report "$dir"
# --no-sandbox: chromium refuses to start as root otherwise (containers, CI).
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1500 \
  --screenshot="$(realpath -m "$png")" "file://$(realpath "$dir/report.html")" 2>/dev/null
[ -s "$png" ] || { echo "check-report: no screenshot was written" >&2; exit 1; }
echo "check-report: $dir/report.html rendered to $png"
