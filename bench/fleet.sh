#!/usr/bin/env bash
# Fleet benchmark of issue 11.
# 1. Throughput with rate-limit counters in Redis against counters in memory: one Rampart node, edge in one
#    process (--workers 0) pinned to core 0, a zone whose every request goes through a rate-limit rule (limit 1e9/min: counted, never blocked),
#    origin nginx (core 1) answering /1k; wrk -t1 -c50 -d10s (core 1), three interleaved rounds, median.
#    Goal: redis/memory >= 0.8.
# 2. Propagation of a configuration change across the fleet: a control plane and two edge nodes on PostgreSQL
#    (LISTEN/NOTIFY) and Redis, all on loopback; 50 firewall-rule additions, each timed from just before the API
#    call until both edges answer 403 (bench/fleet-propagation.ts). Goal: p99 <= 1 s.
# Env: DURATION (10s), REPEATS (3), CHANGES (50).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DURATION=${DURATION:-10s}
REPEATS=${REPEATS:-3}
CHANGES=${CHANGES:-50}
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
bench_init
machine_info
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | tail -1)

ORIGIN_PORT=$(free_port)
start_origin_nginx "$TMP/origin" "$ORIGIN_PORT" 1

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$TMP/redis.log" 2>&1 &
PIDS+=($!)
PG_PORT=$(free_port)
mkdir -p "$TMP/pg" "$TMP/pgsock" && chown nobody "$TMP/pg" "$TMP/pgsock"
setpriv --reuid=65534 --regid=65534 --clear-groups "$PGBIN/initdb" -D "$TMP/pg/data" -U rampart --auth=trust >/dev/null
setpriv --reuid=65534 --regid=65534 --clear-groups "$PGBIN/postgres" -D "$TMP/pg/data" -p "$PG_PORT" -k "$TMP/pgsock" -c listen_addresses=127.0.0.1 >"$TMP/pg.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 100); do "$PGBIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1 && break; sleep 0.1; done
REDIS="redis://127.0.0.1:$REDIS_PORT"
PG="postgres://rampart@127.0.0.1:$PG_PORT/postgres"

declare -A PORT
# start_node NAME [start args...]: one node with an admin listener; records PORT[NAME] (http) and APORT_NAME
start_node() {
  local name=$1; shift
  local port aport
  port=$(free_port); aport=$(free_port)
  RAMPART_ADMIN_TOKEN=$TOKEN taskset -c 0 "$ROOT/rampart" start --http "127.0.0.1:$port" --https off --admin "127.0.0.1:$aport" \
    --data "$TMP/$name-data" --dns off --workers 1 --access-log off "$@" >"$TMP/$name.log" 2>&1 &
  PIDS+=($!)
  PORT[$name]=$port
  eval "APORT_${name//-/_}=$aport"
  wait_http "http://127.0.0.1:$aport/readyz" "" 300
}
api() { local aport=$1; shift; RAMPART_API="http://127.0.0.1:$aport" RAMPART_ADMIN_TOKEN=$TOKEN "$ROOT/rampart" "$@"; }

echo "== 1. rate-limit counters: memory vs Redis (wrk -t1 -c50 -d$DURATION, median of $REPEATS)"
# --workers 0: the edge in one process, so "memory" really is in-process counters (with worker processes the
# one-node default is state.db, shared by the workers and the control plane)
start_node mem --workers 0
start_node redis --workers 0 --redis "$REDIS"
for n in mem redis; do
  eval "a=\$APORT_$n"
  api "$a" zone add bench.test --origin "127.0.0.1:$ORIGIN_PORT" >/dev/null
  api "$a" zone set bench.test --auto-mitigation off >/dev/null   # one client at full speed is what it stops
  api "$a" ratelimit add bench.test 'http.request.uri.path ne ""' --characteristics ip.src --period 60 --requests 1000000000 --action block --timeout 60 >/dev/null
  wait_http "http://127.0.0.1:${PORT[$n]}/1k" bench.test
done
declare -A RPS P99
for r in $(seq "$REPEATS"); do
  for n in mem redis; do
    taskset -c 1 wrk -t1 -c50 -d"$DURATION" --latency -H 'Host: bench.test' "http://127.0.0.1:${PORT[$n]}/1k?r=$r" >"$TMP/wrk-$n-$r.txt"
    read -r rps p99 _ err < <(parse_wrk "$TMP/wrk-$n-$r.txt")
    (( err == 0 )) || echo "  warning: $n round $r had $err errors/non-2xx"
    RPS[$n]="${RPS[$n]:-} $rps"; P99[$n]="${P99[$n]:-} $p99"
  done
done
m_mem=$(median ${RPS[mem]}); m_redis=$(median ${RPS[redis]})
printf '  %-8s %10s req/s  p99 %s ms   (runs:%s)\n' memory "$m_mem" "$(median ${P99[mem]})" "${RPS[mem]}"
printf '  %-8s %10s req/s  p99 %s ms   (runs:%s)\n' redis "$m_redis" "$(median ${P99[redis]})" "${RPS[redis]}"
awk -v a="$m_redis" -v b="$m_mem" 'BEGIN { printf "  redis/memory = %.2f (goal >= 0.80)\n", a / b }'
redis_keys=$(redis-cli -p "$REDIS_PORT" dbsize)
echo "  (redis holds $redis_keys keys: the counters were there)"

echo "== 2. propagation of a config change: control + 2 edges on PostgreSQL LISTEN/NOTIFY ($CHANGES changes)"
start_node ctl --role control --postgres "$PG" --redis "$REDIS"
start_node e1 --role edge --postgres "$PG" --redis "$REDIS"
start_node e2 --role edge --postgres "$PG" --redis "$REDIS"
ZONE=$(api "$APORT_ctl" zone add bench.test --origin "127.0.0.1:$ORIGIN_PORT" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.result?.id??j.id)})')
wait_http "http://127.0.0.1:${PORT[e1]}/1k" bench.test
wait_http "http://127.0.0.1:${PORT[e2]}/1k" bench.test
node --disable-warning=ExperimentalWarning "$BENCH_DIR/fleet-propagation.ts" "http://127.0.0.1:$APORT_ctl" "$TOKEN" "$ZONE" \
  "http://127.0.0.1:${PORT[e1]}" "http://127.0.0.1:${PORT[e2]}" --changes "$CHANGES"
