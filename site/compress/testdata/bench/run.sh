#!/bin/sh
# Throughput of the 100 KB stylesheet, gzip and br: gohttpd's fileServer
# (on-disk cache, and sidecars) against nginx (gzip on / gzip_static on,
# brotli on / brotli_static on). Server on CPU 0, wrk on CPU 1, 5 s each.
# Needs nginx with libnginx-mod-http-brotli-{filter,static}, wrk.
# The machine is shared: each configuration is loaded ROUNDS times (default
# 3), interleaved, and the best round is reported (interference only
# lowers a server's throughput).
# Usage: site/compress/testdata/bench/run.sh   (from the repository root)
set -e
D=/tmp/compress-ng
mkdir -p $D/html $D/bin
go test -c -o $D/bin/compress.test ./site/compress
HERE=$(dirname "$0")
# gohttpd: cache on 18471, sidecars on 18474; they also write the files nginx serves
COMPRESS_WRK_ADDR=127.0.0.1:18471 COMPRESS_WRK_DOCS=$D/html COMPRESS_WRK_SECONDS=400 GOMAXPROCS=1 \
  taskset -c 0 $D/bin/compress.test -test.run TestServeForWrk > $D/gohttpd-cache.log 2>&1 &
G1=$!
COMPRESS_WRK_ADDR=127.0.0.1:18474 COMPRESS_WRK_SIDECARS=1 COMPRESS_WRK_SECONDS=400 GOMAXPROCS=1 \
  taskset -c 0 $D/bin/compress.test -test.run TestServeForWrk > $D/gohttpd-sidecar.log 2>&1 &
G2=$!
for i in $(seq 1 50); do curl -s -o /dev/null http://127.0.0.1:18471/style.css && curl -s -o /dev/null http://127.0.0.1:18474/style.css && break; sleep 0.2; done
for i in $(seq 1 50); do [ -f $D/html/style.css.br ] && break; sleep 0.2; done
cp $HERE/nginx.conf $D/nginx.conf
taskset -c 0 /usr/sbin/nginx -p $D -c $D/nginx.conf &
N=$!
for i in $(seq 1 50); do curl -s -o /dev/null http://127.0.0.1:18473/style.css && break; sleep 0.2; done
load() { # name port encoding
  # warm (fills the cache), check, then measure
  curl -s -o /dev/null -H "Accept-Encoding: $3" http://127.0.0.1:$2/style.css
  ce=$(curl -s -D - -o /dev/null -H "Accept-Encoding: $3" http://127.0.0.1:$2/style.css | tr -d '\r' | awk -F': ' 'tolower($1)=="content-encoding"{print $2}')
  r=$(taskset -c 1 wrk -t1 -c32 -d5s -H "Accept-Encoding: $3" http://127.0.0.1:$2/style.css | awk '/Requests\/sec/{print $2}')
  echo "$1 $3 ce=$ce req/s=$r" | tee -a $D/rounds.txt
}
: > $D/rounds.txt
for round in $(seq 1 ${ROUNDS:-3}); do
  for e in identity gzip br; do
    load gohttpd-cache 18471 $e
    load gohttpd-sidecar 18474 $e
    load nginx-dynamic 18472 $e
    load nginx-static 18473 $e
  done
done
echo "best of ${ROUNDS:-3} rounds:"
awk '{split($4,a,"="); k=$1" "$2" "$3; if (a[2]+0 > best[k]) best[k]=a[2]+0} END {for (k in best) print k, best[k]}' $D/rounds.txt | sort
kill $N $G1 $G2 2>/dev/null || true
wait 2>/dev/null || true
