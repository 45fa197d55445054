#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: installs the npm dependencies when missing,
# builds, makes sure a local LXD runs (installing Debian's lxd if there is none), then runs
# the unit and integration tests (test/run.mjs prints the closing "N passed, N failed").
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
bash scripts/lxd-up.sh
node test/run.mjs "$@"
