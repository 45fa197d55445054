#!/usr/bin/env bash
# Make sure a local LXD daemon is installed, running and initialised.
# Idempotent: does nothing when a daemon already answers on its unix socket.
# Installs Debian's packages when lxd is missing (needs root and apt).
set -euo pipefail

LXD_DIR="${LXD_DIR:-/var/lib/lxd}"
SOCKET="${LXD_SOCKET:-$LXD_DIR/unix.socket}"
LOG_DIR=/var/log/lxd

say() { printf 'lxd-up: %s\n' "$*" >&2; }

answers() {
  [ -S "$SOCKET" ] && curl -sf --max-time 5 --unix-socket "$SOCKET" http://lxd/1.0 >/dev/null 2>&1
}

if answers; then
  say "LXD already answers on $SOCKET"
else
  if ! command -v lxd >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1 || ! command -v busybox >/dev/null 2>&1; then
    say "installing lxd, iptables, busybox-static and curl from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q lxd lxd-client iptables busybox-static curl >/dev/null
  fi
  mkdir -p "$LXD_DIR" "$LOG_DIR"
  say "starting lxd (LXD_DIR=$LXD_DIR)"
  # No systemd on these machines: run the daemon detached from this shell.
  # From /: a daemon keeps the directory it was started in as its own, and a checkout deleted later
  # (a CI clone) breaks what it runs there (rsync of a migration: "getcwd(): No such file or directory").
  (cd / ; LXD_DIR="$LXD_DIR" setsid nohup lxd --group root --logfile "$LOG_DIR/lxd.log" >"$LOG_DIR/lxd.out" 2>&1 < /dev/null &)
  LXD_DIR="$LXD_DIR" lxd waitready --timeout=60
fi

# First-time setup: a dir storage pool named default and a default profile with a root disk.
if ! LXD_DIR="$LXD_DIR" lxc storage show default >/dev/null 2>&1; then
  say "initialising: storage pool 'default' (dir), root disk in the default profile"
  LXD_DIR="$LXD_DIR" lxd init --preseed <<'YAML'
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
say "ready: $(curl -sf --unix-socket "$SOCKET" http://lxd/1.0 | grep -o '"server_version":"[^"]*"')"
# Nothing else: the second daemon (scripts/lxd2-up.sh, listening on HTTPS) is started only by what
# needs it (the tests, examples/images-remote/prepare.sh), never by a plain example run.
