#!/usr/bin/env bash
# Proxy benchmark of issue 3: a static nginx origin (core 1), and four proxies pinned to core 0 in front of it:
# nginx proxy_pass (upstream keepalive, 1 worker), the naive Node proxy (bench/naive-proxy.ts), Rampart --workers 1
# with its default access log (a file in the data dir), and Rampart with --access-log off.
# wrk -t1 -c50 -d10s --latency (pinned to core 1) on /1k and /100k, three repeats (rounds interleaved across the
# proxies so machine noise hits them alike), median. CPU per request = utime+stime delta of the proxy's whole
# process tree (/proc/PID/stat) over the run / requests completed.
# The origin answers /1k and /100k with Cache-Control: no-store, so every proxy (Rampart's cache phase included,
# on by default) goes to the origin: that is the proxy comparison. "rampart-hit" is the same Rampart instance as
# "rampart" on /c/1k and /c/100k (same files, cacheable): its answers come from Rampart's cache, for reference only.
# Each run asks for its own URL (?run=N; the origin ignores the query): wrk drops its in-flight requests when it
# stops, and a Rampart cache-coalescing bug (see bench/RESULTS.md) then leaves that URL waiting 10 s per request.
# Env: DURATION (10s), REPEATS (3), WARMUP (2s), PROXIES (subset of "nginx naive rampart rampart-nolog rampart-hit"),
#      PATHS ("/1k /100k"), CONNS (50), NICE (0; e.g. -10 runs everything this script starts at a higher priority
#      than the other work on a shared machine).
# The "core" column is the share of one core the proxy's processes got during the run (CPU time / wall time):
# well under 1.0 at saturation means something else on the machine took core 0.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DURATION=${DURATION:-10s}
REPEATS=${REPEATS:-3}
WARMUP=${WARMUP:-2s}
PROXIES=${PROXIES:-"nginx naive rampart rampart-nolog rampart-hit"}
PATHS=${PATHS:-"/1k /100k"}
CONNS=${CONNS:-50}
NICE=${NICE:-0}
PROXY_CORE=0
LOAD_CORE=1
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

bench_init
machine_info
echo "tmp: $TMP"

ORIGIN_PORT=$(free_port)
NICE=$NICE start_origin_nginx "$TMP/origin" "$ORIGIN_PORT" "$LOAD_CORE"
echo "origin nginx on 127.0.0.1:$ORIGIN_PORT (core $LOAD_CORE)"

declare -A PORT ROOTPID PREFIX

start_nginx_proxy() {
  local d="$TMP/nginx-proxy" port
  port=$(free_port)
  mkdir -p "$d/logs"
  cat > "$d/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log $d/logs/access.log;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path $d/tmp-body; proxy_temp_path $d/tmp-proxy; fastcgi_temp_path $d/tmp-fcgi; uwsgi_temp_path $d/tmp-uwsgi; scgi_temp_path $d/tmp-scgi;
  upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_max_temp_file_size 0;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
EOF
  nice -n "$NICE" taskset -c "$PROXY_CORE" nginx -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" >"$d/logs/stdout" 2>&1 &
  PIDS+=($!); ROOTPID[nginx]=$!; PORT[nginx]=$port
  wait_http "http://127.0.0.1:$port/1k" bench.test
}

start_naive() {
  local port
  port=$(free_port)
  nice -n "$NICE" taskset -c "$PROXY_CORE" node "$BENCH_DIR/naive-proxy.ts" "$port" "127.0.0.1:$ORIGIN_PORT" >"$TMP/naive.log" 2>&1 &
  PIDS+=($!); ROOTPID[naive]=$!; PORT[naive]=$port
  wait_http "http://127.0.0.1:$port/1k" bench.test
}

# start_rampart NAME [extra start args...]
start_rampart() {
  local name=$1; shift
  local port sport aport
  port=$(free_port); sport=$(free_port); aport=$(free_port)
  RAMPART_ADMIN_TOKEN=$TOKEN nice -n "$NICE" taskset -c "$PROXY_CORE" "$ROOT/rampart" start --http "127.0.0.1:$port" --https "127.0.0.1:$sport" \
    --admin "127.0.0.1:$aport" --data "$TMP/$name-data" --dns off --workers 1 "$@" >"$TMP/$name.log" 2>&1 &
  PIDS+=($!); ROOTPID[$name]=$!; PORT[$name]=$port
  wait_http "http://127.0.0.1:$aport/readyz" "" 300
  RAMPART_API="http://127.0.0.1:$aport" RAMPART_ADMIN_TOKEN=$TOKEN "$ROOT/rampart" zone add bench.test --origin "127.0.0.1:$ORIGIN_PORT" >/dev/null
  # one client at full speed is what automatic mitigation is built to stop: off for the measurement
  RAMPART_API="http://127.0.0.1:$aport" RAMPART_ADMIN_TOKEN=$TOKEN "$ROOT/rampart" zone set bench.test --auto-mitigation off >/dev/null
  wait_http "http://127.0.0.1:$port/1k" bench.test
}

