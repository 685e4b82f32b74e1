#!/usr/bin/env bash
# Cache benchmark of issue 7: cache HITs of a 1 KiB and a 100 KiB object through three caches pinned to core 0, in
# front of a static nginx origin (core 1, Cache-Control: max-age=3600 on /c/1k and /c/100k):
#   rampart  Rampart --workers 1, access log off (its default file log costs ~12 % more CPU, see RESULTS.md), zone
#            defaults except automatic DDoS mitigation off (it would challenge wrk's flood from 127.0.0.0/24)
#   varnish  varnishd -F, 1 thread pool, -s malloc,256m (Debian's varnish; installed with apt-get when missing)
#   nginx    nginx proxy_cache, 1 worker, access log off, proxy_cache_lock on
# wrk -t1 -c50 -d10s --latency (core 1), REPEATS rounds interleaved across the caches, median; req/s, p99 and
# Rampart's ratios to each (goals: >= 0.7x Varnish and >= 0.4x nginx req/s on hits, p99 <= 2x Varnish's).
# Then: memory per cached object (bench/cache-memory.ts: the memory tier's heap + buffer growth per 1 KiB object),
# and the coalescing check (bench/cache-coalesce.ts: 1,000 concurrent misses for one key -> exactly 1 origin request).
# Env: DURATION (10s), REPEATS (3), WARMUP (2s), CACHES ("rampart varnish nginx"), PATHS ("/c/1k /c/100k"),
#      CONNS (50), NICE (0), COALESCE_N (1000), MEMOBJ (50000 objects for the memory figure; 0 = skip).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DURATION=${DURATION:-10s}
REPEATS=${REPEATS:-3}
WARMUP=${WARMUP:-2s}
CACHES=${CACHES:-"rampart varnish nginx"}
PATHS=${PATHS:-"/c/1k /c/100k"}
CONNS=${CONNS:-50}
NICE=${NICE:-0}
COALESCE_N=${COALESCE_N:-1000}
MEMOBJ=${MEMOBJ:-50000}
CORE=0
LOAD_CORE=1
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

if [[ " $CACHES " == *" varnish "* ]] && ! command -v varnishd >/dev/null; then
  echo "installing varnish (apt-get)"; apt-get install -y --no-install-recommends varnish >/dev/null
fi

bench_init
machine_info
echo "varnish: $(varnishd -V 2>&1 | head -1)"
echo "tmp: $TMP"

ORIGIN_PORT=$(free_port)
NICE=$NICE start_origin_nginx "$TMP/origin" "$ORIGIN_PORT" "$LOAD_CORE"
echo "origin nginx on 127.0.0.1:$ORIGIN_PORT (core $LOAD_CORE)"

declare -A PORT ROOTPID
ADMIN_URL=""

start_rampart() {
  local port sport aport
  port=$(free_port); sport=$(free_port); aport=$(free_port)
  # the coalescing check opens COALESCE_N connections from one IP: raise the per-IP admission limits
  cat > "$TMP/rampart.yaml" <<EOF
server:
  limits:
    max_connections_per_ip: $((COALESCE_N + 100))
    new_connections_per_ip_per_second: 100000
    new_connections_per_ip_burst: $((COALESCE_N + 100))
EOF
  RAMPART_ADMIN_TOKEN=$TOKEN nice -n "$NICE" taskset -c "$CORE" "$ROOT/rampart" start --config "$TMP/rampart.yaml" --http "127.0.0.1:$port" --https "127.0.0.1:$sport" \
    --admin "127.0.0.1:$aport" --data "$TMP/rampart-data" --dns off --workers 1 --access-log off >"$TMP/rampart.log" 2>&1 &
  PIDS+=($!); ROOTPID[rampart]=$!; PORT[rampart]=$port
  ADMIN_URL="http://127.0.0.1:$aport"
  wait_http "$ADMIN_URL/readyz" "" 300
  # automatic DDoS mitigation off for the zone: a wrk flood from one /24 is what it exists to challenge
  curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$ADMIN_URL/client/v4/zones" \
    -d "{\"name\":\"bench.test\",\"origins\":[\"127.0.0.1:$ORIGIN_PORT\"],\"settings\":{\"auto_mitigation\":\"off\"}}"
  wait_http "http://127.0.0.1:$port/c/1k" bench.test
}

start_varnish() {
  local port
  port=$(free_port)
  mkdir -p "$TMP/varnish"
  nice -n "$NICE" taskset -c "$CORE" varnishd -F -a "127.0.0.1:$port" -b "127.0.0.1:$ORIGIN_PORT" -s malloc,256m -n "$TMP/varnish" \
    -T 127.0.0.1:0 -p thread_pools=1 >"$TMP/varnish.log" 2>&1 &
  PIDS+=($!); ROOTPID[varnish]=$!; PORT[varnish]=$port
  wait_http "http://127.0.0.1:$port/c/1k" bench.test 300
}

start_nginx_cache() {
  local d="$TMP/nginx-cache" port
  port=$(free_port)
  mkdir -p "$d/logs" "$d/cache"
  cat > "$d/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path $d/tmp-body; proxy_temp_path $d/tmp-proxy; fastcgi_temp_path $d/tmp-fcgi; uwsgi_temp_path $d/tmp-uwsgi; scgi_temp_path $d/tmp-scgi;
  proxy_cache_path $d/cache levels=1:2 keys_zone=c:16m max_size=256m inactive=1h use_temp_path=off;
  upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://origin;
      proxy_cache c;
      proxy_cache_lock on;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      add_header X-Cache-Status \$upstream_cache_status;
    }
  }
}
EOF
  nice -n "$NICE" taskset -c "$CORE" nginx -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" >"$d/logs/stdout" 2>&1 &
  PIDS+=($!); ROOTPID[nginx]=$!; PORT[nginx]=$port
  wait_http "http://127.0.0.1:$port/c/1k" bench.test
}

