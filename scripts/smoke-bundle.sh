#!/usr/bin/env bash
# The packaged build as a user gets it: unpack the tarball into an empty folder and run it in a
# clean environment (no venv, no checkout on any path, a fresh HOME, offscreen Qt):
# --version, --bundle-check (what freezing can lose), --self-test (demo workspace, sync,
# a reply through the outbox, verified on the sandbox). Exit 0 only if all pass.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=${1:-$(ls -t dist/Switchboard-*-linux-*.tar.gz 2>/dev/null | head -n1)}
[ -n "$tarball" ] && [ -f "$tarball" ] || { echo "no tarball: run make package" >&2; exit 1; }

place=$(mktemp -d)
home=$(mktemp -d)
trap 'rm -rf "$place" "$home"' EXIT
tar -xzf "$tarball" -C "$place"
app="$place/Switchboard/switchboard"

clean() {
  (cd "$home" && env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
    timeout 300 "$@")
}

echo "== $(basename "$tarball") unpacked in $place"
clean "$app" --version
clean "$app" --bundle-check
clean "$app" --self-test
echo "bundle smoke test passed"
