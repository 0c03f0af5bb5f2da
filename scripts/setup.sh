#!/usr/bin/env bash
# Makes a fresh clone ready to run: npm packages, then a WebGPU adapter. On a machine without a GPU
# it installs Mesa's software Vulkan driver (Debian, as root) when no adapter is found.
# Called by `npm test` and the examples, so the README's two commands need nothing else. Safe to rerun.
# With --browser (npm test) it also installs Debian's Chromium for the browser test and NumPy for the
# PyTorch-export parity test, when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = --browser ] && [ "$(id -u)" = 0 ] && [ -r /etc/debian_version ]; then
  bash scripts/install-chromium.sh
  bash scripts/install-numpy.sh
fi

if node scripts/check-adapter.mjs 2>/dev/null; then
  exit 0
fi

if [ "$(uname -s)" = Linux ] && [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ]; then
  echo "setup: installing the software WebGPU driver (Mesa lavapipe) with scripts/install-software-gpu.sh"
  bash scripts/install-software-gpu.sh
  if node scripts/check-adapter.mjs 2>/dev/null; then
    exit 0
  fi
fi

cat >&2 <<'HELP'
setup: no WebGPU adapter. Without a GPU, Dawn needs a software Vulkan driver:
  on Debian, as root:  bash scripts/install-software-gpu.sh   (Mesa >= 24 lavapipe from bookworm-backports)
  elsewhere:           install libvulkan1 and Mesa >= 24's Vulkan drivers (lavapipe), or your GPU's Vulkan driver.
HELP
exit 1
