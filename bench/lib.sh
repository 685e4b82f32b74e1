# Shared helpers for the bench/*.sh scripts (sourced, not run). Everything a script starts is recorded in PIDS
# and stopped by `bench_cleanup` (installed as the EXIT trap by `bench_init`).
# shellcheck shell=bash

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
NODE_BIN_DIR="$ROOT/.node/bin"
[[ -x "$NODE_BIN_DIR/node" ]] && export PATH="$NODE_BIN_DIR:$PATH"
PIDS=()
TMP=""

bench_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  # give Rampart's primary time to drain its worker (and a --cpu-prof worker time to write its profile)
  for _ in $(seq 1 50); do
    local alive=0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.2
  done
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  [[ -n "$TMP" && -d "$TMP" && -z "${BENCH_KEEP_TMP:-}" ]] && rm -rf "$TMP"
  return 0
}

bench_init() {
  TMP=$(mktemp -d /tmp/rampart-bench.XXXXXX)
  chmod 755 "$TMP"   # nginx workers run as an unprivileged user when started by root
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# free_port: a random TCP port no socket uses, below the kernel's ephemeral range (so no outgoing connection can
# take it between the check and the listen)
free_port() {
  local p lo
  lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  (( lo > 21000 )) || lo=61000
  while :; do
    p=$(( 20000 + RANDOM % (lo - 20000) ))
    if ! ss -Htan "sport = :$p" 2>/dev/null | grep -q .; then
      # not handed out already in this run
      if [[ " ${USED_PORTS:-} " != *" $p "* ]]; then USED_PORTS="${USED_PORTS:-} $p"; echo "$p"; return; fi
    fi
  done
}

# wait_http URL [HOST] [TRIES]: until URL answers 200 (with Host header HOST)
wait_http() {
  local url=$1 host=${2:-} tries=${3:-100} i
  for ((i = 0; i < tries; i++)); do
    if [[ -n "$host" ]]; then
      [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Host: $host" "$url" 2>/dev/null) == 200 ]] && return 0
    else
      [[ $(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null) == 200 ]] && return 0
    fi
    sleep 0.1
  done
  echo "timed out waiting for $url" >&2
  return 1
}

# tree_pids PID: PID and all its descendants
tree_pids() {
  local p=$1 c
  echo "$p"
  for c in $(pgrep -P "$p" 2>/dev/null); do tree_pids "$c"; done
}

# cpu_ticks PID...: utime+stime (clock ticks) summed over the given processes
cpu_ticks() {
  local total=0 p f
  for p in "$@"; do
    [[ -r /proc/$p/stat ]] || continue
    # fields after the ")" of comm: state is $1, utime is $12, stime is $13
    f=$(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')
    total=$(( total + f ))
  done
  echo "$total"
}

# start_origin_nginx DIR PORT CORE: static origin serving /1k and /100k (Cache-Control: no-store) and the same
# files under /c/ (cacheable)
start_origin_nginx() {
  local d=$1 port=$2 core=$3
  mkdir -p "$d/html" "$d/logs"
  head -c 768 /dev/urandom > "$d/raw1k" && base64 -w0 "$d/raw1k" > "$d/html/1k"          # 1024 bytes
  echo ok > "$d/html/index.html"   # Rampart's default active health check is GET /
  head -c 76800 /dev/urandom > "$d/raw100k" && base64 -w0 "$d/raw100k" > "$d/html/100k" # 102400 bytes
  cat > "$d/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  default_type application/octet-stream;
  client_body_temp_path $d/tmp-body; proxy_temp_path $d/tmp-proxy; fastcgi_temp_path $d/tmp-fcgi; uwsgi_temp_path $d/tmp-uwsgi; scgi_temp_path $d/tmp-scgi;
  server {
    listen 127.0.0.1:$port reuseport;
    root $d/html;
    # /1k, /100k: not storable (Rampart's cache is on by default; the proxy comparison must reach the origin)
    location / { add_header Cache-Control "no-store" always; }
    # /c/1k, /c/100k: the same files, fresh for an hour (Cache-Control: max-age=3600): Rampart's cache HIT path
    location /c/ { alias $d/html/; expires 1h; }
  }
}
EOF
  nice -n "${NICE:-0}" taskset -c "$core" nginx -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" >"$d/logs/stdout" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/1k"
}

# parse_wrk FILE: prints "reqs_per_s p99_ms total_requests errors"
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
      if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
      if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60000 }
      if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
      return v + 0
    }
    /Requests\/sec:/ { rps = $2 }
    /^ +99%/ { p99 = ms($2) }
    / requests in / { total = $1 }
    /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { err += $5 }
    END { printf "%s %s %s %d\n", rps + 0, p99 + 0, total + 0, err + 0 }
  ' "$1"
}

# median of the arguments (numbers)
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

machine_info() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), node $(node -v), $(nginx -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | awk '{print "wrk " $2}'), load avg $(cut -d' ' -f1-3 /proc/loadavg)"
}
