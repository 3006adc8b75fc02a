#!/bin/sh
# build.sh OUT: builds the ceiling server (ceiling.c) with cc -O2.
set -e
out=${1:-ceiling}
exec cc -O2 -Wall -o "$out" "$(dirname "$0")/ceiling.c"
