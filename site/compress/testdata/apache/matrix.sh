#!/bin/sh
# matrix.sh HOST:PORT : one line per request: name | status | CE | Vary | ETag | CL | CR | TE
P=${1:-127.0.0.1:18461}
req() { # name method path headers...
  name=$1; m=$2; p=$3; shift 3
  set -- "$@"
  args=""
  out=$(curl -s -D - -o /tmp/compress-ap/body.$$ -X "$m" $( [ "$m" = HEAD ] && echo -I ) "$@" "http://$P$p")
  st=$(printf '%s' "$out" | head -1 | awk '{print $2}')
  h() { printf '%s' "$out" | tr -d '\r' | grep -i "^$1:" | sed "s/^[^:]*: //" | paste -sd, - ; }
  echo "$name|$st|$(h Content-Encoding)|$(h Vary)|$(h ETag)|$(h Content-Length)|$(h Content-Range)|$(h Transfer-Encoding)|$(wc -c < /tmp/compress-ap/body.$$)"
}
req html-none GET /index.html
req html-gzip GET /index.html -H 'Accept-Encoding: gzip'
req html-br GET /index.html -H 'Accept-Encoding: br'
req html-both GET /index.html -H 'Accept-Encoding: gzip, br'
req html-both-rev GET /index.html -H 'Accept-Encoding: br, gzip'
req html-deflate GET /index.html -H 'Accept-Encoding: deflate'
req html-identity GET /index.html -H 'Accept-Encoding: identity'
req html-star GET /index.html -H 'Accept-Encoding: *'
req html-gzip-q0 GET /index.html -H 'Accept-Encoding: gzip;q=0, br'
req html-br-q0 GET /index.html -H 'Accept-Encoding: gzip, br;q=0'
req html-both-q0 GET /index.html -H 'Accept-Encoding: gzip;q=0, br;q=0'
req html-gzip-q000 GET /index.html -H 'Accept-Encoding: gzip;q=0.000'
req html-gzip-q05 GET /index.html -H 'Accept-Encoding: gzip;q=0.5'
req html-gzip-q0space GET /index.html -H 'Accept-Encoding: gzip; q=0'
req html-GZIP GET /index.html -H 'Accept-Encoding: GZIP'
req html-xgzip GET /index.html -H 'Accept-Encoding: x-gzip'
req html-star-gzipq0 GET /index.html -H 'Accept-Encoding: *;q=0, gzip'
req html-empty GET /index.html -H 'Accept-Encoding:;'
req css-gzip GET /style.css -H 'Accept-Encoding: gzip'
req js-br GET /app.js -H 'Accept-Encoding: br'
req txt-gzip GET /data.txt -H 'Accept-Encoding: gzip'
req png-gzip GET /img.png -H 'Accept-Encoding: gzip'
req tiny-gzip GET /tiny.html -H 'Accept-Encoding: gzip'
req tiny-br GET /tiny.html -H 'Accept-Encoding: br'
req edge68-gzip GET /edge68.html -H 'Accept-Encoding: gzip'
req edge69-gzip GET /edge69.html -H 'Accept-Encoding: gzip'
req edge68-br GET /edge68.html -H 'Accept-Encoding: br'
req head-gzip HEAD /index.html -H 'Accept-Encoding: gzip'
req head-br HEAD /index.html -H 'Accept-Encoding: br'
req head-none HEAD /index.html
req range-gzip GET /index.html -H 'Accept-Encoding: gzip' -H 'Range: bytes=0-99'
req range-br GET /index.html -H 'Accept-Encoding: br' -H 'Range: bytes=0-99'
req range-none GET /index.html -H 'Range: bytes=0-99'
req range2-gzip GET /index.html -H 'Accept-Encoding: gzip' -H 'Range: bytes=0-9,20-29'
E=$(curl -s -o /dev/null -D - http://$P/index.html | tr -d '\r' | grep -i ^etag: | sed 's/^[^:]*: //')
EG=$(echo "$E" | sed 's/"$/-gzip"/')
EB=$(echo "$E" | sed 's/"$/-br"/')
req inm-plain-gzip GET /index.html -H 'Accept-Encoding: gzip' -H "If-None-Match: $E"
req inm-gzip-gzip GET /index.html -H 'Accept-Encoding: gzip' -H "If-None-Match: $EG"
req inm-br-br GET /index.html -H 'Accept-Encoding: br' -H "If-None-Match: $EB"
req inm-gzip-none GET /index.html -H "If-None-Match: $EG"
req inm-plain-none GET /index.html -H "If-None-Match: $E"
LM=$(curl -s -o /dev/null -D - http://$P/index.html | tr -d '\r' | grep -i ^last-modified: | sed 's/^[^:]*: //')
req ims-gzip GET /index.html -H 'Accept-Encoding: gzip' -H "If-Modified-Since: $LM"
req ims-br GET /index.html -H 'Accept-Encoding: br' -H "If-Modified-Since: $LM"
req nogzip-gzip GET /index.html -H 'Accept-Encoding: gzip' -H 'X-Test-Env: nogzip'
req nogzip-both GET /index.html -H 'Accept-Encoding: gzip, br' -H 'X-Test-Env: nogzip'
req nobrotli-both GET /index.html -H 'Accept-Encoding: gzip, br' -H 'X-Test-Env: nobrotli'
req nobrotli-br GET /index.html -H 'Accept-Encoding: br' -H 'X-Test-Env: nobrotli'
req gzonly-css GET /style.css -H 'Accept-Encoding: gzip' -H 'X-Test-Env: gzonly'
req gzonly-css-br GET /style.css -H 'Accept-Encoding: br' -H 'X-Test-Env: gzonly'
req gzonly-html GET /index.html -H 'Accept-Encoding: gzip' -H 'X-Test-Env: gzonly'
req set-txt-gzip GET /set/notes.txt -H 'Accept-Encoding: gzip'
req ext-txt-gzip GET /ext/notes.txt -H 'Accept-Encoding: gzip'
req ext-txt-br GET /ext/notes.txt -H 'Accept-Encoding: br'
req sub-html-gzip GET /sub/index.html -H 'Accept-Encoding: gzip'
req sub-html-both GET /sub/index.html -H 'Accept-Encoding: gzip, br'
req sub-txt-gzip GET /sub/data.txt -H 'Accept-Encoding: gzip'
req sub-txt-both GET /sub/data.txt -H 'Accept-Encoding: gzip, br'
req notransform-gzip GET /notransform.html -H 'Accept-Encoding: gzip'
req missing-gzip GET /nope.html -H 'Accept-Encoding: gzip'
rm -f /tmp/compress-ap/body.$$
