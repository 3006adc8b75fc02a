#!/bin/bash
set -u
trap "" PIPE
D=/tmp/remoteip-ap
mkdir -p $D/htdocs && echo ok > $D/htdocs/index.html && chmod -R a+rX $D
: > $D/access.log; : > $D/error.log
apache2 -f "$(cd "$(dirname "$0")" && pwd)/apache-merge.conf" -D FOREGROUND & AP=$!
trap 'kill $AP; wait $AP' EXIT
ok=; for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18479/ && { ok=1; break; }; sleep 0.1; done
[ -n "$ok" ] || { echo "apache did not start"; exit 1; }
: > $D/access.log
send() { # name port bytes
	exec 3<>/dev/tcp/127.0.0.1/$2
	printf "$3" >&3
	local first; first=$(timeout 3 head -c 12 <&3); echo "$1: ${first:-<closed>}"
	exec 3<&-
}
R='GET /m HTTP/1.0\r\nX-Forwarded-For: 203.0.113.5, 10.0.0.1\r\n\r\n'
send 18477-plain 18477 "$R"
send 18477-v1 18477 "PROXY TCP4 198.51.100.1 127.0.0.1 4000 18477\r\n$R"
send 18478-plain 18478 "$R"
send 18479-plain 18479 "$R"
send 18479-by 18479 'GET /by HTTP/1.0\r\nX-Forwarded-By: evil\r\n\r\n'
send 18479-by-xff-untrusted 18478 'GET /by2 HTTP/1.0\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-By: evil\r\n\r\n'
send 18479-by-xff 18479 'GET /by3 HTTP/1.0\r\nX-Forwarded-For: 203.0.113.5\r\nX-Forwarded-By: evil\r\n\r\n'
sleep 0.5
echo "== access.log"; cat $D/access.log
echo "== error.log"; grep -v 'AH00558\|AH00489\|AH00094\|resuming normal\|AH00491\|AH03503' $D/error.log | sed 's/^\[[^]]*\] //; s/\[pid [0-9:]*\] //; s/\[client [^]]*\] /[client] /'
