#!/bin/bash
# Full TLS handshakes: gohttpd event (OLD and NEW binaries, 1 child, 25 threads) vs nginx (1 worker),
# same ECDSA P-256 certificate, every server pinned to CPU 0, the load generator (hsload: Go
# client, a new connection per request for GET /1k.bin with Connection: close, 8 concurrent)
# pinned to CPU 1; rounds interleaved OLD NGINX NEW; server CPU = utime+stime of the server's
# process tree (/proc) over the round, divided by the connections served.
# Usage: /tmp/tls-measure.sh OLD-BIN NEW-BIN [rounds] [conns] [hsload flags: -curve default|x25519, -resume, -tls12]
OLD=${1:-/tmp/tls-gohttpd}; NEW=${2:-/tmp/tls-gohttpd3}; ROUNDS=${3:-5}; C=${4:-8}; shift 4 2>/dev/null; EXTRA="$@"
M=/tmp/tls-m
[ -f $M/cert.pem ] || { echo "missing $M (cert, htdocs, go/httpd.conf, go2/httpd.conf, nginx/nginx.conf)"; exit 1; }
taskset -c 0 $OLD -f $M/go/httpd.conf -D FOREGROUND >$M/go/logs/stderr 2>&1 &
P1=$!
taskset -c 0 $NEW -f $M/go2/httpd.conf -D FOREGROUND >$M/go2/logs/stderr 2>&1 &
P2=$!
taskset -c 0 nginx -c $M/nginx/nginx.conf -g 'daemon off;' >$M/nginx/logs/stderr 2>&1 &
P3=$!
trap 'kill $P1 $P2 $P3 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 50); do
  curl -sk -o /dev/null https://127.0.0.1:18443/1k.bin && curl -sk -o /dev/null https://127.0.0.1:18445/1k.bin && curl -sk -o /dev/null https://127.0.0.1:18444/1k.bin && break; sleep 0.2; done
for p in 18443 18445 18444; do
  echo "port $p, openssl s_client (OpenSSL $(openssl version | cut -d' ' -f2), default groups): $(echo | openssl s_client -connect 127.0.0.1:$p 2>/dev/null | grep -E 'Server Temp Key' | head -1)"
done
# one round: hsload's line, then perf stat's task-clock and context switches of the serving
# processes (the gohttpd child, the nginx worker) per connection
round() { # name port pid-for-cpu pid-for-perf
  local out=$(mktemp)
  perf stat -x, -e task-clock,context-switches -p $4 -o $out -- sleep 3.2 &
  local ps=$!
  local line=$(taskset -c 1 /tmp/tls-hs/hsload -a 127.0.0.1:$2 -pid $3 -c $C -d 3s $EXTRA)
  wait $ps
  local n=$(echo "$line" | awk '{print $2}')
  local tc=$(grep task-clock $out | cut -d, -f1); local cs=$(grep context-switches $out | cut -d, -f1)
  echo "$1 $line | perf: $(awk -v t=$tc -v n=$n 'BEGIN{printf "%.0f", t*1000/n}')us task-clock/conn, $(awk -v c=$cs -v n=$n 'BEGIN{printf "%.1f", c/n}') cs/conn"
  rm -f $out
}
C1=$(pgrep -P $P1 | head -1); C2=$(pgrep -P $P2 | head -1); W3=$(pgrep -P $P3 | head -1)
for r in $(seq $ROUNDS); do
  round "old   r$r" 18443 $P1 $C1
  round "nginx r$r" 18444 $P3 $W3
  round "new   r$r" 18445 $P2 $C2
done
