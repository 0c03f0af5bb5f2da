#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test (test/web/browser.test.ts), which drives it headless with
# playwright-core. Never a downloaded browser: only the distribution's package. Debian only, as root,
# safe to run again.
set -euo pipefail

say() { echo "install-chromium: $*"; }

if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! [ -r /etc/os-release ] || ! grep -q '^ID=debian' /etc/os-release; then
  say "no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium}; the browser test needs one." >&2
  say "On Debian, as root: apt-get install chromium. Elsewhere set CHROMIUM_PATH to a Chromium or Chrome binary." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
say "installing Debian's chromium package"
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
say "installed $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
