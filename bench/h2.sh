#!/usr/bin/env bash
# HTTP/2 over TLS: h2load -n 20000 -c 10 -m 10 against Rampart's HTTPS listener (--workers 1, its self-signed
# certificate for the zone, pinned to core 0) and against nginx (http2 + ssl, 1 worker, proxy_pass with upstream
# keepalive, self-signed cert, core 0), both in front of the same static nginx origin (core 1); h2load on core 1.
# Three repeats, median. h2load prints no percentiles: the table gives req/s, mean and max time per request,
# and CPU per request of the proxy's process tree.
# Env: REQUESTS (20000), REPEATS (3), PATHS ("/1k /100k"), PROXIES ("nginx-h2 rampart-h2").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
REQUESTS=${REQUESTS:-20000}
REPEATS=${REPEATS:-3}
PATHS=${PATHS:-"/1k /100k"}
PROXIES=${PROXIES:-"nginx-h2 rampart-h2"}
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

bench_init
machine_info
ORIGIN_PORT=$(free_port)
start_origin_nginx "$TMP/origin" "$ORIGIN_PORT" 1
declare -A PORT ROOTPID

start_nginx_h2() {
  local d="$TMP/nginx-h2" port
  port=$(free_port)
  mkdir -p "$d/logs"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=bench.test \
    -addext subjectAltName=DNS:bench.test -keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null
  cat > "$d/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log $d/logs/access.log;
  client_body_temp_path $d/tmp-body; proxy_temp_path $d/tmp-proxy; fastcgi_temp_path $d/tmp-fcgi; uwsgi_temp_path $d/tmp-uwsgi; scgi_temp_path $d/tmp-scgi;
  upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$port ssl http2;
    ssl_certificate $d/cert.pem; ssl_certificate_key $d/key.pem;
    http2_max_concurrent_streams 128;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_max_temp_file_size 0;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
EOF
  taskset -c 0 nginx -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" >"$d/logs/stdout" 2>&1 &
  PIDS+=($!); ROOTPID[nginx-h2]=$!; PORT[nginx-h2]=$port
  for _ in $(seq 1 100); do curl -sk -o /dev/null "https://127.0.0.1:$port/1k" && return 0; sleep 0.1; done
  echo "nginx h2 did not start" >&2; return 1
}

start_rampart_h2() {
  local port sport aport
  port=$(free_port); sport=$(free_port); aport=$(free_port)
  RAMPART_ADMIN_TOKEN=$TOKEN taskset -c 0 "$ROOT/rampart" start --http "127.0.0.1:$port" --https "127.0.0.1:$sport" \
    --admin "127.0.0.1:$aport" --data "$TMP/rampart-data" --dns off --workers 1 >"$TMP/rampart.log" 2>&1 &
  PIDS+=($!); ROOTPID[rampart-h2]=$!; PORT[rampart-h2]=$sport
  wait_http "http://127.0.0.1:$aport/readyz" "" 300
  RAMPART_API="http://127.0.0.1:$aport" RAMPART_ADMIN_TOKEN=$TOKEN "$ROOT/rampart" zone add bench.test --origin "127.0.0.1:$ORIGIN_PORT" >/dev/null
  # one client at full speed is what automatic mitigation is built to stop: off for the measurement
  RAMPART_API="http://127.0.0.1:$aport" RAMPART_ADMIN_TOKEN=$TOKEN "$ROOT/rampart" zone set bench.test --auto-mitigation off >/dev/null
  for _ in $(seq 1 100); do
    [[ $(curl -sk --http2 -o /dev/null -w '%{http_code}' --resolve "bench.test:$sport:127.0.0.1" "https://bench.test:$sport/1k") == 200 ]] && return 0
    sleep 0.1
  done
  echo "rampart https did not answer" >&2; return 1
}

for p in $PROXIES; do
  case $p in
    nginx-h2) start_nginx_h2 ;;
    rampart-h2) start_rampart_h2 ;;
    *) echo "unknown proxy $p" >&2; exit 2 ;;
  esac
  echo "started $p on 127.0.0.1:${PORT[$p]}"
done

h2() { # h2 PROXY PATH N OUTFILE
  taskset -c 1 h2load -n "$3" -c 10 -m 10 --connect-to="127.0.0.1:${PORT[$1]}" "https://bench.test:${PORT[$1]}$2" >"$4" 2>&1
}
parse_h2() { # prints "req_per_s mean_ms max_ms succeeded failed"
  awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 } if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v + 0 }
    /^finished in/ { rps = $4 }
    /^requests:/ { ok = $8; failed = $10 }
    /^time for request:/ { mx = ms($5); mn = ms($6) }
    END { printf "%s %s %s %d %d\n", rps + 0, mn + 0, mx + 0, ok, failed }
  ' "$1"
}

for p in $PROXIES; do for path in $PATHS; do h2 "$p" "$path" 5000 /dev/null; done; done   # warm-up

declare -A RPS MEAN MAX CPU FAIL
for ((r = 1; r <= REPEATS; r++)); do
  for path in $PATHS; do
    for p in $PROXIES; do
      mapfile -t pids < <(tree_pids "${ROOTPID[$p]}")
      t0=$(cpu_ticks "${pids[@]}")
      out="$TMP/h2-$p-${path#/}-$r.txt"
      h2 "$p" "$path" "$REQUESTS" "$out"
      t1=$(cpu_ticks "${pids[@]}")
      read -r rps mean max ok failed < <(parse_h2 "$out")
      cpu_us=$(awk -v d=$((t1 - t0)) -v n="$ok" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", n ? d * 1e6 / hz / n : 0 }')
      RPS[$p$path]+="$rps "; MEAN[$p$path]+="$mean "; MAX[$p$path]+="$max "; CPU[$p$path]+="$cpu_us "; FAIL[$p$path]=$(( ${FAIL[$p$path]:-0} + failed ))
      printf '  round %d %-11s %-6s %9.0f req/s  mean %7.2f ms  max %8.2f ms  cpu %7s us/req  ok %d failed %d\n' "$r" "$p" "$path" "$rps" "$mean" "$max" "$cpu_us" "$ok" "$failed"
    done
  done
done

echo
echo "Median of $REPEATS runs, h2load -n $REQUESTS -c 10 -m 10 (TLS 1.3, h2), proxy on core 0, origin + h2load on core 1"
printf '| %-11s | %-6s | %9s | %12s | %11s | %10s | %6s |\n' proxy path 'req/s' 'mean req ms' 'max req ms' 'CPU us/req' failed
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ------------- -------- ----------- -------------- ------------- ------------ --------
declare -A M
for path in $PATHS; do
  for p in $PROXIES; do
    # shellcheck disable=SC2086
    M[$p$path]=$(median ${RPS[$p$path]})
    printf '| %-11s | %-6s | %9.0f | %12.2f | %11.2f | %10s | %6s |\n' "$p" "$path" "${M[$p$path]}" "$(median ${MEAN[$p$path]})" "$(median ${MAX[$p$path]})" "$(median ${CPU[$p$path]})" "${FAIL[$p$path]}"
  done
  if [[ -n "${M[rampart-h2$path]:-}" && -n "${M[nginx-h2$path]:-}" ]]; then
    echo "  $path: rampart / nginx req/s = $(awk -v a="${M[rampart-h2$path]}" -v b="${M[nginx-h2$path]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
  fi
done
echo "load avg at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
