#!/usr/bin/env bash
# Installs Mesa's software Vulkan driver (lavapipe) so that Dawn, and so this engine, gets a WebGPU
# adapter on a machine without a GPU. Debian only, run as root, safe to run again.
#
# Why backports: Dawn rejects Debian bookworm's own Mesa 22 ("shaderUniform*ArrayDynamicIndexing
# required"); Mesa 24 or newer works, and bookworm-backports carries Mesa 25.
set -euo pipefail

say() { echo "install-software-gpu: $*"; }

mesa_version() {
  dpkg-query -W -f='${Status} ${Version}\n' mesa-vulkan-drivers 2>/dev/null \
    | awk '$3 == "installed" { print $4 }'
}

mesa_is_new_enough() {
  local version
  version=$(mesa_version)
  [ -n "$version" ] && dpkg --compare-versions "$version" ge 24 \
    && dpkg-query -W -f='${Status}\n' libvulkan1 2>/dev/null | grep -q ' installed$'
}

if mesa_is_new_enough; then
  say "mesa-vulkan-drivers $(mesa_version) and libvulkan1 are already installed; nothing to do."
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  say "needs root to install packages. Run: sudo bash $0" >&2
  exit 1
fi
if ! [ -r /etc/os-release ] || ! grep -q '^ID=debian' /etc/os-release; then
  say "this script knows Debian only. Install libvulkan1 and Mesa >= 24's Vulkan drivers" >&2
  say "(lavapipe) with your distribution's package manager, then run the tests again." >&2
  exit 1
fi

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
export DEBIAN_FRONTEND=noninteractive

if [ "$codename" = bookworm ]; then
  source_file=/etc/apt/sources.list.d/bookworm-backports.sources
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # Reuse the mirror and keyring of the machine's own Debian source, so no new host or key is trusted.
    mirror=$(grep -hs '^URIs:' /etc/apt/sources.list.d/debian.sources | grep -v security | head -n 1 | awk '{ print $2 }')
    mirror=${mirror:-http://deb.debian.org/debian}
    keyring=$(grep -hs '^Signed-By:' /etc/apt/sources.list.d/debian.sources | head -n 1 | awk '{ print $2 }')
    keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}
    say "adding bookworm-backports ($mirror) to $source_file"
    cat > "$source_file" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: $keyring
SOURCES
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1
else
  # Newer Debian releases ship Mesa 24+ in their own suite.
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers libvulkan1
fi

if mesa_is_new_enough; then
  say "installed mesa-vulkan-drivers $(mesa_version)."
else
  say "mesa-vulkan-drivers $(mesa_version) is older than 24; Dawn will reject it." >&2
  exit 1
fi
