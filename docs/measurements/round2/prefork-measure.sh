#!/bin/bash
# Issue 18 item 1: gohttpd prefork vs Apache prefork at 256 children (StartServers 256,
# MinSpareServers 32, MaxSpareServers 256, ServerLimit 256, MaxRequestWorkers 256),
# 1 KB file, keep-alive and `Connection: close`; servers pinned to core 0, wrk on core 1;
# all servers run at once (idle when not measured) and the wrk runs are interleaved
# (apache, gohttpd[, gohttpd2] per round). Medians at the end.
# usage: prefork-measure.sh [ROUNDS] [SECONDS] GOHTTPD_BIN [GOHTTPD_BIN2 ...]
# build: (cd /work/wt/prefork && go build -o /tmp/prefork-gohttpd ./cmd/gohttpd); e.g. prefork-measure.sh 3 10 /tmp/prefork-gohttpd
# env CONNS (default 50) = wrk -c.
ROUNDS=${1:-3}; DUR=${2:-8}; shift 2
BINS=("${@:-/tmp/prefork-gohttpd}")
CONNS=${CONNS:-50}
AP=/tmp/prefork-ap APORT=29456
mkdir -p $AP/logs /tmp/prefork-site
[ -f /tmp/prefork-site/1k.bin ] || head -c 1024 /dev/urandom > /tmp/prefork-site/1k.bin
chmod -R a+rX /tmp/prefork-site
cat > $AP/httpd.conf <<AEOF
ServerRoot /tmp/prefork-ap
LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
User nobody
Group nogroup
Listen 127.0.0.1:$APORT
ServerName localhost
PidFile /tmp/prefork-ap/httpd.pid
ErrorLog /tmp/prefork-ap/logs/error.log
DocumentRoot /tmp/prefork-site
<Directory /tmp/prefork-site>
Require all granted
</Directory>
TypesConfig /etc/mime.types
StartServers 256
MinSpareServers 32
MaxSpareServers 256
ServerLimit 256
MaxRequestWorkers 256
AEOF
rm -f $AP/httpd.pid
taskset -c 0 apache2 -f $AP/httpd.conf -D FOREGROUND > /tmp/prefork-ap.out 2>&1 &
names=(apache) ports=($APORT) pidfs=($AP/httpd.pid) bgs=($!)
i=0
for b in "${BINS[@]}"; do
  i=$((i+1)); port=$((29456+i))
  cat > /tmp/prefork-g$i.conf <<GEOF
MPM prefork
Listen 127.0.0.1:$port
ServerName localhost
PidFile /tmp/prefork-g$i.pid
ErrorLog /tmp/prefork-g$i-error.log
DocumentRoot /tmp/prefork-site
StartServers 256
MinSpareServers 32
MaxSpareServers 256
ServerLimit 256
MaxRequestWorkers 256
GEOF
  rm -f /tmp/prefork-g$i.pid
  taskset -c 0 $b -f /tmp/prefork-g$i.conf -D FOREGROUND > /tmp/prefork-g$i.out 2>&1 &
  names+=("gohttpd$i:$(basename $b)") ports+=($port) pidfs+=(/tmp/prefork-g$i.pid) bgs+=($!)
done
waitkids() { local pidf=$1; for i in $(seq 1 100); do [ -s $pidf ] && break; sleep 0.2; done
  local mp=$(cat $pidf); for i in $(seq 1 120); do [ $(pgrep -P $mp | wc -l) -ge 256 ] && break; sleep 0.5; done; echo $mp; }
mps=(); for k in ${!names[@]}; do mps+=($(waitkids ${pidfs[$k]})); done
sleep 3
tree() { echo "$1 $(pgrep -P $1 | tr '\n' ' ')"; }
pss() { local s=0 v; for p in $(tree $1); do v=$(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup 2>/dev/null); s=$((s+${v:-0})); done; echo $((s/1024)); }
cpu() { for p in $(tree $1); do awk '{print $14+$15}' /proc/$p/stat 2>/dev/null; done | awk '{s+=$1} END{print s}'; }
csw() { for p in $(tree $1); do cat /proc/$p/task/*/status 2>/dev/null; done | awk '/ctxt_switches/{s+=$2} END{print s}'; }
child() { local c=$(pgrep -P $1 | tail -1); echo "child: threads=$(awk '/Threads/{print $2}' /proc/$c/status) $(awk '/^(Rss|Pss|Private_Dirty|Shared_Clean):/{printf "%s%s ", $1, $2}' /proc/$c/smaps_rollup) kB"; }
for k in ${!names[@]}; do
  echo "${names[$k]} children=$(pgrep -P ${mps[$k]} | wc -l) PSS_tree_MB=$(pss ${mps[$k]}) $(child ${mps[$k]})"
  curl -s -o /dev/null -w "${names[$k]} curl %{http_code}\n" http://127.0.0.1:${ports[$k]}/1k.bin
done
hz=$(getconf CLK_TCK)
run() { # name mp port case
  local h=(); [ $4 = cl ] && h=(-H 'Connection: close')
  local c0=$(cpu $2) s0=$(csw $2)
  taskset -c 1 wrk -t1 -c$CONNS -d${DUR}s --latency "${h[@]}" http://127.0.0.1:$3/1k.bin > /tmp/prefork-wrk.txt
  local c1=$(cpu $2) s1=$(csw $2)
  local rps=$(awk '/Requests\/sec/{print $2}' /tmp/prefork-wrk.txt)
  local n=$(awk '/requests in/{print $1}' /tmp/prefork-wrk.txt)
  local p99=$(awk '/ 99%/{print $2}' /tmp/prefork-wrk.txt)
  local err=$(grep -E 'Socket errors|Non-2xx' /tmp/prefork-wrk.txt | tr '\n' ' ')
  local us=$(awk -v a=$c0 -v b=$c1 -v n=$n -v hz=$hz 'BEGIN{printf "%.1f", (b-a)/hz*1e6/n}')
  local cs=$(awk -v a=$s0 -v b=$s1 -v n=$n 'BEGIN{printf "%.2f", (b-a)/n}')
  echo "RUN $1 $4 rps=$rps p99=$p99 cpu_us_per_req=$us ctxsw_per_req=$cs requests=$n ${err:-errors=0}"
}
for r in $(seq 1 $ROUNDS); do
  for c in ka cl; do for k in ${!names[@]}; do run ${names[$k]} ${mps[$k]} ${ports[$k]} $c; done; done
done | tee /tmp/prefork-runs.txt
for k in ${!names[@]}; do
  echo "${names[$k]} after: PSS_tree_MB=$(pss ${mps[$k]}) children=$(pgrep -P ${mps[$k]} | wc -l) $(child ${mps[$k]})"
done
tomsec() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'; }
med() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
field() { grep "RUN $1 $2 " /tmp/prefork-runs.txt | sed "s/.* $3=\([^ ]*\).*/\1/"; }
for c in ka cl; do for s in ${names[@]}; do
  echo "MEDIAN $s $c rps=$(field $s $c rps | med) p99_ms=$(field $s $c p99 | tomsec | med) cpu_us_per_req=$(field $s $c cpu_us_per_req | med) ctxsw_per_req=$(field $s $c ctxsw_per_req | med)"
done; done
kill -TERM ${mps[@]}; wait ${bgs[@]} 2>/dev/null