# hit_label CACHE PATH: the cache's own verdict for PATH (after it was fetched once)
hit_label() {
  local h
  h=$(curl -s -D- -o /dev/null -H 'Host: bench.test' "http://127.0.0.1:${PORT[$1]}$2" | tr -d '\r')
  case $1 in
    rampart) awk -F': ' 'tolower($1) == "rampart-cache-status" { print $2 }' <<<"$h" ;;
    nginx) awk -F': ' 'tolower($1) == "x-cache-status" { print $2 }' <<<"$h" ;;
    varnish) awk -F': ' 'tolower($1) == "age" { print ($2 + 0 >= 0 ? "age " $2 : "") } tolower($1) == "x-varnish" { print "x-varnish " $2 }' <<<"$h" | tr '\n' ' ' ;;
  esac
}

for c in $CACHES; do
  case $c in
    rampart) start_rampart ;;
    varnish) start_varnish ;;
    nginx) start_nginx_cache ;;
    *) echo "unknown cache $c" >&2; exit 2 ;;
  esac
  for path in $PATHS; do curl -s -o /dev/null -H 'Host: bench.test' "http://127.0.0.1:${PORT[$c]}$path"; done
  echo "started $c on 127.0.0.1:${PORT[$c]} (pids: $(tree_pids "${ROOTPID[$c]}" | tr '\n' ' ')); $(for path in $PATHS; do echo -n "$path: $(hit_label "$c" "$path")  "; done)"
done

# warm-up (JIT, connection pools), not measured
for c in $CACHES; do for path in $PATHS; do
  nice -n "$NICE" taskset -c "$LOAD_CORE" wrk -t1 -c"$CONNS" -d"$WARMUP" -H 'Host: bench.test' "http://127.0.0.1:${PORT[$c]}$path" >/dev/null 2>&1
done; done

declare -A RPS P99 ERR SHARE CPU
for ((r = 1; r <= REPEATS; r++)); do
  for path in $PATHS; do
    for c in $CACHES; do
      mapfile -t pids < <(tree_pids "${ROOTPID[$c]}")
      t0=$(cpu_ticks "${pids[@]}"); w0=$(date +%s%N)
      out="$TMP/wrk-$c-$(basename "$path")-$r.txt"
      nice -n "$NICE" taskset -c "$LOAD_CORE" wrk -t1 -c"$CONNS" -d"$DURATION" --latency -H 'Host: bench.test' "http://127.0.0.1:${PORT[$c]}$path" >"$out" 2>&1
      t1=$(cpu_ticks "${pids[@]}"); w1=$(date +%s%N)
      read -r rps p99 total err < <(parse_wrk "$out")
      share=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v w=$((w1 - w0)) 'BEGIN { printf "%.2f", d / hz / (w / 1e9) }')
      cpu_us=$(awk -v d=$((t1 - t0)) -v n="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", n ? d * 1e6 / hz / n : 0 }')
      SHARE[$c$path]+="$share "; RPS[$c$path]+="$rps "; P99[$c$path]+="$p99 "; CPU[$c$path]+="$cpu_us "; ERR[$c$path]=$(( ${ERR[$c$path]:-0} + err ))
      printf '  round %d %-8s %-8s %10.0f req/s  p99 %8.2f ms  cpu %6s us/req  core %s  errors %d\n' "$r" "$c" "$path" "$rps" "$p99" "$cpu_us" "$share" "$err"
    done
  done
