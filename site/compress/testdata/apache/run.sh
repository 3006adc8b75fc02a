#!/bin/sh
# Starts the Apache 2.4 instance the expected values of apache_test.go come
# from: /tmp/compress-ap with httpd.conf from here and the same documents
# writeSite writes (generated below with the same recipe). Then:
#   ./matrix.sh 127.0.0.1:18461   # DEFLATE named first
#   ./matrix.sh 127.0.0.1:18462   # BROTLI_COMPRESS named first
# Stop it with: kill $(cat /tmp/compress-ap/logs/httpd.pid)
set -e
D=/tmp/compress-ap
mkdir -p $D/htdocs/set $D/htdocs/ext $D/htdocs/sub $D/logs $D/bin
cp "$(dirname "$0")/httpd.conf" $D/httpd.conf
cp "$(dirname "$0")/matrix.sh" $D/bin/matrix.sh
cd $D
python3 - <<'PY'
css = "".join(".c%d { color: #%06x; margin: %dpx; }\n" % (i, i*997 % 0xffffff, i%40) for i in range(3000))
open("htdocs/style.css","w").write(css[:102400])
html = "<!doctype html><html><head><title>t</title></head><body>\n" + "".join("<p class=\"c%d\">paragraph %d of the compressible page</p>\n" % (i,i) for i in range(400)) + "</body></html>\n"
open("htdocs/index.html","w").write(html)
open("htdocs/notransform.html","w").write(html)
open("htdocs/app.js","w").write("".join("function f%d(a){return a+%d;}\n" % (i,i) for i in range(300)))
open("htdocs/tiny.html","w").write("<p>tiny</p>\n")
open("htdocs/edge68.html","w").write("x"*68)
open("htdocs/edge69.html","w").write("x"*69)
open("htdocs/sub/index.html","w").write(html)
for p in ("htdocs/sub/data.txt", "htdocs/data.txt","htdocs/ext/notes.txt","htdocs/set/notes.txt"):
    open(p,"w").write("plain text line\n"*200)
open("htdocs/img.png","wb").write(bytes(range(256))*20)
PY
chmod -R a+rX $D
apache2 -t -f $D/httpd.conf
apache2 -f $D/httpd.conf -D FOREGROUND &
for i in $(seq 1 50); do curl -s -o /dev/null http://127.0.0.1:18461/ && break; sleep 0.2; done
echo "Apache on 127.0.0.1:18461 and :18462"
