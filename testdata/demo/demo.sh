#!/usr/bin/env bash
# make demo: a real backup, list and restore against two of the project's
# Aerospike test servers. Usage: demo.sh BIN_DIR (holding aerobackup and
# aerospike-testserver, as `make build` leaves them). Needs only bash and
# the two binaries; exits non-zero on the first failure.
set -euo pipefail

bin=$(cd "${1:?usage: demo.sh BIN_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
records=${DEMO_RECORDS:-10000}
work=$(mktemp -d "${TMPDIR:-/tmp}/aerobackup-demo.XXXXXX")
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
run() { printf '$ %s\n' "$*" >&2; "$@"; }

# start_server NAME ARGS...: start a test server on a free port in the
# background (its output to a log file, so nothing waits on it), wait for its
# ready file and set $port.
start_server() {
  local name=$1; shift
  local ready="$work/$name.ready"
  "$bin/aerospike-testserver" -addr 127.0.0.1:0 -ready-file "$ready" "$@" >"$work/$name.log" 2>&1 </dev/null &
  local pid=$!
  pids+=("$pid")
  local i
  for i in $(seq 1 100); do
    if [ -s "$ready" ]; then
      port=$(cat "$ready")
      port=${port##*:}
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "demo: test server $name exited:" >&2
      cat "$work/$name.log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "demo: test server $name not ready after 10s" >&2
  return 1
}

say "Starting the source test server: namespace test with $records sample records"
start_server source -namespaces test -seed "$records"
src_port=$port
echo "source cluster on 127.0.0.1:$src_port (in-memory Aerospike wire-protocol server)" >&2

say "Starting an empty second server to restore into: namespace bar"
# It also serves an empty namespace test: the restore re-creates the backup's
# secondary index under its original namespace (the namespace map renames
# the records only, as of this writing).
start_server restored -namespaces bar,test
dst_port=$port
echo "restore target on 127.0.0.1:$dst_port" >&2

say "Writing an ABS-format config to $work/aerobackup.yml"
mkdir -p "$work/backups"
sed -e "s|@SOURCE_PORT@|$src_port|" -e "s|@RESTORED_PORT@|$dst_port|" \
  -e "s|@STORAGE@|$work/backups|" "$here/aerobackup.yml" >"$work/aerobackup.yml"
chmod 600 "$work/aerobackup.yml"
grep -v '^#' "$work/aerobackup.yml" >&2
export AEROBACKUP_CONFIG="$work/aerobackup.yml"

say "Full backup of routine nightly (namespace test, ZSTD)"
key=$(run "$bin/aerobackup" backup --routine nightly)
echo "backup key: $key" >&2

say "Files written (ABS layout; metadata.yaml last)"
(cd "$work/backups" && find . -type f | sort) >&2

say "The catalog"
run "$bin/aerobackup" list --routine nightly

say "Restoring $key into the second server, namespace test renamed to bar"
run "$bin/aerobackup" restore --backup "$key" --destination restored --namespace-map test=bar --quiet

say "Counting what arrived: backing up namespace bar of the restore target"
run "$bin/aerobackup" backup --routine check --quiet
json=$(run "$bin/aerobackup" list --routine check --json)
restored=$(printf '%s\n' "$json" | sed -n 's/.*"record-count": \([0-9]*\).*/\1/p' | head -1)
backed_up=$("$bin/aerobackup" list --routine nightly --json | sed -n 's/.*"record-count": \([0-9]*\).*/\1/p' | head -1)
echo "records backed up from test: $backed_up; records found in bar after restore: $restored" >&2
if [ "$backed_up" != "$records" ] || [ "$restored" != "$records" ]; then
  echo "demo: FAILED: expected $records records on both sides" >&2
  exit 1
fi

say "Demo finished: $records records backed up, listed and restored. Stopping the test servers."
