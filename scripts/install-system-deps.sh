#!/usr/bin/env bash
# Debian packages the app and its tests need: Qt's runtime libraries (even offscreen),
# Xvfb for screenshots, a real SecretService (dbus + gnome-keyring) for the keyring tests,
# snac2 (a real Mastodon-API server) from bookworm-backports for the integration test, and
# binutils (objdump) for PyInstaller and the bundle's library pruning (`make package`), and the
# freedesktop validators for the .desktop file and AppStream metadata (tests/packaging).
# Idempotent and quiet when everything is present. Needs root; prints what to do otherwise.
set -euo pipefail

PKGS=(
  libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 fonts-dejavu-core
  fonts-noto-color-emoji
  xvfb xauth dbus dbus-x11 gnome-keyring libsecret-1-0
  libenchant-2-2 hunspell-en-us
  binutils desktop-file-utils appstream
)
BACKPORTS_PKGS=(snac2)

missing=()
for p in "${PKGS[@]}" "${BACKPORTS_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Run as root (or: sudo apt-get install ${missing[*]}); snac2 comes from bookworm-backports." >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  if grep -rqs "bookworm" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/backports.list
  fi
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
if grep -rqs "bookworm-backports" /etc/apt/sources.list.d/; then
  apt-get install -y -qq --no-install-recommends -t bookworm-backports "${BACKPORTS_PKGS[@]}" >/dev/null \
    || echo "warning: snac2 could not be installed; its integration test will be skipped" >&2
fi
