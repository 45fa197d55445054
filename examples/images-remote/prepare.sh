#!/usr/bin/env bash
# Makes the lab server this example copies from (a second LXD on https://127.0.0.1:8444, with a
# public busybox image) and pins its certificate in lab.crt. The test of every example runs it too.
set -euo pipefail
cd "$(dirname "$0")"
bash "${LXPLAN_ROOT:-../..}/scripts/lxd2-up.sh"
cp /var/lib/lxd2/server.crt lab.crt
