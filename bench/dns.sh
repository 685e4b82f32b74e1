#!/usr/bin/env bash
# DNS benchmark of issue 8: Knot (Debian's knotd, 1 UDP worker) and Rampart's authoritative DNS serving the same zone
# file (1,000 names plus MX/TXT), each pinned to core 0; dnsperf (core 1) for DURATION with a query mix of 80%
# existing A names, 15% NXDOMAIN, 5% TXT/MX; three interleaved rounds, median. Prints qps, average latency, loss,
# and Rampart's ratio to Knot. Goal: >= 0.7x Knot's qps. Rampart runs with RAMPART_DNS_RRL_RPS=off (response rate
# limiting would rightly throttle one client asking 100k qps; Knot's RRL is off by default).
# Env: DURATION (10), REPEATS (3), CLIENTS (10).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DURATION=${DURATION:-10}
REPEATS=${REPEATS:-3}
CLIENTS=${CLIENTS:-10}
command -v dnsperf >/dev/null || { echo "dnsperf is not installed (apt-get install -y dnsperf)"; exit 1; }
command -v knotd >/dev/null || [[ -x /usr/sbin/knotd ]] || { echo "knotd is not installed (apt-get install -y knot)"; exit 1; }
bench_init
machine_info

# the zone: 1,000 A names, MX, TXT
{
  echo '$ORIGIN bench.test.'
  echo '@ 300 IN SOA ns1.bench.test. admin.bench.test. 1 3600 900 604800 300'
  echo '@ 300 IN NS ns1.bench.test.'
  echo 'ns1 300 IN A 192.0.2.53'
  echo '@ 300 IN MX 10 mail.bench.test.'
  echo '@ 300 IN TXT "v=spf1 -all"'
  echo 'mail 300 IN A 192.0.2.25'
  for i in $(seq 0 999); do echo "host$i 300 IN A 192.0.2.$((i % 250 + 1))"; done
} >"$TMP/bench.test.zone"
# the query mix
{
  for i in $(seq 0 799); do echo "host$((i * 7 % 1000)).bench.test A"; done
  for i in $(seq 0 149); do echo "nothere$i.bench.test A"; done
  for i in $(seq 0 24); do echo "bench.test TXT"; echo "bench.test MX"; done
} | shuf --random-source=<(yes) >"$TMP/queries.txt"

KPORT=$(free_port)
mkdir -p "$TMP/knot"
cat >"$TMP/knot/knot.conf" <<EOC
server:
    rundir: "$TMP/knot"
    listen: 127.0.0.1@$KPORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/knot"
log:
  - target: stderr
    any: error
zone:
  - domain: bench.test
    file: "$TMP/bench.test.zone"
    zonefile-load: whole
    journal-content: none
EOC
taskset -c 0 /usr/sbin/knotd -c "$TMP/knot/knot.conf" 2>"$TMP/knot.log" &
PIDS+=($!)

RPORT=$(free_port); AP=$(free_port); HP=$(free_port)
TOKEN="dns-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
RAMPART_DNS_RRL_RPS=off RAMPART_ADMIN_TOKEN=$TOKEN taskset -c 0 "$ROOT/rampart" start --http "127.0.0.1:$HP" --https off --admin "127.0.0.1:$AP" \
  --dns "127.0.0.1:$RPORT" --data "$TMP/rampart" --workers 1 --access-log off >"$TMP/rampart.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$AP/readyz" "" 300
export RAMPART_API="http://127.0.0.1:$AP" RAMPART_ADMIN_TOKEN=$TOKEN
"$ROOT/rampart" zone add bench.test --origin 127.0.0.1:9 >/dev/null
"$ROOT/rampart" dns import bench.test "$TMP/bench.test.zone" --replace >/dev/null
for p in $KPORT $RPORT; do
  for _ in $(seq 100); do [[ $(dig +short +time=1 +tries=1 -p "$p" @127.0.0.1 host999.bench.test A) == 192.0.2.250 ]] && break; sleep 0.1; done
done

declare -A QPS LAT LOST
for r in $(seq "$REPEATS"); do
  for name in knot rampart; do
    port=$KPORT; [[ $name == rampart ]] && port=$RPORT
    taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$TMP/queries.txt" -l "$DURATION" -c "$CLIENTS" -T 1 -q 200 >"$TMP/perf-$name-$r.txt" 2>&1 || true
    q=$(awk '/Queries per second:/ {print $4}' "$TMP/perf-$name-$r.txt")
    l=$(awk '/Average Latency/ {print $4 * 1000}' "$TMP/perf-$name-$r.txt")
    lost=$(awk '/Queries lost:/ {print $3}' "$TMP/perf-$name-$r.txt")
    QPS[$name]="${QPS[$name]:-} ${q:-0}"; LAT[$name]="${LAT[$name]:-} ${l:-0}"; LOST[$name]="${LOST[$name]:-} ${lost:-0}"
  done
done
for name in knot rampart; do
  printf '  %-8s %10s qps  avg latency %s ms  lost%s  (runs:%s)\n' "$name" "$(median ${QPS[$name]})" "$(median ${LAT[$name]})" "${LOST[$name]}" "${QPS[$name]}"
done
awk -v a="$(median ${QPS[rampart]})" -v b="$(median ${QPS[knot]})" 'BEGIN { printf "  rampart/knot = %.2f (goal >= 0.70)\n", a / b }'
