#!/bin/bash
# reqcost-measure.sh: issue 18 items 2 and 3, interleaved rounds, medians.
#
#   reqcost-measure.sh small [ROUNDS]   1 KB keep-alive, server pinned on core 0, wrk -t1 -c50 -d4s on core 1:
#                                       C ceiling, gohttpd event (1 child, 64 threads), nginx 1 worker;
#                                       requests/s and server CPU ns per request (schedstat of every thread of the tree)
#   reqcost-measure.sh two [ROUNDS]     same, unpinned, gohttpd event 2 children vs nginx 2 workers, wrk -t2 -c100
#   reqcost-measure.sh large [ROUNDS]   64 KB and 1 MB keep-alive, pinned, wrk -t1 -c10 -d4s, MiB/s:
#                                       gohttpd event, worker, prefork, nginx 1 worker (sendfile, tcp_nopush), Apache event
# BIN=path to gohttpd (default /tmp/reqcost-gohttpd); OLDBIN=another gohttpd to run interleaved as "old-event".
# Needs: gcc (for the ceiling), nginx, apache2, wrk, taskset. Files under /tmp/reqcost, /tmp/reqcost-nginx, /tmp/reqcost-ap.
set -u
MODE=${1:-small}; ROUNDS=${2:-5}; DUR=${DUR:-4s}
BIN=${BIN:-/tmp/reqcost-gohttpd}; OLDBIN=${OLDBIN:-}
SRC=${SRC:-/work/wt/reqcost}
D=/tmp/reqcost; N=/tmp/reqcost-nginx; A=/tmp/reqcost-ap
mkdir -p $D/htdocs $N $A
[ -s $D/htdocs/1k.html ] || head -c 1024 /dev/zero | tr '\0' 'a' > $D/htdocs/1k.html
[ -s $D/htdocs/64k.bin ] || head -c 65536 /dev/urandom > $D/htdocs/64k.bin
[ -s $D/htdocs/1m.bin ] || head -c 1048576 /dev/urandom > $D/htdocs/1m.bin
chmod -R a+rX $D
[ -x $D/ceiling ] || sh $SRC/bench/ceiling/build.sh $D/ceiling || exit 1

gconf() { # name port mpm children
  local extra="StartServers $4
ServerLimit $4
ThreadsPerChild 64"
  [ $3 = prefork ] && extra="StartServers 16
MinSpareServers 8
MaxSpareServers 32
ServerLimit 64
MaxRequestWorkers 64"
  cat > $D/$1.conf <<E
ServerRoot $D
Listen 127.0.0.1:$2
LoadModule mpm_$3_module x
$extra
MaxKeepAliveRequests 0
PidFile $D/$1.pid
ErrorLog $D/$1.err
DocumentRoot $D/htdocs
ServerName www.bench
E
}
nconf() { # workers port
  cat > $N/nginx$1.conf <<E
worker_processes $1;
pid $N/nginx$1.pid;
error_log $N/error$1.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000000;
  types { text/html html; application/octet-stream bin; }
  client_body_temp_path $N/body; proxy_temp_path $N/proxy; fastcgi_temp_path $N/fcgi;
  uwsgi_temp_path $N/uwsgi; scgi_temp_path $N/scgi;
  server { listen 127.0.0.1:$2; server_name www.bench; root $D/htdocs; }
}
E
}
aconf() { # port
  cat > $A/httpd.conf <<E
ServerRoot $A
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
User nobody
Group nogroup
Listen 127.0.0.1:$1
PidFile $A/httpd.pid
ErrorLog $A/error.log
StartServers 1
ServerLimit 1
ThreadsPerChild 64
MaxRequestWorkers 64
MaxKeepAliveRequests 0
EnableSendfile On
TypesConfig /etc/mime.types
DocumentRoot $D/htdocs
ServerName www.bench
<Directory $D/htdocs>
  Require all granted
</Directory>
E
}

PIN="taskset -c 0"; LPIN="taskset -c 1"; WRK="wrk -t1 -c50"
[ $MODE = two ] && { PIN=""; LPIN=""; WRK="wrk -t2 -c100"; }
[ $MODE = large ] && WRK="wrk -t1 -c10"

