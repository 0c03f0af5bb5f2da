#!/usr/bin/env bash
# Makes sure a Python 3 with NumPy is there for the PyTorch-export parity test (test/cli/export.test.ts),
# which runs examples/pytorch/numpy_reference.py. Installs Debian's python3-numpy when no python3 on the
# PATH (nor /usr/bin/python3) imports numpy. Debian only, as root; safe to run again.
set -euo pipefail

say() { echo "install-numpy: $*"; }

for python in "${PYTHON:-python3}" python3 /usr/bin/python3; do
  if command -v "$python" >/dev/null 2>&1 && "$python" -c 'import numpy' 2>/dev/null; then
    exit 0
  fi
done
if [ "$(id -u)" != 0 ] || ! [ -r /etc/os-release ] || ! grep -q '^ID=debian' /etc/os-release; then
  say "no Python 3 with NumPy; the PyTorch-export parity test needs one (set PYTHON to its interpreter)." >&2
  say "On Debian, as root: apt-get install python3-numpy. Elsewhere: pip install numpy." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
say "installing Debian's python3-numpy package"
apt-get update -qq
apt-get install -y -qq python3-numpy >/dev/null
say "installed NumPy $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)')"
