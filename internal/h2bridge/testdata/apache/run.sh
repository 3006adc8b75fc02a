#!/bin/sh
# Reproduces the Apache 2.4.71 mod_http2 answers encoded in the h2bridge
# tests (h2c, Protocols h2c http/1.1, LimitRequestFields 100,
# LimitRequestBody 100). Usage: run.sh [port]  (default 18099)
set -e
PORT=${1:-18099}
ROOT=$(mktemp -d /tmp/h2-ap.XXXXXX)
mkdir -p "$ROOT/htdocs" "$ROOT/logs"; echo hello > "$ROOT/htdocs/index.html"; chmod -R a+rX "$ROOT"
sed -e "s#@ROOT@#$ROOT#g" -e "s#18099#$PORT#" "$(dirname "$0")/httpd.conf.in" > "$ROOT/httpd.conf"
apache2 -f "$ROOT/httpd.conf" -k start; sleep 1
U=http://127.0.0.1:$PORT
c() { curl -sS --http2-prior-knowledge -o /dev/null -w "%{http_version} %{http_code}\n" "$@" 2>&1 | tail -1; }
hdrs() { H=""; for i in $(seq 1 "$1"); do H="$H -H X-H$i:v"; done; echo "$H"; }
echo "97 custom fields (99 with UA, Accept): $(c $(hdrs 97) $U/)"          # 2 200
echo "99 custom fields (101):                $(c $(hdrs 99) $U/)"          # 2 431
echo "198 custom fields (200):               $(c $(hdrs 198) $U/)"         # 2 431
echo "199 custom fields (201):               $(c $(hdrs 199) $U/)"         # RST_STREAM ENHANCE_YOUR_CALM
echo "9000-byte field:                       $(c -H "X-Long: $(head -c 9000 /dev/zero | tr '\0' a)" $U/)"  # 2 431
echo "8200-byte path:                        $(c "$U/$(head -c 8200 /dev/zero | tr '\0' p)")"              # 2 414
echo "POST 101 bytes, h2:                    $(c -d "$(head -c 101 /dev/zero | tr '\0' x)" $U/)"            # 2 200
echo "POST 101 bytes, HTTP/1.1:              $(curl -sS -o /dev/null -w '%{http_code}' -d "$(head -c 101 /dev/zero | tr '\0' x)" $U/)"  # 413
echo "h2c upgrade with body:                $(curl -sS --http2 -d hello -o /dev/null -w "%{http_version} %{http_code}" $U/)"  # 1.1 200 (not upgraded)
echo "h2c upgrade:                           $(curl -sS --http2 -o /dev/null -w '%{http_version} %{http_code}' $U/)"  # 2 200
apache2 -f "$ROOT/httpd.conf" -k stop
# prefork: mod_http2 serves one stream at a time but still advertises 100:
#   sed 's/mpm_event/mpm_prefork/g' httpd.conf > pre.conf; nghttp -nv http://127.0.0.1:PORT/
#   -> recv SETTINGS ... SETTINGS_MAX_CONCURRENT_STREAMS(0x03):100
# h2spec 2.2.1 against this Apache (h2c): h2spec -h 127.0.0.1 -p $PORT -o 2
#   -> 145 tests, 139 passed, 0 skipped, 6 failed (h2spec-apache.txt)
