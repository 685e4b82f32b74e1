#!/usr/bin/env bash
# Reproduces the cache-coalescing stall found by proxy.sh: Rampart (--workers 1, default zone settings: cache on)
# in front of an origin that answers Cache-Control: no-store; wrk -c50 stops with requests in flight; afterwards
# every request to that URL waits ~10 s (the cache phase's coalesceTimeoutMs) before it is proxied.
# Repeats "wrk -c50 -d3s, then one timed curl" (Rampart pinned to core 0, wrk to core 1, as in proxy.sh) until a request takes > 5 s (stalled) or 8 tries passed; then times one
# more request to that URL and one to a fresh URL (another query string: another cache key).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
bench_init
ORIGIN_PORT=$(free_port)
start_origin_nginx "$TMP/origin" "$ORIGIN_PORT" 1
port=$(free_port); aport=$(free_port)
RAMPART_ADMIN_TOKEN=$TOKEN taskset -c 0 "$ROOT/rampart" start --http "127.0.0.1:$port" --https off --admin "127.0.0.1:$aport" \
  --data "$TMP/data" --dns off --workers 1 >"$TMP/rampart.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$aport/readyz" "" 300
RAMPART_API="http://127.0.0.1:$aport" RAMPART_ADMIN_TOKEN=$TOKEN "$ROOT/rampart" zone add bench.test --origin "127.0.0.1:$ORIGIN_PORT" >/dev/null
# one client at full speed is what automatic mitigation is built to stop: off for the measurement
RAMPART_API="http://127.0.0.1:$aport" RAMPART_ADMIN_TOKEN=$TOKEN "$ROOT/rampart" zone set bench.test --auto-mitigation off >/dev/null
wait_http "http://127.0.0.1:$port/1k" bench.test
timed() { curl -s -o /dev/null -m 15 -w "  $1: %{http_code} in %{time_total}s\n" -H 'Host: bench.test' "http://127.0.0.1:$port$1"; }
echo "before load:"; timed /1k
# wrk stops with 50 requests in flight; repeat until a request to /1k takes over 5 s (or give up after 8 tries)
for try in 1 2 3 4 5 6 7 8; do
  taskset -c 1 wrk -t1 -c50 -d3s -H 'Host: bench.test' "http://127.0.0.1:$port/1k" >/dev/null
  t=$(curl -s -o /dev/null -m 15 -w '%{time_total}' -H 'Host: bench.test' "http://127.0.0.1:$port/1k")
  echo "  after wrk stop #$try: GET /1k took ${t}s"
  if awk -v t="$t" 'BEGIN { exit !(t > 5) }'; then
    echo "STALLED: requests to /1k now wait for the 10 s coalescing timeout"
    timed /1k; timed "/1k?fresh=1"
    exit 0
  fi
done
echo "no stall in 8 tries"
