#!/usr/bin/env bash
# CPU profile of Rampart's edge worker under load: nginx static origin (core 1), Rampart --workers 1 pinned to
# core 0 with NODE_OPTIONS="--cpu-prof --cpu-prof-dir=DIR" (the worker writes its profile when it exits after the
# primary's SIGTERM), wrk -t1 -c50 on /1k (core 1), then bench/prof-summary.ts on the worker's profile.
# Env: DURATION (10s), ACCESS_LOG (default: Rampart's default file log; "off" to turn it off), OUT (profile dir,
#      default bench/profiles; the .cpuprofile files are not committed), TOP (25).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DURATION=${DURATION:-10s}
OUT=${OUT:-$BENCH_DIR/profiles}
TOP=${TOP:-25}
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

bench_init
machine_info
mkdir -p "$OUT"
PROF_DIR=$(mktemp -d "$OUT/run.XXXXXX")

ORIGIN_PORT=$(free_port)
start_origin_nginx "$TMP/origin" "$ORIGIN_PORT" 1

port=$(free_port); aport=$(free_port)
extra=()
[[ -n "${ACCESS_LOG:-}" ]] && extra=(--access-log "$ACCESS_LOG")
NODE_OPTIONS="--cpu-prof --cpu-prof-dir=$PROF_DIR" RAMPART_ADMIN_TOKEN=$TOKEN taskset -c 0 "$ROOT/rampart" start \
  --http "127.0.0.1:$port" --https off --admin "127.0.0.1:$aport" --data "$TMP/data" --dns off --workers 1 "${extra[@]}" >"$TMP/rampart.log" 2>&1 &
RPID=$!
PIDS+=("$RPID")
wait_http "http://127.0.0.1:$aport/readyz" "" 300
RAMPART_API="http://127.0.0.1:$aport" RAMPART_ADMIN_TOKEN=$TOKEN "$ROOT/rampart" zone add bench.test --origin "127.0.0.1:$ORIGIN_PORT" >/dev/null
# one client at full speed is what automatic mitigation is built to stop: off for the measurement
RAMPART_API="http://127.0.0.1:$aport" RAMPART_ADMIN_TOKEN=$TOKEN "$ROOT/rampart" zone set bench.test --auto-mitigation off >/dev/null
wait_http "http://127.0.0.1:$port/1k" bench.test
WORKER=$(pgrep -P "$RPID" | head -1)
echo "rampart primary $RPID, worker $WORKER; profiles in $PROF_DIR"

taskset -c 1 wrk -t1 -c50 -d2s -H 'Host: bench.test' "http://127.0.0.1:$port/1k" >/dev/null   # warm-up
taskset -c 1 wrk -t1 -c50 -d"$DURATION" --latency -H 'Host: bench.test' "http://127.0.0.1:$port/1k" | grep -E 'Requests/sec|requests in|99%'

# graceful stop: the primary tells the worker to shut down; both write their profile on exit
kill -TERM "$RPID"
for _ in $(seq 1 100); do kill -0 "$RPID" 2>/dev/null || break; sleep 0.2; done
prof=$(ls "$PROF_DIR"/CPU.*."$WORKER".*.cpuprofile 2>/dev/null | head -1 || true)
if [[ -z "$prof" ]]; then echo "no profile from worker $WORKER in $PROF_DIR" >&2; ls -la "$PROF_DIR" >&2; exit 1; fi
echo "worker profile: $prof"
echo
node "$BENCH_DIR/prof-summary.ts" "$prof" "$TOP"
