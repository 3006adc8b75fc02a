#!/bin/bash
# An excepted peer (127.0.0.1) to a RemoteIPProxyProtocol On vhost, with
# and without a header; and a header to a vhost without the directive.
set -u
trap "" PIPE
D=/tmp/remoteip-ap
mkdir -p $D/htdocs && echo ok > $D/htdocs/index.html && chmod -R a+rX $D
: > $D/access.log; : > $D/error.log
apache2 -f "$(cd "$(dirname "$0")" && pwd)/apache-exceptions.conf" -D FOREGROUND & AP=$!
trap 'kill $AP; wait $AP' EXIT
ok=; for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18476/ && { ok=1; break; }; sleep 0.1; done
[ -n "$ok" ] || { echo "apache did not start"; exit 1; }
: > $D/access.log
send() { # name port bytes
	exec 3<>/dev/tcp/127.0.0.1/$2
	printf "$3" >&3
	local first; first=$(timeout 3 head -c 12 <&3); echo "$1: ${first:-<closed>}"
	exec 3<&-
}
REQ='GET /pp HTTP/1.0\r\n\r\n'
send excepted-plain 18475 "$REQ"
send excepted-v1 18475 "PROXY TCP4 203.0.113.5 127.0.0.1 4000 18475\r\n$REQ"
send off-v1 18476 "PROXY TCP4 203.0.113.5 127.0.0.1 4000 18476\r\n$REQ"
sleep 0.5
echo "== access.log"; cat $D/access.log
echo "== error.log"; grep -v 'AH00558\|AH00489\|AH00094\|resuming normal\|AH00491' $D/error.log | sed 's/^\[[^]]*\] //; s/\[pid [0-9:]*\] //; s/\[client [^]]*\] /[client] /'
