#!/bin/bash
# Interleaved CMS vs plain measurement (issue 15), one event child per server,
# servers pinned to CPU 0, wrk on CPU 1.
# usage: cms-measure.sh [rounds] [name=binary ...]   (default: new=/tmp/cms-gohttpd)
# Prints per run: name conf req/s cpu-us/request; then medians and cms/plain ratios.
# Configs: /tmp/cms-m/NAME-{plain,cms,ovall}.conf (copies of /tmp/m14's with own ports/pids).
# A binary named "apache2" runs Apache 2.4 on /tmp/cms-apm/{plain,cms,ovall}.conf (same sites,
# event MPM, one child: StartServers 1, ServerLimit 1, ThreadsPerChild 64).
ROUNDS=${1:-5}; shift
BINS=("$@"); [ ${#BINS[@]} -eq 0 ] && BINS=(new=/tmp/cms-gohttpd)
CONFS=${CONFS:-"plain cms ovall"}
D=/tmp/cms-m
mk() { # name conf port
  sed -e "s#/tmp/m14#$D#g" -e "s#^Listen .*#Listen 127.0.0.1:$3#" -e "s#^PidFile .*#PidFile $D/$1-$2.pid#" \
      -e "s#^ErrorLog .*#ErrorLog $D/$1-$2.err#" /tmp/m14/$2.conf > $D/$1-$2.conf
}
declare -A PORT
port=18700
for b in "${BINS[@]}"; do
  name=${b%%=*}; bin=${b#*=}
  for c in $CONFS; do
    if [ "$(basename $bin)" = apache2 ]; then
      PORT[$name-$c]=$(awk '/^Listen/{sub(/.*:/,"",$2); print $2}' /tmp/cms-apm/$c.conf)
      rm -f /tmp/cms-apm/$c.pid; ln -sf /tmp/cms-apm/$c.pid $D/$name-$c.pid
      taskset -c 0 apache2 -f /tmp/cms-apm/$c.conf -D FOREGROUND > $D/$name-$c.out 2>&1 &
      continue
    fi
    port=$((port+1)); PORT[$name-$c]=$port
    mk $name $c $port
    rm -f $D/$name-$c.pid
    taskset -c 0 $bin -f $D/$name-$c.conf -D FOREGROUND > $D/$name-$c.out 2>&1 &
  done
done
cleanup() { for b in "${BINS[@]}"; do name=${b%%=*}; for c in $CONFS; do
  p=$(cat $D/$name-$c.pid 2>/dev/null); [ -n "$p" ] && kill $p; done; done; }
trap cleanup EXIT
for k in "${!PORT[@]}"; do
  for i in $(seq 1 50); do curl -s -o /dev/null -H 'Host: www.bench' http://127.0.0.1:${PORT[$k]}/1k.html && break; sleep 0.2; done
  st=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: www.bench' http://127.0.0.1:${PORT[$k]}/1k.html)
  [ "$st" = 200 ] || { echo "$k: status $st"; exit 1; }
done
cputicks() { # master pid file -> utime+stime of master and children
  local m=$(cat $1) t=0
  for p in $m $(pgrep -P $m); do t=$((t + $(awk '{print $14+$15}' /proc/$p/stat))); done
  echo $t
}
HZ=$(getconf CLK_TCK)
RES=$D/results.$$
for r in $(seq 1 $ROUNDS); do
  for b in "${BINS[@]}"; do name=${b%%=*}
    for c in $CONFS; do
      t0=$(cputicks $D/$name-$c.pid)
      out=$(taskset -c 1 wrk -t1 -c50 -d4s -H 'Host: www.bench' http://127.0.0.1:${PORT[$name-$c]}/1k.html)
      t1=$(cputicks $D/$name-$c.pid)
      rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
      n=$(echo "$out" | awk '/requests in/{print $1}')
      bad=$(echo "$out" | awk '/Non-2xx/{print $5}')
      us=$(awk -v t=$((t1-t0)) -v n=$n -v hz=$HZ 'BEGIN{printf "%.2f", t/hz*1e6/n}')
      echo "$r $name $c $rps $us ${bad:+non2xx=$bad}" | tee -a $RES
    done
  done
done
echo "medians (req/s, cpu us/request):"
for b in "${BINS[@]}"; do name=${b%%=*}
  for c in $CONFS; do
    mr=$(awk -v n=$name -v c=$c '$2==n&&$3==c{print $4}' $RES | sort -g | awk '{a[NR]=$1}END{print a[int((NR+1)/2)]}')
    mu=$(awk -v n=$name -v c=$c '$2==n&&$3==c{print $5}' $RES | sort -g | awk '{a[NR]=$1}END{print a[int((NR+1)/2)]}')
    echo "$name $c $mr $mu"
  done
  for c in $CONFS; do [ $c = plain ] && continue
    # per-round ratio c/plain, median
    rr=$(awk -v n=$name -v c=$c '$2==n&&$3=="plain"{p[$1]=$4} $2==n&&$3==c{x[$1]=$4} END{for(r in x) print x[r]/p[r]}' $RES | sort -g | awk '{a[NR]=$1}END{print a[int((NR+1)/2)]}')
    echo "$name $c/plain throughput ratio (median of per-round ratios): $rr"
  done
done
rm -f $RES
