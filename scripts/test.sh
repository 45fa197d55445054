#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: installs the npm dependencies when missing,
# builds, makes sure a local LXD runs (installing Debian's lxd if there is none) and the second
# daemon the `remotes:` tests copy images from (scripts/lxd2-up.sh: https://127.0.0.1:8444), then
# starts Incus beside it when Incus is installed (scripts/incus-up.sh; .ci/run installs it), then
# runs the lint (ESLint, prettier --check), unit and integration tests (test/run.mjs prints the
# closing "N passed, N failed"; the integration tests run against each local daemon that answers,
# LXD and Incus, and say which was left out and why).
# Tests that kill or reconfigure a daemon start a throwaway one of their own
# (test/integration/throwaway-daemon.ts); the machine's daemon is never stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
bash scripts/lxd-up.sh
bash scripts/lxd2-up.sh
bash scripts/pg-up.sh   # the PostgreSQL state tests: a throwaway cluster on 127.0.0.1:5439
bash scripts/cluster-up.sh
if [ -x /usr/libexec/incus/incusd ]; then bash scripts/incus-up.sh; fi
node test/run.mjs "$@"
