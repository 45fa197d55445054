#!/usr/bin/env bash
# Runs lxplan end to end on examples/web, on a fresh machine too:
# installs the npm dependencies and builds lxplan, makes sure a local LXD runs (installing
# Debian's lxd if there is none), builds the busybox image tarballs offline, then
# plans, applies and plans again (which must say "No changes.").
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
bash scripts/lxd-up.sh
bash examples/web/prepare.sh
echo; echo '$ lxplan examples/web'
node bin/lxplan.js examples/web
echo; echo '$ lxapply --auto-approve examples/web'
node bin/lxapply.js --auto-approve examples/web
echo; echo '$ lxplan examples/web'
node bin/lxplan.js examples/web
