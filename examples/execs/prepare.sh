#!/usr/bin/env bash
# Makes what this example needs before lxplan can read it: the busybox image tarballs, built
# offline from the host's busybox (needs `npm run build` once). The test of every example runs it too.
set -euo pipefail
cd "$(dirname "$0")"
node "${LXPLAN_ROOT:-../..}/scripts/make-busybox-image.mjs" images/busybox >/dev/null
