#!/usr/bin/env bash
# Makes the root file system this example packs: the busybox test image, unpacked as root so
# owners stay root (needs `npm run build` once). The test of every example runs it too.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node "${LXPLAN_ROOT:-../..}/scripts/make-busybox-image.mjs" "$tmp" >/dev/null
rm -rf images/rootfs
mkdir -p images/rootfs
tar -xpzf "$tmp/rootfs.tar.gz" -C images/rootfs
