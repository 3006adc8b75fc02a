#!/bin/bash
# Reverse proxy 1 KB: gohttpd (event, one child) vs nginx (1 worker) proxy_pass,
# same nginx backend (1 worker, pinned to CPU 1 with wrk), proxies pinned to CPU 0.
# Usage: /tmp/proxy-measure.sh [GOHTTPD_BINARY] [ROUNDS] [DURATION] [BASE_BINARY]
# Prints per round: req/s, p99, proxy CPU µs/request (utime+stime of the proxy processes).
# With BASE_BINARY (the build before the round's changes: /tmp/proxy-gohttpd-base) it is
# measured too, interleaved (nginx, gohttpd, base, ...), on port 18205.
BIN=${1:-/tmp/proxy-gohttpd}
ROUNDS=${2:-5}
DUR=${3:-4s}
BASE=$4
D=/tmp/proxy-m
mkdir -p $D/be $D/ng $D/go $D/docs
head -c 1024 /dev/zero | tr '\0' x > $D/docs/1k
cat > $D/be/nginx.conf <<'X'
worker_processes 1;
pid /tmp/proxy-m/be/nginx.pid;
error_log /tmp/proxy-m/be/error.log;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:18201; root /tmp/proxy-m/docs; location / { } } }
X
cat > $D/ng/nginx.conf <<'X'
worker_processes 1;
pid /tmp/proxy-m/ng/nginx.pid;
error_log /tmp/proxy-m/ng/error.log;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000;
  upstream be { server 127.0.0.1:18201; keepalive 64; }
  server { listen 127.0.0.1:18202;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
X
cat > $D/go/httpd.conf <<'X'
ServerRoot /tmp/proxy-m/go
ServerName localhost
Listen 127.0.0.1:18203
PidFile /tmp/proxy-m/go/httpd.pid
ErrorLog /tmp/proxy-m/go/error.log
LogLevel warn
User nobody
Group nogroup
MPM event
StartServers 1
ServerLimit 1
MinSpareThreads 1
MaxSpareThreads 64
ThreadsPerChild 64
MaxRequestWorkers 64
KeepAliveTimeout 60
MaxKeepAliveRequests 0
DocumentRoot /tmp/proxy-m/docs
ProxyPass / http://127.0.0.1:18201/ keepalive=On
X
chmod -R a+rX $D
stop() {
  [ -f $D/go/httpd.pid ] && kill $(cat $D/go/httpd.pid) 2>/dev/null
  [ -f $D/go/base.pid ] && kill $(cat $D/go/base.pid) 2>/dev/null
  for n in ng be; do [ -f $D/$n/nginx.pid ] && kill $(cat $D/$n/nginx.pid) 2>/dev/null; done
  sleep 1
}
stop
taskset -c 1 nginx -c $D/be/nginx.conf
taskset -c 0 nginx -c $D/ng/nginx.conf
taskset -c 0 $BIN -f $D/go/httpd.conf -k start
if [ -n "$BASE" ]; then
  sed 's/18203/18205/; s#go/httpd.pid#go/base.pid#; s#go/error.log#go/base-error.log#' $D/go/httpd.conf > $D/go/base.conf
  taskset -c 0 $BASE -f $D/go/base.conf -k start
fi
sleep 1
cpu() { # summed utime+stime ticks of the given pids
  local t=0; for p in "$@"; do set -- $(sed 's/.*) //' /proc/$p/stat); t=$((t + ${12} + ${13})); done; echo $t; }
ngpids=$(pgrep -P $(cat $D/ng/nginx.pid))
gopids="$(cat $D/go/httpd.pid) $(pgrep -P $(cat $D/go/httpd.pid))"
[ -n "$BASE" ] && basepids="$(cat $D/go/base.pid) $(pgrep -P $(cat $D/go/base.pid))"
tck=$(getconf CLK_TCK)
run() { # name port pids...
  local name=$1 port=$2; shift 2
  local c0=$(cpu $@)
  local out=$(taskset -c 1 wrk -t1 -c50 -d$DUR --latency http://127.0.0.1:$port/1k)
  local c1=$(cpu $@)
  local reqs=$(echo "$out" | awk '/requests in/{print $1}')
  local rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  local p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  local p50=$(echo "$out" | awk '$1=="50%"{print $2}')
  local err=$(echo "$out" | grep -E 'Non-2xx|Socket errors' | tr '\n' ' ')
  local us=$(awk -v c=$((c1-c0)) -v n=$reqs -v t=$tck 'BEGIN{printf "%.1f", c/t*1e6/n}')
  echo "$name rps=$rps p50=$p50 p99=$p99 cpu_us_per_req=$us $err"
}
# warm up both
taskset -c 1 wrk -t1 -c50 -d1s http://127.0.0.1:18202/1k >/dev/null
taskset -c 1 wrk -t1 -c50 -d1s http://127.0.0.1:18203/1k >/dev/null
[ -n "$BASE" ] && taskset -c 1 wrk -t1 -c50 -d1s http://127.0.0.1:18205/1k >/dev/null
for i in $(seq $ROUNDS); do
  run nginx 18202 $ngpids
  run gohttpd 18203 $gopids
  [ -n "$BASE" ] && run base 18205 $basepids
done | tee $D/last.txt
stop
awk '{split($2,a,"="); split($5,c,"="); r[$1]=r[$1]" "a[2]; u[$1]=u[$1]" "c[2]}
 END{for(k in r){print k, "rps:", r[k], " cpu_us:", u[k]}}' $D/last.txt
python3 - $D/last.txt <<'P'
import sys,statistics as s
rows=[l.split() for l in open(sys.argv[1])]
def ms(v):
  v=v.split('=')[1]
  if v.endswith('us'): return float(v[:-2])/1000
  if v.endswith('ms'): return float(v[:-2])
  if v.endswith('s'): return float(v[:-1])*1000
  return float(v)
g=[r for r in rows if r[0]=='gohttpd']; n=[r for r in rows if r[0]=='nginx']; bs=[r for r in rows if r[0]=='base']
rps=lambda rs:[float(r[1].split('=')[1]) for r in rs]
p99=lambda rs:[ms(r[3]) for r in rs]
cpu=lambda rs:[float(r[4].split('=')[1]) for r in rs]
print("median rps  nginx %.0f gohttpd %.0f ratio %.2f; median of pair ratios %.2f" % (s.median(rps(n)), s.median(rps(g)), s.median(rps(g))/s.median(rps(n)), s.median([a/b for a,b in zip(rps(g),rps(n))])))
print("median p99  nginx %.2f ms gohttpd %.2f ms" % (s.median(p99(n)), s.median(p99(g))))
print("median cpu  nginx %.1f us/req gohttpd %.1f us/req (ratio nginx/gohttpd %.2f)" % (s.median(cpu(n)), s.median(cpu(g)), s.median(cpu(n))/s.median(cpu(g))))
if bs:
  print("base: median rps %.0f (ratio to nginx %.2f, median of pair ratios %.2f), p99 %.2f ms, cpu %.1f us/req" % (s.median(rps(bs)), s.median(rps(bs))/s.median(rps(n)), s.median([a/b for a,b in zip(rps(bs),rps(n))]), s.median(p99(bs)), s.median(cpu(bs))))
P
