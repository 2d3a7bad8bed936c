#!/usr/bin/env bash
# Starts and stops the storage emulators the cloud-store tests use:
# MinIO (S3), fake-gcs-server (GCS) and Azurite (Azure Blob), all on
# 127.0.0.1 with fresh data directories.
#
#   eval "$(.ci/emulators.sh start)"   # install if needed, start, print exports
#   .ci/emulators.sh env               # print the exports again
#   .ci/emulators.sh stop              # stop what start started (by pid)
#
# Binaries are cached in ${AEROBACKUP_CACHE:-$HOME/.cache/aerobackup}/bin and
# Azurite in that cache's node prefix, so a second start installs nothing.
# Only `export` lines go to stdout; progress and errors go to stderr, and the
# emulators' own output to log files next to their data.
#
# Versions: MINIO_VERSION, FAKE_GCS_VERSION (Go module versions, default
# latest) and AZURITE_VERSION (npm, default 3.35) may be overridden. Ports are
# picked free at start unless AEROBACKUP_MINIO_PORT, AEROBACKUP_GCS_PORT or
# AEROBACKUP_AZURITE_PORT are set. Last verified with MinIO
# v0.0.0-20260212201848-7aac2a2c5b7c (If-None-Match creates work),
# fake-gcs-server v1.56.1 and Azurite 3.35.0 on Go 1.26 and Node 20.
set -euo pipefail

CACHE="${AEROBACKUP_CACHE:-$HOME/.cache/aerobackup}"
BIN="$CACHE/bin"
NODE_PREFIX="$CACHE/node"
STATE="${AEROBACKUP_EMULATORS_STATE:-$CACHE/emulators}"
PIDS="$STATE/pids"
ENVFILE="$STATE/env"

MINIO_VERSION="${MINIO_VERSION:-latest}"
FAKE_GCS_VERSION="${FAKE_GCS_VERSION:-latest}"
AZURITE_VERSION="${AZURITE_VERSION:-3.35}"

# Test credentials for local emulators only. The Azure key is Azurite's
# published development-account key.
MINIO_USER="aerobackup"
MINIO_PASSWORD="aerobackup-secret"
AZURE_ACCOUNT="devstoreaccount1"
AZURE_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

