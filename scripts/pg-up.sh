#!/usr/bin/env bash
# A throwaway PostgreSQL cluster of lxplan's own, for the tests of the PostgreSQL state backend
# (docs/state.md): its own data directory (/var/lib/lxplan-test-pg), listening on 127.0.0.1:5439
# only, trust authentication for local TCP connections, started with pg_ctl (no systemd). It
# never touches a PostgreSQL of the machine's own (another port, another directory, its own socket
# directory), and installs Debian's `postgresql` only when initdb and pg_ctl are missing.
# Idempotent: starts nothing when the cluster answers. One role, lxplan_pw (password
# "lxplan-test-password"), must log in with its password, for the tests of a refused login. The tests read LXPLAN_TEST_PG
# (default postgres://postgres@127.0.0.1:5439/lxplan_test).
# Stop it with: su postgres -c "pg_ctl -D /var/lib/lxplan-test-pg stop"
set -euo pipefail

PGDATA_DIR="${LXPLAN_TEST_PGDATA:-/var/lib/lxplan-test-pg}"
PORT="${LXPLAN_TEST_PGPORT:-5439}"
DB=lxplan_test
LOG=/var/log/lxplan-test-pg.log

say() { printf 'pg-up: %s\n' "$*" >&2; }

pgbin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

if ! BIN="$(pgbin)"; then
  say "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends postgresql >/dev/null
  BIN="$(pgbin)"
fi

as_pg() { su postgres -s /bin/sh -c "$*"; }

answers() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" >/dev/null 2>&1; }

if answers; then
  say "PostgreSQL already answers on 127.0.0.1:$PORT"
else
  if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
    say "initialising a throwaway cluster in $PGDATA_DIR"
    mkdir -p "$PGDATA_DIR"
    chown postgres:postgres "$PGDATA_DIR"
    chmod 700 "$PGDATA_DIR"
    as_pg "'$BIN/initdb' -D '$PGDATA_DIR' -U postgres --auth=trust -E UTF8 >/dev/null"
  fi
  touch "$LOG" && chown postgres:postgres "$LOG"
  say "starting it on 127.0.0.1:$PORT"
  # Its socket in its own data directory, so it never meets the machine's /var/run/postgresql.
  as_pg "'$BIN/pg_ctl' -D '$PGDATA_DIR' -l '$LOG' -w -t 60 -o \"-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$PGDATA_DIR' -c max_connections=200\" start >/dev/null"
fi

if ! "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  say "creating database $DB"
  "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE $DB" >/dev/null
fi
HBA="$PGDATA_DIR/pg_hba.conf"
if ! grep -q '^host all lxplan_pw ' "$HBA"; then
  say "requiring a password of role lxplan_pw"
  { echo 'host all lxplan_pw 127.0.0.1/32 scram-sha-256'; cat "$HBA"; } > "$HBA.new"
  chown postgres:postgres "$HBA.new" && mv "$HBA.new" "$HBA"
  as_pg "'$BIN/pg_ctl' -D '$PGDATA_DIR' reload >/dev/null"
fi
"$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc \
  "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lxplan_pw') THEN CREATE ROLE lxplan_pw LOGIN PASSWORD 'lxplan-test-password'; END IF; END \$\$; GRANT CREATE ON DATABASE $DB TO lxplan_pw" >/dev/null
say "ready: postgres://postgres@127.0.0.1:$PORT/$DB"
