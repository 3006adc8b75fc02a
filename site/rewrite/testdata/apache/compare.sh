#!/bin/sh
# Runs Apache on this directory's configuration and prints, for each line
# of requests.txt, "METHOD HOST PATH | status | Location | X-Env-Stage | body".
# Usage: sh compare.sh   (needs apache2; uses /tmp/rw-ap and 127.0.0.1:18581)
set -e
here=$(cd "$(dirname "$0")" && pwd)
rm -rf /tmp/rw-ap && mkdir -p /tmp/rw-ap/logs
cp -a "$here/httpd.conf" "$here/htdocs" /tmp/rw-ap/
chmod -R a+rX /tmp/rw-ap/htdocs
apache2 -f /tmp/rw-ap/httpd.conf -D FOREGROUND & pid=$!
trap 'kill $pid' EXIT
for i in 1 2 3 4 5 6 7 8 9 10; do curl -s -o /dev/null http://127.0.0.1:18581/ && break; sleep 0.3; done
while read m h p; do
  out=$(curl -s -X "$m" -H "Host: $h" -H "X-V: abc" -D - "http://127.0.0.1:18581$p" -o /tmp/rw-ap/body)
  st=$(echo "$out" | head -1 | awk '{print $2}')
  loc=$(echo "$out" | grep -i '^Location:' | cut -d' ' -f2- | tr -d '\r')
  es=$(echo "$out" | grep -i '^X-Env-Stage:' | cut -d' ' -f2- | tr -d '\r')
  body=$(head -c 40 /tmp/rw-ap/body | tr '\n' ' ' | sed 's/<[^>]*>//g' | head -c 30)
  echo "$m $h $p | $st | $loc | $es | $body"
done < "$here/requests.txt"