log() { printf 'emulators: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required but not on PATH"; }

install_go_tool() { # name module version
	local name=$1 module=$2 version=$3
	if [[ -x "$BIN/$name" ]]; then
		return
	fi
	need go
	log "installing $module@$version into $BIN (MinIO takes several minutes)"
	mkdir -p "$BIN"
	GOBIN="$BIN" GOFLAGS=-mod=mod go install "$module@$version" >&2 ||
		die "go install $module@$version failed"
}

install_azurite() {
	if [[ -x "$NODE_PREFIX/node_modules/.bin/azurite-blob" ]]; then
		return
	fi
	need npm
	need node
	log "installing azurite@$AZURITE_VERSION into $NODE_PREFIX"
	mkdir -p "$NODE_PREFIX"
	npm install --prefix "$NODE_PREFIX" --no-audit --no-fund "azurite@$AZURITE_VERSION" >&2 ||
		die "npm install azurite@$AZURITE_VERSION failed"
}

# free_port prints a TCP port nobody listens on right now.
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# answers URL succeeds once something serves HTTP at URL (any status).
answers() {
	if command -v curl >/dev/null 2>&1; then
		curl -s -o /dev/null --max-time 2 "$1"
	else
		node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(()=>process.exit(0),()=>process.exit(1))' "$1"
	fi
}

wait_for() { # name pid url log
	local name=$1 pid=$2 url=$3 logfile=$4 i
	for ((i = 0; i < 120; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			log "$name exited during start-up; last lines of $logfile:"
			tail -n 20 "$logfile" >&2 || true
			return 1
		fi
		if answers "$url"; then
			log "$name is up at $url (pid $pid)"
			return 0
		fi
		sleep 0.5
	done
	log "$name did not answer at $url within 60s; see $logfile"
	return 1
}

# still_ours PID NAME succeeds if PID is alive and still runs NAME, so a
# recycled pid is never killed.
still_ours() {
	local pid=$1 name=$2
	kill -0 "$pid" 2>/dev/null || return 1
	[[ -r /proc/$pid/cmdline ]] || return 0
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$name"
}

stop() {
	[[ -f "$PIDS" ]] || { log "nothing to stop"; return 0; }
	local name pid datadir="" i
	while read -r name pid; do
		if [[ $name == data ]]; then
			datadir=$pid
			continue
		fi
		if still_ours "$pid" "$name"; then
			kill "$pid" 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do
				still_ours "$pid" "$name" || break
				sleep 0.2
			done
			if still_ours "$pid" "$name"; then
				kill -9 "$pid" 2>/dev/null || true
			fi
			log "stopped $name (pid $pid)"
		fi
	done <"$PIDS"
	rm -f "$PIDS" "$ENVFILE"
	if [[ -n $datadir && -d $datadir && $datadir == */aerobackup-emulators.* ]]; then
		rm -rf "$datadir"
	fi
}

start() {
	need node
	install_go_tool minio github.com/minio/minio "$MINIO_VERSION"
	install_go_tool fake-gcs-server github.com/fsouza/fake-gcs-server "$FAKE_GCS_VERSION"
	install_azurite

	# A second start replaces the first one's emulators and data.
	stop >/dev/null 2>&1 || true
	mkdir -p "$STATE"
	local data
	data=$(mktemp -d "${TMPDIR:-/tmp}/aerobackup-emulators.XXXXXX")
	mkdir -p "$data/minio" "$data/gcs" "$data/azurite"
	printf 'data %s\n' "$data" >"$PIDS"

	local s3port gcsport azport pid
	s3port=${AEROBACKUP_MINIO_PORT:-$(free_port)}
	gcsport=${AEROBACKUP_GCS_PORT:-$(free_port)}
	azport=${AEROBACKUP_AZURITE_PORT:-$(free_port)}

	MINIO_ROOT_USER=$MINIO_USER MINIO_ROOT_PASSWORD=$MINIO_PASSWORD MINIO_BROWSER=off \
		MINIO_UPDATE=off \
		nohup "$BIN/minio" server --quiet --address "127.0.0.1:$s3port" \
		--console-address "127.0.0.1:$(free_port)" "$data/minio" \
		</dev/null >"$data/minio.log" 2>&1 &
	pid=$!
	printf 'minio %s\n' "$pid" >>"$PIDS"
	wait_for minio "$pid" "http://127.0.0.1:$s3port/minio/health/live" "$data/minio.log" || { stop; exit 1; }

	# -public-host and -external-url must name the address clients use, or
	# downloads and resumable uploads go elsewhere.
	nohup "$BIN/fake-gcs-server" -scheme http -host 127.0.0.1 -port "$gcsport" \
		-public-host "127.0.0.1:$gcsport" -external-url "http://127.0.0.1:$gcsport" \
		-backend filesystem -filesystem-root "$data/gcs" -log-level warn \
		</dev/null >"$data/fake-gcs-server.log" 2>&1 &
	pid=$!
	printf 'fake-gcs-server %s\n' "$pid" >>"$PIDS"
	wait_for fake-gcs-server "$pid" "http://127.0.0.1:$gcsport/storage/v1/b" "$data/fake-gcs-server.log" || { stop; exit 1; }

	nohup node "$NODE_PREFIX/node_modules/azurite/dist/src/blob/main.js" \
		--blobHost 127.0.0.1 --blobPort "$azport" --location "$data/azurite" \
		--skipApiVersionCheck --loose --silent \
		</dev/null >"$data/azurite.log" 2>&1 &
	pid=$!
	printf 'azurite %s\n' "$pid" >>"$PIDS"
	wait_for azurite "$pid" "http://127.0.0.1:$azport/$AZURE_ACCOUNT?comp=list" "$data/azurite.log" || { stop; exit 1; }

	cat >"$ENVFILE" <<ENV
export AEROBACKUP_TEST_S3_ENDPOINT=http://127.0.0.1:$s3port
export AEROBACKUP_TEST_S3_REGION=us-east-1
export AEROBACKUP_TEST_S3_ACCESS_KEY_ID=$MINIO_USER
export AEROBACKUP_TEST_S3_SECRET_ACCESS_KEY=$MINIO_PASSWORD
export AEROBACKUP_TEST_GCS_ENDPOINT=http://127.0.0.1:$gcsport/storage/v1/
export AEROBACKUP_TEST_AZURE_ENDPOINT=http://127.0.0.1:$azport/$AZURE_ACCOUNT
export AEROBACKUP_TEST_AZURE_ACCOUNT_NAME=$AZURE_ACCOUNT
export AEROBACKUP_TEST_AZURE_ACCOUNT_KEY=$AZURE_KEY
ENV
	log "data and logs in $data; stop with: $0 stop"
	cat "$ENVFILE"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
env) [[ -f "$ENVFILE" ]] && cat "$ENVFILE" || die "not started" ;;
*)
	echo "usage: $0 start|stop|env" >&2
	exit 2
	;;
esac
