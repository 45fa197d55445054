#!/usr/bin/env bash
# A second LXD daemon on this machine, as an image server for tests of `remotes:`, reached over HTTPS:
# LXD_DIR=/var/lib/lxd2, listening on https://127.0.0.1:8444, a dir storage pool, and a PUBLIC
# busybox image with the alias "busybox", built offline from the host's busybox.
# Idempotent: starts nothing when the daemon answers, imports nothing when the alias exists.
# Needs lxd (scripts/lxd-up.sh installs it first); installs busybox-static and curl when missing.
set -euo pipefail
# lxc and lxd honour LXD_SOCKET before LXD_DIR: one set by the caller (the test runner sets it to the
# machine's daemon) would point every command below at that daemon instead of this one.
unset LXD_SOCKET

LXD2_DIR="${LXD2_DIR:-/var/lib/lxd2}"
LXD2_ADDRESS="${LXD2_ADDRESS:-127.0.0.1:8444}"
SOCKET="$LXD2_DIR/unix.socket"
LOG_DIR=/var/log/lxd

say() { printf 'lxd2-up: %s\n' "$*" >&2; }
lxc2() { LXD_DIR="$LXD2_DIR" lxc "$@"; }

answers() {
  [ -S "$SOCKET" ] && curl -sf --max-time 5 --unix-socket "$SOCKET" http://lxd/1.0 >/dev/null 2>&1
}

if [ ! -x /bin/busybox ] || ! command -v curl >/dev/null 2>&1; then
  say "installing busybox-static and curl from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q busybox-static curl >/dev/null
fi

if answers; then
  say "the second LXD already answers on $SOCKET"
else
  mkdir -p "$LXD2_DIR" "$LOG_DIR"
  say "starting a second lxd (LXD_DIR=$LXD2_DIR)"
  # From /: a daemon keeps the directory it was started in as its own, and a checkout deleted later
  # (a CI clone) breaks what it runs there (rsync of a migration: "getcwd(): No such file or directory").
  (cd / ; LXD_DIR="$LXD2_DIR" setsid nohup lxd --group root --logfile "$LOG_DIR/lxd2.log" >"$LOG_DIR/lxd2.out" 2>&1 < /dev/null &)
  LXD_DIR="$LXD2_DIR" lxd waitready --timeout=60
fi

if ! lxc2 storage show default >/dev/null 2>&1; then
  say "initialising: https on $LXD2_ADDRESS, storage pool 'default' (dir)"
  LXD_DIR="$LXD2_DIR" lxd init --preseed <<YAML
config:
  core.https_address: "$LXD2_ADDRESS"
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
elif [ "$(lxc2 config get core.https_address)" != "$LXD2_ADDRESS" ]; then
  lxc2 config set core.https_address "$LXD2_ADDRESS"
fi

if ! lxc2 image alias list --format csv | grep -q '^busybox,'; then
  say "building and importing the public busybox image"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  root="$work/rootfs"
  mkdir -p "$work/meta" "$root"/{bin,dev,etc,proc,root,run,sbin,sys,tmp,usr/bin,usr/sbin,var}
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list-full); do
    case "$applet" in linuxrc|sbin/init|bin/busybox) continue ;; esac
    [ -d "$root/$(dirname "$applet")" ] && ln -sf /bin/busybox "$root/$applet"
  done
  # Exits on SIGPWR (LXD's clean stop), as the test image's init does.
  cat > "$root/sbin/init" <<'INIT'
#!/bin/sh
trap 'exit 0' PWR TERM INT
while :; do
  sleep 3600 &
  wait $!
done
INIT
  chmod 755 "$root/sbin/init"
  printf 'lab\n' > "$root/etc/hostname"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\n' > "$root/etc/group"
  cat > "$work/meta/metadata.yaml" <<META
architecture: $(uname -m)
creation_date: 1704067200
properties:
  os: busybox
  description: busybox on the lab image server (scripts/lxd2-up.sh)
META
  tar -C "$work/meta" -czf "$work/meta.tar.gz" metadata.yaml
  tar -C "$root" --numeric-owner --owner=0 --group=0 -czf "$work/rootfs.tar.gz" .
  lxc2 image import "$work/meta.tar.gz" "$work/rootfs.tar.gz" --alias busybox --public >/dev/null
fi
say "ready: https://$LXD2_ADDRESS, certificate $LXD2_DIR/server.crt, image busybox $(lxc2 image list busybox --format csv -c f | head -1)"