for p in $PROXIES; do
  case $p in
    nginx) start_nginx_proxy ;;
    naive) start_naive ;;
    rampart) start_rampart rampart ;;                       # default access log: DATA/logs/access.log
    rampart-nolog) start_rampart rampart-nolog --access-log off ;;
    rampart-hit)   # the "rampart" instance, cacheable paths
      [[ -n "${PORT[rampart]:-}" ]] || start_rampart rampart
      PORT[rampart-hit]=${PORT[rampart]}; ROOTPID[rampart-hit]=${ROOTPID[rampart]}; PREFIX[rampart-hit]=/c
      curl -s -o /dev/null -H 'Host: bench.test' "http://127.0.0.1:${PORT[rampart]}/c/1k"; curl -s -o /dev/null -H 'Host: bench.test' "http://127.0.0.1:${PORT[rampart]}/c/100k"
      [[ $(curl -s -D- -o /dev/null -H 'Host: bench.test' "http://127.0.0.1:${PORT[rampart]}/c/1k" | tr -d '\r' | awk -F': ' 'tolower($1) == "rampart-cache-status" { print $2 }') == HIT ]] || echo "warning: /c/1k is not a cache HIT" >&2
      ;;
    *) echo "unknown proxy $p" >&2; exit 2 ;;
  esac
  echo "started $p on 127.0.0.1:${PORT[$p]} (pids: $(tree_pids "${ROOTPID[$p]}" | tr '\n' ' '))"
done

# warm-up (JIT, connection pools), not measured
for p in $PROXIES; do for path in $PATHS; do
  nice -n "$NICE" taskset -c "$LOAD_CORE" wrk -t1 -c"$CONNS" -d"$WARMUP" -H 'Host: bench.test' "http://127.0.0.1:${PORT[$p]}${PREFIX[$p]:-}$path?run=warm" >/dev/null 2>&1
done; done

declare -A RPS P99 CPU ERR SHARE
for ((r = 1; r <= REPEATS; r++)); do
  for path in $PATHS; do
    for p in $PROXIES; do
      mapfile -t pids < <(tree_pids "${ROOTPID[$p]}")
      t0=$(cpu_ticks "${pids[@]}"); w0=$(date +%s%N)
      out="$TMP/wrk-$p-${path#/}-$r.txt"
      nice -n "$NICE" taskset -c "$LOAD_CORE" wrk -t1 -c"$CONNS" -d"$DURATION" --latency -H 'Host: bench.test' "http://127.0.0.1:${PORT[$p]}${PREFIX[$p]:-}$path?run=$r" >"$out" 2>&1
      t1=$(cpu_ticks "${pids[@]}"); w1=$(date +%s%N)
      read -r rps p99 total err < <(parse_wrk "$out")
      share=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v w=$((w1 - w0)) 'BEGIN { printf "%.2f", d / hz / (w / 1e9) }')
      cpu_us=$(awk -v d=$((t1 - t0)) -v n="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", n ? d * 1e6 / hz / n : 0 }')
      SHARE[$p$path]+="$share "; RPS[$p$path]+="$rps "; P99[$p$path]+="$p99 "; CPU[$p$path]+="$cpu_us "; ERR[$p$path]=$(( ${ERR[$p$path]:-0} + err ))
      printf '  round %d %-14s %-6s %10.0f req/s  p99 %8.2f ms  cpu %7s us/req  core %s  errors %d\n' "$r" "$p" "$path" "$rps" "$p99" "$cpu_us" "$share" "$err"
    done
  done
done

echo
echo "Median of $REPEATS runs, wrk -t1 -c$CONNS -d$DURATION --latency, proxy on core $PROXY_CORE, origin + wrk on core $LOAD_CORE"
printf '| %-14s | %-6s | %10s | %9s | %12s | %14s | %5s | %6s |\n' proxy path 'req/s' 'p99 ms' 'CPU us/req' 'req/s per core' core errors
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ---------------- -------- ------------ ----------- -------------- ---------------- ------- --------
declare -A MRPS MP99 MCPU
for path in $PATHS; do
  for p in $PROXIES; do
    # shellcheck disable=SC2086
    MRPS[$p$path]=$(median ${RPS[$p$path]}); MP99[$p$path]=$(median ${P99[$p$path]}); MCPU[$p$path]=$(median ${CPU[$p$path]})
    percore=$(awk -v c="${MCPU[$p$path]}" 'BEGIN { printf "%.0f", (c > 0 ? 1e6 / c : 0) }')
    printf '| %-14s | %-6s | %10.0f | %9.2f | %12s | %14s | %5s | %6s |\n' "$p" "$path" "${MRPS[$p$path]}" "${MP99[$p$path]}" "${MCPU[$p$path]}" "$percore" "$(median ${SHARE[$p$path]})" "${ERR[$p$path]}"
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "Rampart ratios (goals: req/s >= 1.0x naive; p99 <= 2x nginx; moonshot: req/s per core >= 0.5x nginx)"
printf '| %-14s | %-6s | %13s | %13s | %14s | %22s |\n' rampart path 'req/s / naive' 'req/s / nginx' 'p99 / nginx p99' 'per-core req/s / nginx'
printf '|%s|%s|%s|%s|%s|%s|\n' ---------------- -------- --------------- --------------- ---------------- ------------------------
for path in $PATHS; do
  for p in $PROXIES; do
    [[ $p == rampart* && $p != rampart-hit ]] || continue
    n=${MRPS[naive$path]:-0}; g=${MRPS[nginx$path]:-0}; gp=${MP99[nginx$path]:-0}; gc=${MCPU[nginx$path]:-0}
    printf '| %-14s | %-6s | %13s | %13s | %15s | %22s |\n' "$p" "$path" "$(ratio "${MRPS[$p$path]}" "$n")" "$(ratio "${MRPS[$p$path]}" "$g")" \
      "$(ratio "${MP99[$p$path]}" "$gp")" "$(ratio "$gc" "${MCPU[$p$path]}")"
  done
done
echo "load avg at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
