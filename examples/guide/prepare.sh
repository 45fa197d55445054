#!/usr/bin/env bash
# Makes what the guide needs before lxplan can read it: the busybox image tarballs (built offline
# from the host's busybox; needs `npm run build` once) and the host directory shared with a container.
set -euo pipefail
cd "$(dirname "$0")"
node "${LXPLAN_ROOT:-../..}/scripts/make-busybox-image.mjs" images/busybox >/dev/null
mkdir -p /srv/lxplan-guide/shared
