#!/bin/bash
# Interop: ppserver (internal/proxyproto.Accept) behind our own HAProxy
# (never the system service). Prints what the server saw.
set -u
cd "$(dirname "$0")"
mkdir -p /tmp/remoteip-hap
go build -o /tmp/remoteip-hap/ppserver ./ppserver || exit 1
/tmp/remoteip-hap/ppserver -listen 127.0.0.1:18481 2> /tmp/remoteip-hap/server.log & S=$!
haproxy -f "$PWD/haproxy.cfg" -db > /tmp/remoteip-hap/haproxy.log 2>&1 & H=$!
trap 'kill $S $H; wait $S $H 2>/dev/null' EXIT
ok=; for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18480/ && { ok=1; break; }; sleep 0.1; done
[ -n "$ok" ] || { echo "haproxy did not start"; cat /tmp/remoteip-hap/haproxy.log; exit 1; }
echo "v2: $(curl -s http://127.0.0.1:18480/x)"
echo "v1: $(curl -s http://127.0.0.1:18482/x)"
echo "v2 keep-alive: $(curl -s http://127.0.0.1:18480/1 http://127.0.0.1:18480/2 | tr '\n' ' ')"
sleep 1 # two health checks
echo "== server log"; sed 's/^[0-9/]* [0-9:]* //' /tmp/remoteip-hap/server.log | sort | uniq -c
