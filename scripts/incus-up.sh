#!/usr/bin/env bash
# Make sure a local Incus daemon is installed, running and initialised, beside LXD.
# Idempotent: does nothing when a daemon already answers on its unix socket.
# Installs Incus 6.0 from Debian's bookworm-backports when it is missing (needs root and apt):
# the backports source is made from this machine's own main Debian entry (same URIs), so no
# host name is written here.
set -euo pipefail

INCUS_DIR="${INCUS_DIR:-/var/lib/incus}"
SOCKET="${INCUS_SOCKET:-$INCUS_DIR/unix.socket}"
LOG_DIR=/var/log/incus

say() { printf 'incus-up: %s\n' "$*" >&2; }

answers() {
  [ -S "$SOCKET" ] && curl -sf --max-time 5 --unix-socket "$SOCKET" http://incus/1.0 >/dev/null 2>&1
}

backports_source() {
  # The first stanza of debian.sources is the main archive; copy its Types/URIs/Components/Signed-By.
  local src=/etc/apt/sources.list.d/debian.sources out=/etc/apt/sources.list.d/lxplan-backports.sources
  [ -f "$out" ] && return 0
  if [ -f "$src" ]; then
    awk 'BEGIN{RS=""; FS="\n"} NR==1 { for (i=1;i<=NF;i++) { if ($i ~ /^Suites:/) print "Suites: bookworm-backports"; else if ($i !~ /^#/) print $i } }' "$src" > "$out"
    grep -q '^Suites: bookworm-backports' "$out" || { rm -f "$out"; say "cannot make a backports source from $src"; exit 1; }
  elif [ -f /etc/apt/sources.list ]; then
    local line; line="$(grep -m1 -E '^deb [^ ]+ bookworm main' /etc/apt/sources.list || true)"
    [ -n "$line" ] || { say "no Debian bookworm entry in /etc/apt/sources.list to make a backports source from"; exit 1; }
    echo "${line/ bookworm / bookworm-backports }" > /etc/apt/sources.list.d/lxplan-backports.list
  else
    say "no apt sources found"; exit 1
  fi
}

if answers; then
  say "Incus already answers on $SOCKET"
else
  if ! command -v incus >/dev/null 2>&1 || [ ! -x /usr/libexec/incus/incusd ]; then
    say "installing incus from Debian's bookworm-backports"
    export DEBIAN_FRONTEND=noninteractive
    backports_source
    apt-get update -q >/dev/null
    apt-get install -y -q -t bookworm-backports incus >/dev/null
  fi
  mkdir -p "$INCUS_DIR" "$LOG_DIR"
  say "starting incusd (INCUS_DIR=$INCUS_DIR)"
  # No systemd on these machines: run the daemon detached from this shell.
  # From /: a daemon keeps the directory it was started in as its own, and a checkout deleted later
  # (a CI clone) breaks what it runs there (rsync of a migration: "getcwd(): No such file or directory").
  (cd / ; INCUS_DIR="$INCUS_DIR" setsid nohup /usr/libexec/incus/incusd --group root --logfile "$LOG_DIR/incusd.log" >"$LOG_DIR/incusd.out" 2>&1 < /dev/null &)
  INCUS_DIR="$INCUS_DIR" incus admin waitready --timeout=60
fi

# First-time setup: a dir storage pool named default and a default profile with a root disk.
if ! INCUS_DIR="$INCUS_DIR" incus storage show default >/dev/null 2>&1; then
  say "initialising: storage pool 'default' (dir), root disk in the default profile"
  INCUS_DIR="$INCUS_DIR" incus admin init --preseed <<'YAML'
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
say "ready: $(curl -sf --unix-socket "$SOCKET" http://incus/1.0 | grep -o '"server_version":"[^"]*"')"
