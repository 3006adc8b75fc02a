#!/bin/sh
# capture.sh: runs Apache on the test tree and stores its listings as golden
# files. Not run by go test. From the repository root:
#   sh site/autoindex/testdata/apache/capture.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=${ROOT:-/tmp/aiidx-ap}
port=${PORT:-18493}
rm -rf "$root"; mkdir -p "$root"
sed -e "s#@ROOT@#$root#g" -e "s#@PORT@#$port#g" "$here/httpd.conf.in" > "$root/httpd.conf"
cp "$here/autoindex.conf" "$root/"
(cd "$here/../.." && go test -count=1 -run '^TestWriteTree$' . -args -tree "$root/htdocs")
chmod -R a+rX "$root"
apache2 -f "$root/httpd.conf" -t
apache2 -f "$root/httpd.conf" -D FOREGROUND &
apid=$!
trap 'kill $apid' EXIT
i=0; until [ -s "$root/httpd.pid" ] && curl -s -o /dev/null "http://127.0.0.1:$port/"; do
	kill -0 $apid || { echo "apache did not start" >&2; exit 1; }
	i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1
done
# Make sure the port is ours: Apache's canned 404 names the server software.
curl -s "http://127.0.0.1:$port/no-such-file" | grep -q '<h1>Not Found</h1>' || { echo "port $port is not our apache" >&2; exit 1; }
out="$here/../golden"
# Each line of cases.txt: golden-name URI
while read -r name uri; do
	case "$name" in ''|'#'*) continue;; esac
	curl -g -s -D "$root/h" -o "$out/$name.html" "http://127.0.0.1:$port$uri"
	printf '%s %s\n' "$(sed -n 's/^HTTP\/1.1 \([0-9]*\).*/\1/p' "$root/h")" \
		"$(sed -n 's/^Content-Type: \(.*\)\r$/\1/p' "$root/h")" > "$out/$name.meta"
done < "$here/../cases.txt"
