#!/usr/bin/env bash
# `make package`: the self-contained bundle dist/Switchboard/ (PyInstaller, build.spec) and
# dist/Switchboard-<version>-linux-<arch>.tar.gz, then its size. Needs the venv with the
# `package` extra (the Makefile installs it). The version comes from pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
APP_ID=app.switchboard.Switchboard
bundle=dist/Switchboard

started=$(date +%s)
version=$("$PY" -c "from desktop.version import version; print(version())")
date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)

"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller build.spec

# Desktop integration beside the binary: a menu entry, icons, AppStream metadata, and the
# script that installs them for the user (the Exec line needs this folder's final path).
mkdir -p "$bundle/share/applications" "$bundle/share/metainfo" "$bundle/share/icons"
cp "resources/$APP_ID.desktop" "$bundle/share/applications/"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$date/" \
  "resources/$APP_ID.metainfo.xml.in" > "$bundle/share/metainfo/$APP_ID.metainfo.xml"
cp -r resources/icons/hicolor "$bundle/share/icons/"
install -m 755 scripts/install-desktop-entry.sh "$bundle/install-desktop-entry.sh"

# a bundle must not point outside itself
dangling=$(find "$bundle" -xtype l)
if [ -n "$dangling" ]; then
  echo "dangling symlinks in the bundle:" >&2
  echo "$dangling" >&2
  exit 1
fi

os=$(uname -s | tr '[:upper:]' '[:lower:]')
tarball="dist/Switchboard-$version-$os-$(uname -m).tar.gz"
tar -C dist --sort=name --owner=0 --group=0 --numeric-owner --mtime="$date" \
  -czf "$tarball" Switchboard

bytes=$(du -sb "$bundle" | cut -f1)
echo "bundle:  $bundle  $(( bytes / 1000000 )) MB unpacked ($(du -sh "$bundle" | cut -f1) on disk)"
echo "tarball: $tarball  $(( $(stat -c %s "$tarball") / 1000000 )) MB"
echo "built in $(( $(date +%s) - started )) s"
