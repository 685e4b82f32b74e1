#!/usr/bin/env bash
# Time to shield (issue 8): from nothing to a site served through the edge with the WAF on, each step timed.
# 1. start Rampart (one node, embedded defaults, 1 worker) and wait until it is ready
# 2. rampart zone add  3. rampart dns add … --proxied  4. rampart waf set --mode block
# 5. dig the proxied name at Rampart's DNS until it answers the edge's address
# 6. request the site through the edge at that address until it serves the origin's page, and an attack gets 403
# Goal: <= 60 s end to end. The origin is a small nginx on loopback.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init
machine_info
ms() { date +%s%3N; }
T0=$(ms)
step() { local now; now=$(ms); printf '  %-44s %6d ms  (total %6d ms)\n' "$1" $((now - LAST)) $((now - T0)); LAST=$now; }
LAST=$T0
ORIGIN_PORT=$(free_port)
start_origin_nginx "$TMP/origin" "$ORIGIN_PORT" 1
HP=$(free_port); AP=$(free_port); DP=$(free_port)
TOKEN="shield-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export RAMPART_ADMIN_TOKEN=$TOKEN RAMPART_API="http://127.0.0.1:$AP" RAMPART_EDGE_IPV4=127.0.0.1 RAMPART_EDGE_IPV6=none
T0=$(ms); LAST=$T0
echo "time to shield:"
"$ROOT/rampart" start --http "127.0.0.1:$HP" --https off --admin "127.0.0.1:$AP" --dns "127.0.0.1:$DP" --data "$TMP/data" --workers 1 --access-log off >"$TMP/rampart.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$AP/readyz" "" 600
step "rampart start (ready)"
"$ROOT/rampart" zone add shield.test --origin "127.0.0.1:$ORIGIN_PORT" >/dev/null
step "rampart zone add shield.test"
"$ROOT/rampart" dns add shield.test A www 127.0.0.1 --proxied >/dev/null
step "rampart dns add shield.test A www … --proxied"
"$ROOT/rampart" waf set shield.test --mode block >/dev/null
step "rampart waf set shield.test --mode block"
for _ in $(seq 200); do a=$(dig +short +time=1 +tries=1 -p "$DP" @127.0.0.1 www.shield.test A || true); [[ $a == 127.0.0.1 ]] && break; sleep 0.05; done
[[ $a == 127.0.0.1 ]] || { echo "DNS never answered the edge address (got '$a')"; exit 1; }
step "dig www.shield.test → edge address"
for _ in $(seq 400); do c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: www.shield.test' "http://$a:$HP/1k" || true); [[ $c == 200 ]] && break; sleep 0.05; done
[[ $c == 200 ]] || { echo "the site was not served through the edge (last status $c)"; exit 1; }
step "GET www.shield.test/1k through the edge: 200"
c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: www.shield.test' "http://$a:$HP/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
[[ $c == 403 ]] || { echo "an attack was not blocked (status $c)"; exit 1; }
step "an XSS attempt through the edge: 403"
total=$(( $(ms) - T0 ))
echo "total: $total ms (goal <= 60000 ms)"