done

echo
echo "Cache HITs, median of $REPEATS runs, wrk -t1 -c$CONNS -d$DURATION --latency, cache on core $CORE, origin + wrk on core $LOAD_CORE"
printf '| %-8s | %-8s | %10s | %9s | %10s | %14s | %5s | %6s |\n' cache path 'req/s' 'p99 ms' 'CPU us/req' 'req/s per core' core errors
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ---------- ---------- ------------ ----------- ------------ ---------------- ------- --------
declare -A MRPS MP99 MCPU
for path in $PATHS; do
  for c in $CACHES; do
    # shellcheck disable=SC2086
    MRPS[$c$path]=$(median ${RPS[$c$path]}); MP99[$c$path]=$(median ${P99[$c$path]}); MCPU[$c$path]=$(median ${CPU[$c$path]})
    percore=$(awk -v c="${MCPU[$c$path]}" 'BEGIN { printf "%.0f", (c > 0 ? 1e6 / c : 0) }')
    # shellcheck disable=SC2086
    printf '| %-8s | %-8s | %10.0f | %9.2f | %10s | %14s | %5s | %6s |\n' "$c" "$path" "${MRPS[$c$path]}" "${MP99[$c$path]}" "${MCPU[$c$path]}" "$percore" "$(median ${SHARE[$c$path]})" "${ERR[$c$path]}"
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
if [[ " $CACHES " == *" rampart "* ]]; then
  echo
  echo "Rampart's ratios (goals: req/s >= 0.7x varnish, >= 0.4x nginx; p99 <= 2x varnish)"
  echo "(per-core columns: requests per CPU-second of each cache's processes, robust when other work shares the core)"
  printf '| %-8s | %15s | %13s | %15s | %13s | %24s | %22s |\n' path 'req/s / varnish' 'req/s / nginx' 'p99 / varnish' 'p99 / nginx' 'per-core req/s / varnish' 'per-core req/s / nginx'
  printf '|%s|%s|%s|%s|%s|%s|%s|\n' ---------- ----------------- --------------- ----------------- --------------- -------------------------- ------------------------
  for path in $PATHS; do
    printf '| %-8s | %15s | %13s | %15s | %13s | %24s | %22s |\n' "$path" "$(ratio "${MRPS[rampart$path]}" "${MRPS[varnish$path]:-0}")" "$(ratio "${MRPS[rampart$path]}" "${MRPS[nginx$path]:-0}")" \
      "$(ratio "${MP99[rampart$path]}" "${MP99[varnish$path]:-0}")" "$(ratio "${MP99[rampart$path]}" "${MP99[nginx$path]:-0}")" \
      "$(ratio "${MCPU[varnish$path]:-0}" "${MCPU[rampart$path]}")" "$(ratio "${MCPU[nginx$path]:-0}" "${MCPU[rampart$path]}")"
  done

  if [[ $MEMOBJ != 0 ]]; then
    # memory per cached object: the memory tier storing MEMOBJ 1 KiB responses as the cache phase does, heap +
    # ArrayBuffer growth after a full GC (a worker's RSS is useless for this: V8 keeps the pages it grew earlier)
    echo
    echo "Memory per cached 1 KiB object (bench/cache-memory.ts, $MEMOBJ objects):"
    node --expose-gc "$BENCH_DIR/cache-memory.ts" "$MEMOBJ"
  fi

  echo
  echo "Coalescing: $COALESCE_N concurrent misses for one key"
  if node "$BENCH_DIR/cache-coalesce.ts" "${PORT[rampart]}" "$ADMIN_URL" "$TOKEN" "$COALESCE_N" 1000; then echo "coalescing: PASS (exactly 1 origin request)"
  else echo "coalescing: FAIL"; fi
fi
echo "load avg at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
