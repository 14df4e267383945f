#!/bin/sh
# Adds Switchboard to the current user's application menu (no root needed): a .desktop file
# that starts this folder's `switchboard`, the icons and the AppStream metadata, under
# $XDG_DATA_HOME (~/.local/share). Shipped at the top of the bundle by `make package`.
#   ./install-desktop-entry.sh              install (again, after moving the folder)
#   ./install-desktop-entry.sh --uninstall  remove them (your profiles are left alone)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
id=app.switchboard.Switchboard
sizes="16 24 32 48 64 128 256 512"

refresh() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
  fi
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$data/applications/$id.desktop" "$data/metainfo/$id.metainfo.xml" \
    "$data/icons/hicolor/scalable/apps/$id.svg"
  for n in $sizes; do rm -f "$data/icons/hicolor/${n}x${n}/apps/$id.png"; done
  refresh
  echo "Removed the Switchboard menu entry."
  exit 0
fi

[ -x "$here/switchboard" ] || { echo "no switchboard next to $0" >&2; exit 1; }
mkdir -p "$data/applications" "$data/metainfo"
# Exec and TryExec point at this folder (quoted: the path may contain spaces)
sed -e "s|^Exec=switchboard|Exec=\"$here/switchboard\"|" \
    -e "s|^TryExec=.*|TryExec=$here/switchboard|" \
    "$here/share/applications/$id.desktop" > "$data/applications/$id.desktop"
cp "$here/share/metainfo/$id.metainfo.xml" "$data/metainfo/"
for dir in scalable $(for n in $sizes; do printf '%sx%s ' "$n" "$n"; done); do
  mkdir -p "$data/icons/hicolor/$dir/apps"
  cp "$here/share/icons/hicolor/$dir/apps/$id."* "$data/icons/hicolor/$dir/apps/"
done
refresh
echo "Installed $data/applications/$id.desktop -> $here/switchboard"
