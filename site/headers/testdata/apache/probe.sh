#!/bin/sh
# Requests sent to Apache 2.4 (httpd.conf beside this script) to record the
# answers encoded in site/*/apache_test.go. Usage: probe.sh [port]
P=${1:-18437}
u=http://127.0.0.1:$P
r() { echo "=== $*"; curl -s -D - -o /dev/null "$@" | grep -v -i '^date:\|^server:\|^last-modified:\|^etag:\|^accept-ranges:' | tr -d '\r'; }
r $u/h5bp/
r -H 'Origin: https://www.example.com' $u/h5bp/
r -H 'Origin: https://evil.com' $u/h5bp/
r -H 'Origin: https://example.org' $u/h5bp/nope
r $u/succ/
r $u/succ/nope
# A 304 from the file handler is generated normally (onsuccess applies);
# mod_dir's slash redirect is an error-path response (always only).
r -H "If-None-Match: *" $u/succ/
r $u/succ
r $u/edit/
# e1 (Header edit* X-Empty "x*" "-") crashes Apache 2.4.71 (child segfault): not probed.
r $u/e2/
r $u/e3/
r $u/e4/
r -H "X-Echo: e" $u/succ/
r -H "X-Echo: e" $u/succ/nope
r $u/exp/sub/a.png
# ExpiresByType in exp/wq has no wildcard: the inherited image/* no longer applies.
r $u/exp/wq/a.png
r $u/exp/wq/a.txt
r $u/am/
r -H 'X-List: one' -H 'X-Gone: x' -H 'X-Ed: abc' -H 'X-Sie: mine' $u/rh/
r $u/rh/
r $u/exp/style.css
r $u/exp/a.png
r $u/exp/page.html
r $u/exp/x.json
r $u/exp/nope.css
r $u/cs/a.html
r $u/cs/a.txt
r $u/cs/a.css
r $u/types/file.tar.gz
r $u/types/a.foo
r $u/types/a.FOO
r $u/types/index.html.en
r $u/types/a.html
r $u/types/noext
r $u/types/a.gz.html
r $u/types/.hidden.css
r $u/types/a.svgz
r $u/types/a.php.txt
r $u/force/a.html
r $u/rm/a.html
r $u/rm/a.css
r -A 'Mozilla/5.0' $u/env/index.html
r -A 'Mozilla/4.0 (compatible; MSIE 8.0)' -H 'X-Trace: yes' $u/env/
r -A 'CURL/8' -H 'X-Drop: yes' $u/env/
r -A 'Mozilla/5.0' -H 'X-Drop: yes' -0 $u/env/
# The access log (LogFormat "%r %>s foo=%{X-Foo}i") shows that the
# handler phase sees RequestHeader's change: "GET /rh/ HTTP/1.1 200 foo=bar".
