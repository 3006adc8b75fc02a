#!/bin/bash
# Keep-alive 1 KB over TLS (issue 16): gohttpd OLD, nginx (1 worker), gohttpd NEW, interleaved.
# Server pinned to cpu 0, h2load --h1 -n N -c 8 -t 1 on cpu 1. Prints req/s, server task-clock and
# context switches per request (perf stat -p on the child / the nginx worker).
# Setup: /tmp/tlska-m (configs from /tmp/tls-measure-setup.sh, ports 28443 OLD, 28444 nginx, 28445 NEW);
# the gohttpd config has MaxKeepAliveRequests 100000 like nginx's keepalive_requests 100000 (without
# it Apache's default 100 makes h2load re-handshake every 100 requests). EXTRA2="line" appends to NEW's config.
# Usage: /tmp/tlska-measure.sh OLD-BIN NEW-BIN [rounds] [requests]
OLD=${1:-/tmp/tlska-base}; NEW=${2:-/tmp/tlska-new}; ROUNDS=${3:-3}; N=${4:-20000}
M=/tmp/tlska-m
mkdir -p $M/go2/logs
sed -e 's#/go$#/go2#; s/28180/28181/; s/28443/28445/g' $M/go/httpd.conf > $M/go2/httpd.conf
[ -n "$EXTRA2" ] && echo "$EXTRA2" >> $M/go2/httpd.conf
taskset -c 0 $OLD -f $M/go/httpd.conf -D FOREGROUND >$M/go/logs/stderr 2>&1 &
P1=$!
taskset -c 0 $NEW -f $M/go2/httpd.conf -D FOREGROUND >$M/go2/logs/stderr 2>&1 &
P2=$!
taskset -c 0 nginx -c $M/nginx/nginx.conf -g 'daemon off;' >$M/nginx/logs/stderr 2>&1 &
P3=$!
trap 'kill $P1 $P2 $P3 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 50); do
  curl -sk -o /dev/null https://127.0.0.1:28443/1k.bin && curl -sk -o /dev/null https://127.0.0.1:28445/1k.bin && curl -sk -o /dev/null https://127.0.0.1:28444/1k.bin && break; sleep 0.2; done
C1=$(pgrep -P $P1 | head -1); C2=$(pgrep -P $P2 | head -1); W3=$(pgrep -P $P3 | head -1)
round() {
  local out=$(mktemp)
  perf stat -x, -e task-clock,context-switches -p $3 -o $out &
  local ps=$!
  sleep 0.1
  local rps=$(timeout 60 taskset -c 1 h2load --h1 -n $N -c 8 -t 1 https://127.0.0.1:$2/1k.bin 2>/dev/null | grep -E '^finished in' | sed 's/.*, \([0-9.]*\) req\/s.*/\1/')
  kill -INT $ps; wait $ps 2>/dev/null
  local tc=$(grep task-clock $out | cut -d, -f1) cs=$(grep context-switches $out | cut -d, -f1)
  echo "$1 $rps req/s, $(awk -v t=$tc -v n=$N 'BEGIN{printf "%.1f", t*1000/n}')us task-clock/req, $(awk -v c=$cs -v n=$N 'BEGIN{printf "%.3f", c/n}') cs/req"
  rm -f $out
}
for r in $(seq $ROUNDS); do
  round "old   r$r" 28443 $C1
  round "nginx r$r" 28444 $W3
  round "new   r$r" 28445 $C2
done
