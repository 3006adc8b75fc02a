#!/bin/bash
# RSS per idle keep-alive connection (one 1 KB request served on each, then idle):
# gohttpd event plain HTTP, gohttpd event TLS, nginx TLS (1 worker), N connections (default 1000).
# Usage: /tmp/tlska-idle.sh BIN [N]
BIN=${1:-/tmp/tlska-new}; N=${2:-1000}; M=/tmp/tlska-m
mkdir -p $M/gomem/logs
sed -e 's#/go$#/gomem#; s/28180/28190/; s/28443/28453/g; s/^MaxRequestWorkers 25$/MaxRequestWorkers 25\nAsyncRequestWorkerFactor 200\nKeepAliveTimeout 300/' $M/go/httpd.conf > $M/gomem/httpd.conf
taskset -c 0 $BIN -f $M/gomem/httpd.conf -D FOREGROUND >$M/gomem/logs/stderr 2>&1 & P1=$!
taskset -c 0 nginx -c $M/nginx/nginx.conf -g 'daemon off;' >$M/nginx/logs/stderr 2>&1 & P3=$!
trap 'kill $P1 $P3 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 50); do curl -sk -o /dev/null https://127.0.0.1:28453/1k.bin && curl -sk -o /dev/null https://127.0.0.1:28444/1k.bin && break; sleep 0.2; done
C=$(pgrep -P $P1 | head -1); W=$(pgrep -P $P3 | head -1)
rss() { awk '/^Rss:/{print $2}' /proc/$1/smaps_rollup; }
one() { # label pid addr tls
  local r0=$(rss $2) f=$(mktemp)
  taskset -c 1 /tmp/tlska-idle/idle -a $3 -n $N -tls=$4 -hold 60s > $f & local cp=$!
  for i in $(seq 600); do grep -q ready $f && break; sleep 0.1; done
  sleep 3
  local r1=$(rss $2)
  echo "$1: RSS $r0 KB -> $r1 KB, $(awk -v a=$r0 -v b=$r1 -v n=$N 'BEGIN{printf "%.1f", (b-a)*1024/n/1024}') KB per idle connection"
  kill $cp; wait $cp 2>/dev/null; rm -f $f; sleep 2
}
one "gohttpd plain" $C 127.0.0.1:28190 false
one "gohttpd TLS  " $C 127.0.0.1:28453 true
one "nginx TLS    " $W 127.0.0.1:28444 true
