#!/bin/bash
# quiet re-measurement of the round's headline figures, one after the other
B=/tmp/q/gohttpd
cd /tmp
echo "=== reqcost small $(date +%T)"; BIN=$B OLDBIN=/tmp/reqcost-gohttpd-base /tmp/reqcost-measure.sh small 5 > /tmp/q/reqcost-small.txt 2>&1
echo "=== cms $(date +%T)"; /tmp/cms-measure.sh 5 base=/tmp/cms-gohttpd-base new=$B > /tmp/q/cms.txt 2>&1
echo "=== h2 $(date +%T)"; BIN=$B OLD=/tmp/h2perf/gohttpd-base ROUNDS=3 /tmp/h2perf-run.sh > /tmp/q/h2.txt 2>&1
echo "=== tls hs x25519 $(date +%T)"; /tmp/tls-measure.sh /tmp/tls-gohttpd $B 3 8 -curve x25519 > /tmp/q/tls-hs-x25519.txt 2>&1
echo "=== tls hs default $(date +%T)"; /tmp/tls-measure.sh /tmp/tls-gohttpd $B 3 8 -curve default > /tmp/q/tls-hs-default.txt 2>&1
echo "=== tls ka $(date +%T)"; /tmp/tlska-measure.sh /tmp/tlska-main $B 5 20000 > /tmp/q/tls-ka.txt 2>&1
echo "=== proxy $(date +%T)"; /tmp/proxy-measure.sh $B 5 3s /tmp/proxy-gohttpd-base > /tmp/q/proxy.txt 2>&1
echo "=== reqcost large $(date +%T)"; BIN=$B /tmp/reqcost-measure.sh large 2 > /tmp/q/reqcost-large.txt 2>&1
echo "=== prefork $(date +%T)"; /tmp/prefork-measure.sh 3 6 /tmp/prefork-gohttpd-base $B > /tmp/q/prefork.txt 2>&1
echo "=== done $(date +%T)"
