#!/usr/bin/env bash
# Rampart with 10,000 zones (YAML config file passed with --config) and --workers 1:
#  - start-up time (config file → SQLite → snapshot → worker ready and serving the last zone)
#  - RSS of the worker and of the primary (VmRSS, VmHWM from /proc/PID/status), against a 0-zone baseline
#  - full snapshot rebuild time in the worker: delta of rampart_snapshot_build_seconds_sum on /metrics per
#    publish (worker-side buildSnapshot only), and end to end: API zone add → the new zone is routed by the worker
#  - `rampart reload` of the unchanged 10,000-zone file (wall time of the CLI call)
#  - the primary's CPU while idle (active health checks: one per zone every 10 s by default)
# All zones point at one live static nginx origin. Env: ZONES (10000), REBUILDS (5), NODE_HEAP (unset: V8 default;
# e.g. 256 to start with NODE_OPTIONS=--max-old-space-size=256).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ZONES=${ZONES:-10000}
REBUILDS=${REBUILDS:-5}
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

bench_init
machine_info
ORIGIN_PORT=$(free_port)
start_origin_nginx "$TMP/origin" "$ORIGIN_PORT" 1

gen_config() { # gen_config FILE N
  awk -v n="$2" -v o="127.0.0.1:$ORIGIN_PORT" 'BEGIN {
    print (n > 0 ? "zones:" : "zones: []")
    for (i = 1; i <= n; i++) printf "  - name: z%05d.bench.test\n    origins: [\"%s\"]\n", i, o
  }' > "$1"
}
kib() { awk -v k="$1" '/^'"$1"':/ { print $2 }' "/proc/$2/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
metric_sum() { # metric_sum ADMINPORT NAME: the value of a Prometheus sample line
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'
}
now_ms() { date +%s%3N; }

start_with() { # start_with NAME ZONES → sets RPID WORKER PORT APORT START_MS
  local name=$1 n=$2 cfg="$TMP/$1.yaml" t0
  gen_config "$cfg" "$n"
  PORT=$(free_port); APORT=$(free_port)
  local env=(RAMPART_ADMIN_TOKEN="$TOKEN")
  [[ -n "${NODE_HEAP:-}" ]] && env+=(NODE_OPTIONS="--max-old-space-size=$NODE_HEAP")
  t0=$(now_ms)
  env "${env[@]}" taskset -c 0 "$ROOT/rampart" start --http "127.0.0.1:$PORT" --https off --admin "127.0.0.1:$APORT" \
    --data "$TMP/$name-data" --dns off --workers 1 --config "$cfg" >"$TMP/$name.log" 2>&1 &
  RPID=$!; PIDS+=("$RPID")
  wait_http "http://127.0.0.1:$APORT/readyz" "" 1200
  if (( n > 0 )); then wait_http "http://127.0.0.1:$PORT/1k" "$(printf 'z%05d.bench.test' "$n")" 600; fi
  START_MS=$(( $(now_ms) - t0 ))
  WORKER=$(pgrep -P "$RPID" | head -1)
}

# baseline: no zones
start_with base 0
sleep 2
B_W=$(kib VmRSS "$WORKER"); B_P=$(kib VmRSS "$RPID")
echo "0 zones: start ${START_MS} ms; worker RSS $(mib "$B_W") MiB, primary RSS $(mib "$B_P") MiB"
kill -TERM "$RPID"; for _ in $(seq 1 50); do kill -0 "$RPID" 2>/dev/null || break; sleep 0.2; done

start_with big "$ZONES"
echo "$ZONES zones: start ${START_MS} ms (config file → store → snapshot → worker serving the last zone)"
sleep 3
W_RSS=$(kib VmRSS "$WORKER"); P_RSS=$(kib VmRSS "$RPID")
echo "after start: worker RSS $(mib "$W_RSS") MiB (HWM $(mib "$(kib VmHWM "$WORKER")")), primary RSS $(mib "$P_RSS") MiB (HWM $(mib "$(kib VmHWM "$RPID")"))"

# rebuilds: each API zone add publishes a new version with all zones; the worker rebuilds the whole snapshot
API="http://127.0.0.1:$APORT/client/v4"
builds=(); e2e=()
for ((i = 1; i <= REBUILDS; i++)); do
  s0=$(metric_sum "$APORT" rampart_snapshot_build_seconds_sum); c0=$(metric_sum "$APORT" rampart_snapshot_build_seconds_count)
  host="extra$i.bench.test"
  t0=$(now_ms)
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"name\":\"$host\",\"origins\":[\"127.0.0.1:$ORIGIN_PORT\"]}" "$API/zones"
  for _ in $(seq 1 500); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Host: $host" "http://127.0.0.1:$PORT/1k") == 200 ]] && break
    sleep 0.01
  done
  t1=$(now_ms)
  for _ in $(seq 1 100); do
    c1=$(metric_sum "$APORT" rampart_snapshot_build_seconds_count)
    awk -v a="$c1" -v b="$c0" 'BEGIN { exit !(a > b) }' && break
    sleep 0.05
  done
  s1=$(metric_sum "$APORT" rampart_snapshot_build_seconds_sum)
  b=$(awk -v a="$s1" -v b="$s0" -v n="$c1" -v m="$c0" 'BEGIN { printf "%.1f", (a - b) * 1000 / ((n - m) > 0 ? (n - m) : 1) }')
  builds+=("$b"); e2e+=("$((t1 - t0))")
  echo "  rebuild $i: worker buildSnapshot ${b} ms (builds: $(awk -v n="$c1" -v m="$c0" 'BEGIN { print n - m }')), API add → served $((t1 - t0)) ms"
done
echo "worker buildSnapshot with $((ZONES + 1))+ zones: median $(median "${builds[@]}") ms; API change → served by the worker: median $(median "${e2e[@]}") ms"
sleep 2
W_RSS2=$(kib VmRSS "$WORKER"); P_RSS2=$(kib VmRSS "$RPID")
echo "after $REBUILDS rebuilds: worker RSS $(mib "$W_RSS2") MiB (HWM $(mib "$(kib VmHWM "$WORKER")")), primary RSS $(mib "$P_RSS2") MiB (HWM $(mib "$(kib VmHWM "$RPID")"))"

t0=$(now_ms)
RAMPART_API="http://127.0.0.1:$APORT" RAMPART_ADMIN_TOKEN=$TOKEN "$ROOT/rampart" reload --json > "$TMP/reload.json" 2>&1 || true
echo "rampart reload (unchanged $ZONES-zone file): $(( $(now_ms) - t0 )) ms wall incl. CLI start-up; answer: $(tr -d '\n ' < "$TMP/reload.json" | head -c 300)"
# one zone changed in the file: diff + store + publish + rebuild in the worker
sed -i '0,/origins: \["\(.*\)"\]/s//origins: [{ address: "\1", weight: 2 }]/' "$TMP/big.yaml"
c0=$(metric_sum "$APORT" rampart_snapshot_build_seconds_count)
t0=$(now_ms)
RAMPART_API="http://127.0.0.1:$APORT" RAMPART_ADMIN_TOKEN=$TOKEN "$ROOT/rampart" reload --json > "$TMP/reload2.json" 2>&1 || true
t1=$(now_ms)
for _ in $(seq 1 200); do c1=$(metric_sum "$APORT" rampart_snapshot_build_seconds_count); awk -v a="$c1" -v b="$c0" 'BEGIN { exit !(a > b) }' && break; sleep 0.02; done
echo "rampart reload (1 of $ZONES zones changed): $((t1 - t0)) ms for the CLI call, $(( $(now_ms) - t0 )) ms until the worker's build counter moved; answer: $(tr -d '\n ' < "$TMP/reload2.json" | head -c 300)"

c0=$(cpu_ticks "$RPID"); w0=$(cpu_ticks "$WORKER"); sleep 10; c1=$(cpu_ticks "$RPID"); w1=$(cpu_ticks "$WORKER")
hz=$(getconf CLK_TCK)
echo "idle 10 s: primary CPU $(awk -v d=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.0f", d * 100 / hz / 10 }')% of a core, worker $(awk -v d=$((w1 - w0)) -v hz="$hz" 'BEGIN { printf "%.0f", d * 100 / hz / 10 }')%"
echo
echo "| zones | worker RSS MiB | primary RSS MiB | worker buildSnapshot ms (median) | API change → served ms (median) | start-up ms |"
echo "|---|---|---|---|---|---|"
echo "| 0 | $(mib "$B_W") | $(mib "$B_P") | | | |"
echo "| $ZONES | $(mib "$W_RSS2") | $(mib "$P_RSS2") | $(median "${builds[@]}") | $(median "${e2e[@]}") | $START_MS |"
echo "per zone (worker): $(awk -v a="$W_RSS2" -v b="$B_W" -v n="$ZONES" 'BEGIN { printf "%.1f", (a - b) * 1024 / n }') bytes of RSS"
