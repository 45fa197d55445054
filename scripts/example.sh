#!/usr/bin/env bash
# Runs lxplan end to end on one example (default: examples/web), on a fresh machine too:
# installs the npm dependencies and builds lxplan, makes sure a local LXD runs (installing
# Debian's lxd if there is none), runs the example's prepare.sh (the busybox image tarballs,
# built offline; examples/images-remote's also starts the lab server it copies from), then
# plans, applies and plans again (which must say "No changes.").
# Usage: npm run example [-- NAME]      (NAME: a folder of examples/, e.g. guide)
# Starts nothing the example does not need: no second daemon, no HTTPS listener for examples/web.
# Each example lives in an LXD project of its own; `lxapply --destroy examples/NAME` removes it.
# LXD_SOCKET / LXD_DIR point it at another daemon, as for lxplan itself.
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
bash scripts/lxd-up.sh
[ ! -f "$dir/prepare.sh" ] || bash "$dir/prepare.sh"
echo; echo "\$ lxplan $dir"
node bin/lxplan.js "$dir"
echo; echo "\$ lxapply --auto-approve $dir"
node bin/lxapply.js --auto-approve "$dir"
echo; echo "\$ lxplan $dir"
node bin/lxplan.js "$dir"
echo; echo "To remove it again (everything it made, its project too): npx lxapply --destroy $dir"
