#!/bin/bash
# Sets up /tmp/tls-m for /tmp/tls-measure.sh and /tmp/tls-measure-ka.sh: an ECDSA P-256 certificate,
# the bench docroot, gohttpd configs (event, 1 child, 25 threads) on 18443 (OLD) and 18445 (NEW),
# nginx (1 worker) on 18444, and the hsload client (/tmp/tls-hs/hsload, source in /tmp/tls-m/hsload-src).
# Usage: /tmp/tls-measure-setup.sh GOHTTPD-BIN   (any gohttpd binary, for writing the docroot)
set -e
BIN=${1:-/tmp/tls-gohttpd3}
M=/tmp/tls-m
mkdir -p $M/go/logs $M/go2/logs $M/nginx/logs $M/htdocs
$BIN bench -write-docroot $M/htdocs >/dev/null 2>&1 || true
[ -f $M/cert.pem ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $M/key.pem -out $M/cert.pem \
  -days 30 -subj /CN=bench -addext subjectAltName=DNS:bench,IP:127.0.0.1 2>/dev/null
chmod 644 $M/key.pem
for v in "go 18180 18443" "go2 18181 18445"; do set -- $v
cat > $M/$1/httpd.conf <<EOC
ServerRoot $M/$1
ServerName bench
Listen 127.0.0.1:$2
Listen 127.0.0.1:$3 https
MPM event
DocumentRoot $M/htdocs
ErrorLog logs/error_log
LogLevel notice
PidFile logs/httpd.pid
ThreadsPerChild 25
StartServers 1
ServerLimit 16
MaxRequestWorkers 25
MinSpareThreads 25
MaxSpareThreads 50
<VirtualHost 127.0.0.1:$3>
    ServerName bench
    SSLEngine on
    SSLCertificateFile $M/cert.pem
    SSLCertificateKeyFile $M/key.pem
</VirtualHost>
EOC
done
cat > $M/nginx/nginx.conf <<EOC
worker_processes 1;
pid $M/nginx/logs/nginx.pid;
error_log $M/nginx/logs/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:18444 ssl;
        ssl_certificate $M/cert.pem;
        ssl_certificate_key $M/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $M/htdocs;
    }
}
EOC
chmod -R a+rX $M
mkdir -p /tmp/tls-hs && cp $M/hsload-src/main.go $M/hsload-src/go.mod /tmp/tls-hs/ 2>/dev/null || true
(cd /tmp/tls-hs && go build -o hsload .)
echo "ready: /tmp/tls-measure.sh OLD-BIN NEW-BIN [rounds] [conns] [-curve default]; /tmp/tls-measure-ka.sh OLD-BIN NEW-BIN"
