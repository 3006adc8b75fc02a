#!/bin/sh
# capture.sh: runs Apache on the test tree and stores its listings as golden
# files. Not run by go test. From the repository root:
#   sh site/autoindex/testdata/apache/capture.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=${ROOT:-/tmp/aiidx-ap}
port=${PORT:-18471}
rm -rf "$root"; mkdir -p "$root"
sed -e "s#@ROOT@#$root#g" -e "s#@PORT@#$port#g" "$here/httpd.conf.in" > "$root/httpd.conf"
cp "$here/autoindex.conf" "$root/"
(cd "$here/../.." && go test -count=1 -run '^TestWriteTree$' . -args -tree "$root/htdocs")
chmod -R a+rX "$root"
apache2 -f "$root/httpd.conf" -t
apache2 -f "$root/httpd.conf" -D FOREGROUND &
apid=$!
trap 'kill $apid' EXIT
i=0; until curl -s -o /dev/null "http://127.0.0.1:$port/"; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done
out="$here/../golden"
# Each line of cases.txt: golden-name URI
while read -r name uri; do
	case "$name" in ''|'#'*) continue;; esac
	curl -g -s -D "$root/h" -o "$out/$name.html" "http://127.0.0.1:$port$uri"
	printf '%s %s\n' "$(sed -n 's/^HTTP\/1.1 \([0-9]*\).*/\1/p' "$root/h")" \
		"$(sed -n 's/^Content-Type: \(.*\)\r$/\1/p' "$root/h")" > "$out/$name.meta"
done < "$here/../cases.txt"
