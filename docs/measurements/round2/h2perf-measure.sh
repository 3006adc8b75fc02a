#!/bin/bash
# h2perf-measure.sh: h2load -c10 -m10 against gohttpd (event child, worker child) and nginx (1 worker),
# TLS and h2c, interleaved rounds; prints req/s and server CPU us/request (utime+stime of the server's
# processes from /proc) per run, then medians and ratios vs nginx.
# Usage: ROUNDS=3 N=100000 /tmp/h2perf-measure.sh "name:pids:h2cport:tlsport" ...
# Servers must already run pinned with taskset -c 0; h2load runs on core 1.
ROUNDS=${ROUNDS:-3}; N=${N:-100000}
tck=$(getconf CLK_TCK)
cpu() { local s=0; for p in ${1//,/ }; do s=$((s + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $s; }
declare -A RPS CPU
for r in $(seq $ROUNDS); do
  for spec in "$@"; do
    IFS=: read name pids h2c tls <<<"$spec"
    for mode in h2c tls; do
      if [ $mode = h2c ]; then url=http://127.0.0.1:$h2c/1k.html; else url=https://127.0.0.1:$tls/1k.html; fi
      t0=$(cpu $pids)
      out=$(timeout 120 taskset -c 1 h2load -n $N -c 10 -m 10 $url 2>&1)
      t1=$(cpu $pids)
      rps=$(echo "$out" | sed -n 's/.*finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p')
      ok=$(echo "$out" | sed -n 's/.* \([0-9]*\) succeeded.*/\1/p')
      us=$(echo "scale=2; ($t1-$t0)*1000000/$tck/$N" | bc)
      echo "round $r $name $mode: $rps req/s, $ok ok, CPU $us us/req"
      RPS[$name.$mode]+="$rps "; CPU[$name.$mode]+="$us "
    done
  done
done
med() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
first=${1%%:*}
echo "== medians"
for spec in "$@"; do name=${spec%%:*}; for mode in h2c tls; do
  echo "$name $mode: $(echo ${RPS[$name.$mode]} | med) req/s, $(echo ${CPU[$name.$mode]} | med) us/req"
done; done
