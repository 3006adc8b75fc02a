#!/bin/sh
# Runs Apache 2.4 on this directory's configuration and prints its answers
# to a request list (default requests.txt; requests2.txt for the header
# table, sent with "User-Agent: x Mobile"):
#   requests.txt:  METHOD HOST PATH | status | Location | X-Env-Stage | body
#   requests2.txt: METHOD HOST PATH | status | Location | Set-Cookie | Content-Type | Vary | body
# Usage: sh compare.sh [requests2.txt]   (needs apache2 and curl; uses
# /tmp/rw-ap and 127.0.0.1:18581). vhosts.conf was checked the same way
# on 127.0.0.1:18583 (see conf/rewrite_test.go TestMergeRewrite).
set -e
here=$(cd "$(dirname "$0")" && pwd)
list=${1:-requests.txt}
rm -rf /tmp/rw-ap && mkdir -p /tmp/rw-ap/logs
cp -a "$here/httpd.conf" "$here/htdocs" /tmp/rw-ap/
chmod -R a+rX /tmp/rw-ap/htdocs
apache2 -f /tmp/rw-ap/httpd.conf -D FOREGROUND & pid=$!
trap 'kill $pid' EXIT
for i in 1 2 3 4 5 6 7 8 9 10; do curl -s -o /dev/null http://127.0.0.1:18581/ && break; sleep 0.3; done
while read m h p; do
  out=$(curl -s -X "$m" -H "Host: $h" -H "X-V: abc" -H "User-Agent: x Mobile" -D - "http://127.0.0.1:18581$p" -o /tmp/rw-ap/body)
  st=$(echo "$out" | head -1 | awk '{print $2}')
  hv() { echo "$out" | grep -i "^$1:" | cut -d' ' -f2- | tr -d '\r'; }
  body=$(head -c 40 /tmp/rw-ap/body | tr '\n' ' ' | sed 's/<[^>]*>//g' | head -c 30)
  if [ "$list" = requests2.txt ]; then
    echo "$m $h $p | $st | $(hv Location) | $(hv Set-Cookie) | $(hv Content-Type) | $(hv Vary) | $body"
  else
    echo "$m $h $p | $st | $(hv Location) | $(hv X-Env-Stage) | $body"
  fi
done < "$here/$list"
