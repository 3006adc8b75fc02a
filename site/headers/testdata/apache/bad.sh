#!/bin/sh
# Apache's error texts for bad directives: apache2 -t on one-line configs.
for line in "$@"; do
  printf 'ServerRoot /tmp/hdr-ap\nLoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\nLoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\nLoadModule expires_module /usr/lib/apache2/modules/mod_expires.so\nLoadModule mime_module /usr/lib/apache2/modules/mod_mime.so\nLoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so\nLoadModule env_module /usr/lib/apache2/modules/mod_env.so\nTypesConfig /etc/mime.types\nErrorLog /dev/null\n%s\n' "$line" > /tmp/hdr-ap/bad.conf
  echo "== $line"; apache2 -t -f /tmp/hdr-ap/bad.conf 2>&1 | grep -v '^Syntax OK$' | sed 's/^AH00526: Syntax error on line 10 of \/tmp\/hdr-ap\/bad.conf://'
done
