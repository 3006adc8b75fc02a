#!/bin/bash
# h2perf-run.sh: reproduces h2perf's headline measurement. Starts nginx (1 worker, h2c 19483, TLS 19493)
# and gohttpd (event one child: h2c 19584 / TLS 19594; worker: h2c 19585 / TLS 19595) pinned to CPU 0
# with the configs in /tmp/h2perf, runs /tmp/h2perf-measure.sh (h2load -c10 -m10 -n N on CPU 1,
# interleaved rounds; CPU us/request from /proc), then stops what it started (by pid).
# BIN: the gohttpd binary (default: build the h2perf worktree). Optional OLD=/path/to/binary adds
# the same configs on ports 19484/19494 (event) and 19485/19495 (worker) for a before/after.
set -e
cd /tmp/h2perf
if [ -z "$BIN" ]; then (cd /work/wt/h2perf && go build -o /tmp/h2perf/gohttpd-run ./cmd/gohttpd); BIN=/tmp/h2perf/gohttpd-run; fi
pids=()
start() { taskset -c 0 "$@" > /dev/null 2>&1 & pids+=($!); }
start nginx -c /tmp/h2perf/ngx/nginx.conf
start "$BIN" -f /tmp/h2perf/httpdn.conf -D FOREGROUND
start "$BIN" -f /tmp/h2perf/httpdwn.conf -D FOREGROUND
if [ -n "$OLD" ]; then start "$OLD" -f /tmp/h2perf/httpd.conf -D FOREGROUND; start "$OLD" -f /tmp/h2perf/httpdw.conf -D FOREGROUND; fi
sleep 3
fam() { echo "$1,$(ps -o pid= --ppid $1 | tr -d ' ' | paste -sd,)"; }
specs=("ngx:$(fam ${pids[0]}):19483:19493" "ev:$(fam ${pids[1]}):19584:19594" "wk:$(fam ${pids[2]}):19585:19595")
[ -n "$OLD" ] && specs+=("ev-old:$(fam ${pids[3]}):19484:19494" "wk-old:$(fam ${pids[4]}):19485:19495")
ROUNDS=${ROUNDS:-3} N=${N:-100000} /tmp/h2perf-measure.sh "${specs[@]}" || true
kill "${pids[@]}"