declare -A PIDF PORT
NAMES=()
start_g() { # name port mpm children bin
  gconf $1 $2 $3 $4; rm -f $D/$1.pid
  $PIN $5 -f $D/$1.conf -D FOREGROUND >$D/$1.out 2>&1 &
  PIDF[$1]=$D/$1.pid; PORT[$1]=$2; NAMES+=($1)
}
start_n() { # name workers port
  nconf $2 $3; rm -f $N/nginx$2.pid
  $PIN nginx -c $N/nginx$2.conf -g 'daemon off;' >$N/out$2 2>&1 &
  PIDF[$1]=$N/nginx$2.pid; PORT[$1]=$3; NAMES+=($1)
}
start_c() {
  $PIN $D/ceiling 127.0.0.1 18191 1024 >$D/ceiling.out 2>&1 &
  echo $! > $D/ceiling.pid; PIDF[ceiling]=$D/ceiling.pid; PORT[ceiling]=18191; NAMES+=(ceiling)
}
start_a() {
  aconf 18195; rm -f $A/httpd.pid
  $PIN apache2 -f $A/httpd.conf -D FOREGROUND >$A/out 2>&1 &
  PIDF[apache]=$A/httpd.pid; PORT[apache]=18195; NAMES+=(apache)
}
case $MODE in
small) start_c; start_g event 18192 event 1 $BIN; [ -n "$OLDBIN" ] && start_g old-event 18198 event 1 $OLDBIN; start_n nginx 1 18193; PATHS="/1k.html";;
two)   start_c; start_g event 18192 event 2 $BIN; [ -n "$OLDBIN" ] && start_g old-event 18198 event 2 $OLDBIN; start_n nginx 2 18194; PATHS="/1k.html";;
large) start_g event 18192 event 1 $BIN; [ -n "$OLDBIN" ] && start_g old-event 18198 event 1 $OLDBIN
       start_g worker 18196 worker 1 $BIN; start_g prefork 18197 prefork 16 $BIN
       start_n nginx 1 18193; start_a; PATHS="/64k.bin /1m.bin";;
esac
cleanup() { for n in "${NAMES[@]}"; do p=$(cat ${PIDF[$n]} 2>/dev/null) && kill -TERM $p 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
for n in "${NAMES[@]}"; do
  for i in $(seq 100); do [ -s ${PIDF[$n]} ] && curl -s -o /dev/null http://127.0.0.1:${PORT[$n]}/1k.html && break; sleep 0.2; done
done
sleep 2
tree() { local p=$1; echo $p; for c in $(pgrep -P $p); do tree $c; done; }
cpuns() { local s=0; for p in $(tree $1); do for t in /proc/$p/task/*/schedstat; do read a b c < $t 2>/dev/null && s=$((s+a)); done; done; echo $s; }
tomib() { awk -v v="$1" 'BEGIN{u=substr(v,length(v)-1); x=substr(v,1,length(v)-2)+0; if(u=="GB")x*=1024; else if(u=="KB")x/=1024; else if(u!="MB"){x=v/1048576}; printf "%.0f", x}'; }
OUT=$D/results-$MODE.txt; : > $OUT
echo "# $(date -u) mode=$MODE rounds=$ROUNDS dur=$DUR bin=$BIN $(sha1sum < $BIN | cut -c1-8) cmd: $PIN server; $LPIN $WRK -d$DUR" | tee -a $OUT
for r in $(seq $ROUNDS); do
  for path in $PATHS; do
    for n in "${NAMES[@]}"; do
      mp=$(cat ${PIDF[$n]}); c0=$(cpuns $mp)
      res=$($LPIN $WRK -d$DUR http://127.0.0.1:${PORT[$n]}$path 2>&1)
      c1=$(cpuns $mp)
      reqs=$(echo "$res" | awk '/requests in/{print $1}')
      rps=$(echo "$res" | awk '/Requests\/sec/{print $2}')
      tr=$(echo "$res" | awk '/Transfer\/sec/{print $2}')
      errs=$(echo "$res" | grep -E 'Socket errors|Non-2xx' | tr '\n' ' ')
      echo "$r $path $n rps=$rps mibs=$(tomib $tr) ns_per_req=$(( (c1-c0)/(reqs>0?reqs:1) )) $errs" | tee -a $OUT
    done
  done
done
echo "# medians" | tee -a $OUT
python3 - "$OUT" <<'PY' | tee -a $OUT
import sys, statistics, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    f = line.split()
    if not f or f[0].startswith('#'): continue
    kv = dict(x.split('=', 1) for x in f[3:6])
    rows.setdefault((f[1], f[2]), []).append({k: float(v) for k, v in kv.items()})
med = {}
for (path, n), rs in rows.items():
    med[(path, n)] = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
for (path, n), m in med.items():
    ref = med.get((path, 'nginx')); c = med.get((path, 'ceiling'))
    extra = ''
    if ref: extra += ' rps/nginx=%.2f mibs/nginx=%.2f' % (m['rps'] / ref['rps'], m['mibs'] / max(ref['mibs'], 1))
    if c: extra += ' cpu/ceiling=%.2f' % (m['ns_per_req'] / c['ns_per_req'])
    print('%s %-10s rps=%.0f MiB/s=%.0f ns/req=%.0f%s' % (path, n, m['rps'], m['mibs'], m['ns_per_req'], extra))
PY
