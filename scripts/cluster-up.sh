#!/usr/bin/env bash
# A real two-member LXD cluster on loopback, for the cluster tests (test/integration/cluster.test.ts)
# and examples/cluster: two more daemons beside the machine's own (which this never touches), each
# with its own LXD_DIR:
#   m1: LXD_DIR=/var/lib/lxd-m1, https://127.0.0.1:8445, the cluster's first member
#   m2: LXD_DIR=/var/lib/lxd-m2, https://127.0.0.1:8446, joined with a token made on m1
# a `dir` storage pool `default` (each member's own source), the default profile's root disk on it,
# and the busybox test image with the alias "busybox" (the tests' own, built offline by make-busybox-image.mjs: run npm run build first).
# Idempotent: starts nothing when a member answers, joins nothing already joined.
# Needs lxd (scripts/lxd-up.sh installs it); installs busybox-static and curl when missing.
set -euo pipefail
# lxc and lxd honour LXD_SOCKET before LXD_DIR: one set by the caller (the test runner sets it to the
# machine's daemon) would point every command below at that daemon instead of this one.
unset LXD_SOCKET

M1_DIR="${CLUSTER_M1_DIR:-/var/lib/lxd-m1}"
M2_DIR="${CLUSTER_M2_DIR:-/var/lib/lxd-m2}"
M1_ADDRESS="${CLUSTER_M1_ADDRESS:-127.0.0.1:8445}"
M2_ADDRESS="${CLUSTER_M2_ADDRESS:-127.0.0.1:8446}"
LOG_DIR=/var/log/lxd

say() { printf 'cluster-up: %s\n' "$*" >&2; }
on() { local dir="$1"; shift; LXD_DIR="$dir" lxc "$@"; }

answers() {
  [ -S "$1/unix.socket" ] && curl -sf --max-time 5 --unix-socket "$1/unix.socket" http://lxd/1.0 >/dev/null 2>&1
}

# Whether the daemon at $1 is a member of a cluster (its /1.0/cluster says enabled).
clustered() {
  curl -sf --max-time 5 --unix-socket "$1/unix.socket" http://lxd/1.0/cluster | grep -q '"enabled":true'
}

start() {
  local dir="$1" name="$2"
  if answers "$dir"; then
    say "$name already answers on $dir/unix.socket"
    return
  fi
  mkdir -p "$dir" "$LOG_DIR"
  say "starting $name (LXD_DIR=$dir)"
  # From /: a daemon keeps the directory it was started in as its own, and a checkout deleted later
  # (a CI clone) breaks what it runs there (rsync of a migration: "getcwd(): No such file or directory").
  (cd / ; LXD_DIR="$dir" setsid nohup lxd --group root --logfile "$LOG_DIR/lxd-$name.log" >"$LOG_DIR/lxd-$name.out" 2>&1 < /dev/null &)
  LXD_DIR="$dir" lxd waitready --timeout=60
}

if [ ! -x /bin/busybox ] || ! command -v curl >/dev/null 2>&1; then
  say "installing busybox-static and curl from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q busybox-static curl >/dev/null
fi

start "$M1_DIR" m1
if ! clustered "$M1_DIR"; then
  say "m1: enabling clustering on $M1_ADDRESS, storage pool 'default' (dir), root disk in the default profile"
  LXD_DIR="$M1_DIR" lxd init --preseed <<YAML
config:
  core.https_address: "$M1_ADDRESS"
cluster:
  server_name: m1
  enabled: true
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root:
      path: /
      pool: default
      type: disk
YAML
fi

start "$M2_DIR" m2
if ! clustered "$M2_DIR"; then
  # A token is single use: an old one for m2 left by a failed join is revoked first.
  on "$M1_DIR" cluster revoke-token m2 >/dev/null 2>&1 || true
  token="$(on "$M1_DIR" cluster add m2 --quiet)"
  say "m2: joining the cluster at $M1_ADDRESS as $M2_ADDRESS"
  LXD_DIR="$M2_DIR" lxd init --preseed <<YAML
cluster:
  enabled: true
  server_name: m2
  server_address: "$M2_ADDRESS"
  cluster_token: "$token"
  member_config:
  - entity: storage-pool
    name: default
    key: source
    value: ""
YAML
fi

if ! on "$M1_DIR" image alias list --format csv | grep -q '^busybox,'; then
  # The tests' own busybox image (src/resources/image/files.ts, through make-busybox-image.mjs: needs npm run build).
  say "building and importing the busybox image"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  node "$(dirname "$0")/make-busybox-image.mjs" "$work" >/dev/null
  on "$M1_DIR" image import "$work/meta.tar.gz" "$work/rootfs.tar.gz" --alias busybox >/dev/null
fi
say "ready: members $(on "$M1_DIR" cluster list --format csv | cut -d, -f1 | tr "\n" " ")(https://$M1_ADDRESS, certificate $M1_DIR/cluster.crt; socket $M1_DIR/unix.socket)"
