#!/bin/bash
# Runs Apache with apache.conf and sends the requests whose answers are the
# expected values of apache_test.go; prints the access log and the
# remoteip lines of the error log. Needs apache2, curl and bash's /dev/tcp.
set -u
trap "" PIPE
D=/tmp/remoteip-ap
mkdir -p $D/htdocs && echo ok > $D/htdocs/index.html && chmod -R a+rX $D
: > $D/access.log; : > $D/error.log
apache2 -f "$(cd "$(dirname "$0")" && pwd)/apache.conf" -D FOREGROUND & AP=$!
trap 'kill $AP; wait $AP' EXIT
ok=; for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18471/ && { ok=1; break; }; sleep 0.1; done
[ -n "$ok" ] || { echo "apache did not start"; exit 1; }
: > $D/access.log
xff() { # port path header...
	local p=$1 u=$2; shift 2
	local args=(); for h in "$@"; do args+=(-H "$h"); done
	curl -s -o /dev/null -w "$p $u %{http_code}\n" "${args[@]}" "http://127.0.0.1:$p$u"
}
for p in 18471 18472 18473; do
	xff $p /
	xff $p /a "X-Forwarded-For: 203.0.113.5"
	xff $p /b "X-Forwarded-For: 203.0.113.5, 10.0.0.1"
	xff $p /c "X-Forwarded-For: 10.0.0.1, 203.0.113.5"
	xff $p /d "X-Forwarded-For: 203.0.113.9,  192.0.2.7 ,198.51.100.3"
	xff $p /e "X-Forwarded-For: garbage, 203.0.113.5"
	xff $p /f "X-Forwarded-For: 203.0.113.5, "
	xff $p /g "X-Forwarded-For: 2001:db8::1, ::ffff:203.0.113.5"
	xff $p /h "X-Forwarded-For: 203.0.113.5" "X-Forwarded-For: 198.51.100.3"
	xff $p /ip "X-Forwarded-For: 203.0.113.5"
	xff $p /ip "X-Forwarded-For: 192.0.2.1"
	xff $p /i "X-Forwarded-For: 2001:db8::1"
	xff $p /j "X-Forwarded-For: 2a00::1, 198.51.100.3, 192.0.2.7"
done
send() { # name bytes(printf format)
	exec 3<>/dev/tcp/127.0.0.1/18474
	printf "$2" >&3
	local first; first=$(timeout 3 head -c 12 <&3); echo "PP $1: ${first:-<closed>}"
	exec 3<&-
}
REQ='GET /pp HTTP/1.0\r\n\r\n'
send v1 "PROXY TCP4 203.0.113.5 127.0.0.1 4000 18474\r\n$REQ"
send v1-ip "PROXY TCP4 203.0.113.5 127.0.0.1 4000 18474\r\nGET /ip HTTP/1.0\r\n\r\n"
send v1-unknown "PROXY UNKNOWN\r\n$REQ"
send v1-tcp6 "PROXY TCP6 2001:db8::5 ::1 4000 18474\r\n$REQ"
send v1-noport "PROXY TCP4 203.0.113.5 127.0.0.1 4000\r\n$REQ"
send v1-badfam "PROXY UDP4 203.0.113.5 127.0.0.1 4000 18474\r\n$REQ"
send v1-badaddr "PROXY TCP4 203.0.113.x 127.0.0.1 4000 18474\r\n$REQ"
send v1-noaddr "PROXY TCP4\r\n$REQ"
send v1-badport "PROXY TCP4 203.0.113.5 127.0.0.1 x 18474\r\n$REQ"
send none "$REQ"
send none-xff "GET /pp HTTP/1.0\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n"
send v1-xff "PROXY TCP4 203.0.113.5 127.0.0.1 4000 18474\r\nGET /pp HTTP/1.0\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n"
V2='\r\n\r\n\0\r\nQUIT\n'
send v2 "$V2\x21\x11\x00\x0c\xcb\x00\x71\x05\x7f\x00\x00\x01\x0f\xa0\x48\x5a$REQ"
send v2-tlv "$V2\x21\x11\x00\x10\xcb\x00\x71\x05\x7f\x00\x00\x01\x0f\xa0\x48\x5a\x04\x00\x01\x00$REQ"
send v2-local "$V2\x20\x00\x00\x00$REQ"
send v2-udp "$V2\x21\x12\x00\x0c\xcb\x00\x71\x05\x7f\x00\x00\x01\x0f\xa0\x48\x5a$REQ"
send v2-cmd2 "$V2\x22\x11\x00\x0c\xcb\x00\x71\x05\x7f\x00\x00\x01\x0f\xa0\x48\x5a$REQ"
send v2-long "$V2\x21\x11\x00\xff$REQ"
sleep 0.5
echo "== access.log"; cat $D/access.log
echo "== error.log"; grep -v 'AH00558\|AH00489\|AH00094\|resuming normal' $D/error.log | sed 's/^\[[^]]*\] //; s/\[pid [0-9:]*\] //; s/\[client [^]]*\] /[client] /'
