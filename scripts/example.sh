#!/usr/bin/env bash
# Runs lxplan end to end on one example (default: examples/web), on a fresh machine too:
# installs the npm dependencies and builds lxplan, makes sure a local daemon runs, runs the example's prepare.sh (the busybox image tarballs,
# built offline; examples/images-remote's also starts the lab server it copies from), then
# plans, applies and plans again (which must say "No changes.").
# Usage: npm run example [-- NAME]      (NAME: a folder of examples/, e.g. guide)
# Starts nothing the example does not need: no second daemon, no HTTPS listener for examples/web.
# Each example lives in an LXD project of its own; `lxapply --destroy examples/NAME` removes it.
# The daemon: LXD_SOCKET / LXD_DIR (LXD) or INCUS_SOCKET / INCUS_DIR (Incus) choose one, as for
# lxplan itself. Otherwise the local LXD when it answers, else the local Incus when it answers
# (both running: LXD, chosen explicitly and said so), else LXD is installed from Debian's
# packages and started (scripts/lxd-up.sh): Debian 12's own archive has LXD 5.0; Incus comes from
# bookworm-backports only (scripts/incus-up.sh installs it when asked for).
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-web}"
dir="examples/$name"
if [ ! -d "$dir" ] || ! ls "$dir"/*.yaml >/dev/null 2>&1; then
  echo "example.sh: no example \"$name\" (one of: $(cd examples && ls -d */ | tr -d / | grep -vx ci | tr '\n' ' '))" >&2
  exit 1
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
# LXPLAN_EXAMPLE_NO_BUILD=1: lxplan is built already (the test of this script runs after npm run build).
[ -n "${LXPLAN_EXAMPLE_NO_BUILD:-}" ] || npm run build --silent
answers() { [ -S "$1" ] && curl -sf --max-time 5 --unix-socket "$1" http://daemon/1.0 >/dev/null 2>&1; }
lxd_socket=/var/lib/lxd/unix.socket
[ -S "$lxd_socket" ] || [ ! -S /var/snap/lxd/common/lxd/unix.socket ] || lxd_socket=/var/snap/lxd/common/lxd/unix.socket
incus_socket=/var/lib/incus/unix.socket
[ -S "$incus_socket" ] || [ ! -S /run/incus/unix.socket ] || incus_socket=/run/incus/unix.socket
if [ -n "${LXD_SOCKET:-}${LXD_DIR:-}" ]; then
  bash scripts/lxd-up.sh
elif [ -n "${INCUS_SOCKET:-}${INCUS_DIR:-}" ]; then
  bash scripts/incus-up.sh
elif answers "$lxd_socket"; then
  export LXD_SOCKET="$lxd_socket"
  if answers "$incus_socket"; then
    echo "example.sh: LXD and Incus both run here; using LXD (LXD_SOCKET=$lxd_socket). For Incus: INCUS_SOCKET=$incus_socket npm run example" >&2
    chooser="LXD_SOCKET=$lxd_socket " # lxplan by hand must choose too: it never picks one of two daemons
  fi
elif answers "$incus_socket"; then
  export INCUS_SOCKET="$incus_socket"
  echo "example.sh: using Incus (INCUS_SOCKET=$incus_socket): no LXD answers here" >&2
else
  bash scripts/lxd-up.sh
  export LXD_SOCKET="${LXD_DIR:-/var/lib/lxd}/unix.socket"
fi
command -v busybox >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get update -q >/dev/null; apt-get install -y -q busybox-static >/dev/null; }
[ ! -f "$dir/prepare.sh" ] || bash "$dir/prepare.sh"
echo; echo "\$ lxplan $dir"
node bin/lxplan.js "$dir"
echo; echo "\$ lxapply --auto-approve $dir"
node bin/lxapply.js --auto-approve "$dir"
echo; echo "\$ lxplan $dir"
node bin/lxplan.js "$dir"
echo; echo "To remove it again (everything it made, its project too): ${chooser:-}npx lxapply --destroy $dir"
