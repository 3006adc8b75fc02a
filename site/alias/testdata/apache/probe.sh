#!/bin/sh
# probe.sh: the requests whose answers site/alias and site/errordoc tests encode.
for t in "$@"; do
  echo "=== $t"
  curl -s -i --path-as-is "http://127.0.0.1:${PORT:-18480}$t" | grep -v -i -E '^(date|server|etag|last-modified|accept-ranges):' | tr -d '\r'
done
