#!/bin/sh
# Compare what openssl s_client negotiates against Apache 2.4.71 (mod_ssl,
# OpenSSL 3) and against a *tls.Config built by internal/tlsconf from the
# same SSL* lines. Usage (from internal/tlsconf):
#   testdata/apache/compare.sh 'SSLProtocol all -TLSv1 -TLSv1.1' 'SSLCipherSuite HIGH:!aNULL:!MD5'
# It needs apache2, openssl and a Go toolchain; it writes /tmp/tls-cmp.
set -e
D=/tmp/tls-cmp; AP=18543; GO=18544
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p $D/logs $D/htdocs $D/certs
cd $D/certs
[ -f rsa.crt ] || openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt -days 30 -subj /CN=a.test 2>/dev/null
[ -f ec.crt ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.crt -days 30 -subj /CN=a.test 2>/dev/null
chmod 644 *.key; chmod -R a+rX $D
DIRECTIVES="SSLEngine on
SSLCertificateFile certs/rsa.crt
SSLCertificateKeyFile certs/rsa.key
SSLCertificateFile certs/ec.crt
SSLCertificateKeyFile certs/ec.key"
for l in "$@"; do DIRECTIVES="$DIRECTIVES
$l"; done
sed "s|@D@|$D|g; s|@PORT@|$AP|g" "$HERE/httpd.conf.in" > $D/httpd.conf
{ echo "<VirtualHost *:$AP>"; echo "ServerName a.test"; echo "$DIRECTIVES"; echo "</VirtualHost>"; } > $D/ssl.conf
apache2 -f $D/httpd.conf -D FOREGROUND & APID=$!
(cd "$HERE/../.." && go test -c -o $D/tlsconf.test .)
GOHTTPD_TLS_COMPARE=127.0.0.1:$GO GOHTTPD_TLS_ROOT=$D GOHTTPD_TLS_DIRECTIVES="$DIRECTIVES" \
	$D/tlsconf.test -test.run TestCompareServe -test.v > $D/go.out 2>&1 & GPID=$!
i=0; until openssl s_client -connect 127.0.0.1:$GO </dev/null >/dev/null 2>&1 || [ $i -gt 120 ]; do sleep 1; i=$((i+1)); done
probe() { # port args...
	p=$1; shift
	out=$(openssl s_client -connect 127.0.0.1:$p -servername a.test "$@" </dev/null 2>&1 || true)
	echo "$out" | sed -n 's/^New, \([^,]*\), Cipher is \(.*\)/\1 \2/p' | head -1
}
for args in "-tls1" "-tls1_1" "-tls1_2" "-tls1_3" "-tls1 -cipher DEFAULT:@SECLEVEL=0" "-tls1_1 -cipher DEFAULT:@SECLEVEL=0" \
	"-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256" "-tls1_2 -cipher ECDHE-ECDSA-AES256-SHA" \
	"-tls1_2 -cipher AES128-SHA" "-tls1_2 -cipher AES256-GCM-SHA384" "-tls1_2 -cipher DHE-RSA-AES256-GCM-SHA384" \
	"-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305" "-tls1_2 -sigalgs RSA-PSS+SHA256" "-tls1_2 -sigalgs ECDSA+SHA256"; do
	a=$(probe $AP $args); g=$(probe $GO $args)
	[ "$a" = "$g" ] && m=same || m=DIFF
	printf '%-50s apache: %-40s go: %-40s %s\n' "$args" "${a:-(fails)}" "${g:-(fails)}" "$m"
done
kill $APID; kill -INT $GPID
wait $APID $GPID 2>/dev/null || true
