#!/usr/bin/env python3
# Runs the "VirtualHost Examples" of the Apache manual (docs/manual/vhosts/
# examples.xml), moved to loopback, in a real Apache and records which vhost
# answered each request. Addresses: 172.20.30.40 -> 127.0.10.40,
# 172.20.30.50 -> 127.0.10.50, 172.20.30.60 -> 127.0.10.60,
# 192.168.1.1 -> 127.0.10.1; 127.0.10.99 is an address no vhost names.
# Ports: 80 -> 28471, 8080 -> 28472. Each DocumentRoot's id.txt holds its
# name: d<N> for the N-th <VirtualHost>, main for the main server.
import os, re, socket, subprocess, time, json, sys, signal
BASE = '/tmp/vsel-ap/ex'
P80, P8080 = 28471, 28472
ADDRS = ['127.0.10.40', '127.0.10.50', '127.0.10.60', '127.0.10.1', '127.0.10.99']
HEAD = '''ServerRoot /tmp/vsel-ap
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
User nobody
Group nogroup
PidFile /tmp/vsel-ap/ex/httpd.pid
ErrorLog /tmp/vsel-ap/ex/error_log
ServerName main.example
'''
EX = {}
EX['name-based'] = '''
<VirtualHost *:80>
    ServerName www.example.com
</VirtualHost>
<VirtualHost *:80>
    ServerName www.example.org
</VirtualHost>
'''
EX['name-based-two-ips'] = '''
ServerName server.example.com
<VirtualHost 172.20.30.50>
    ServerName www.example.com
</VirtualHost>
<VirtualHost 172.20.30.50>
    ServerName www.example.org
</VirtualHost>
'''
EX['same-content'] = '''
<VirtualHost 192.168.1.1 172.20.30.40>
    ServerName server.example.com
    ServerAlias server
</VirtualHost>
'''
EX['ports'] = '''
<VirtualHost 172.20.30.40:80>
    ServerName www.example.com
</VirtualHost>
<VirtualHost 172.20.30.40:8080>
    ServerName www.example.com
</VirtualHost>
<VirtualHost 172.20.30.40:80>
    ServerName www.example.org
</VirtualHost>
<VirtualHost 172.20.30.40:8080>
    ServerName www.example.org
</VirtualHost>
'''
EX['ip-based'] = '''
<VirtualHost 172.20.30.40>
    ServerName www.example.com
</VirtualHost>
<VirtualHost 172.20.30.50>
    ServerName www.example.org
</VirtualHost>
'''
EX['mixed-port-ip'] = '''
<VirtualHost 172.20.30.40:80>
    ServerName www.example.com
</VirtualHost>
<VirtualHost 172.20.30.40:8080>
    ServerName www.example.com
</VirtualHost>
<VirtualHost 172.20.30.50:80>
    ServerName www.example.org
</VirtualHost>
<VirtualHost 172.20.30.50:8080>
    ServerName www.example.org
</VirtualHost>
'''
EX['mixed-name-ip'] = '''
<VirtualHost 172.20.30.40>
    ServerName www.example.com
</VirtualHost>
<VirtualHost 172.20.30.40>
    ServerName www.example.org
</VirtualHost>
<VirtualHost 172.20.30.40>
    ServerName www.example.net
</VirtualHost>
<VirtualHost 172.20.30.50>
    ServerName www.example.edu
</VirtualHost>
<VirtualHost 172.20.30.60>
    ServerName www.example.gov
</VirtualHost>
'''
EX['any-any'] = '''
<VirtualHost *:*>
    ServerName hostname.example.com
</VirtualHost>
'''
EX['default-all-ports'] = '''
<VirtualHost _default_:*>
</VirtualHost>
'''
EX['default-two'] = '''
<VirtualHost _default_:80>
</VirtualHost>
<VirtualHost _default_:*>
</VirtualHost>
'''
EX['default-two-reversed'] = '''
<VirtualHost _default_:*>
</VirtualHost>
<VirtualHost _default_:80>
</VirtualHost>
'''
EX['default-one-port'] = '''
<VirtualHost _default_:80>
</VirtualHost>
'''
EX['star-beats-default'] = '''
<VirtualHost _default_:80>
    ServerName dflt.example
</VirtualHost>
<VirtualHost *:80>
    ServerName star.example
</VirtualHost>
'''
EX['migrate'] = '''
ServerName www.example.com
<VirtualHost 172.20.30.40 172.20.30.50>
    ServerName www.example.org
</VirtualHost>
<VirtualHost 172.20.30.40>
    ServerName www.example.net
    ServerAlias *.example.net
</VirtualHost>
'''
EX['strict'] = '''
StrictHostCheck On
<VirtualHost *:80>
    ServerName www.example.com
    ServerAlias *.example.com
</VirtualHost>
<VirtualHost *:80>
    ServerName www.example.org
</VirtualHost>
<VirtualHost 172.20.30.50:80>
    ServerName ip.example
</VirtualHost>
<VirtualHost 172.20.30.60:80>
    ServerName a.example
</VirtualHost>
<VirtualHost 172.20.30.60:80>
    ServerName b.example
    StrictHostCheck Off
</VirtualHost>
'''
EX['strict-vhost'] = '''
<VirtualHost 172.20.30.60:80>
    ServerName a.example
    StrictHostCheck On
</VirtualHost>
<VirtualHost 172.20.30.60:80>
    ServerName b.example
</VirtualHost>
<VirtualHost 172.20.30.50:80>
    ServerName ip.example
    StrictHostCheck On
</VirtualHost>
'''
EX['multi-addr'] = '''
<VirtualHost *:80 *:8080>
    ServerName a.example
</VirtualHost>
<VirtualHost *:80>
    ServerName b.example
</VirtualHost>
<VirtualHost _default_:80 *:80>
    ServerName c.example
</VirtualHost>
<VirtualHost 172.20.30.40:80 172.20.30.40:80>
    ServerName d.example
</VirtualHost>
<VirtualHost 172.20.30.50:* 172.20.30.50:80>
    ServerName e.example
</VirtualHost>
<VirtualHost 172.20.30.50:8080>
    ServerName f.example
</VirtualHost>
'''
EX['wild-port-mix'] = '''
<VirtualHost *:*>
    ServerName any.example
</VirtualHost>
<VirtualHost *:80>
    ServerName eighty.example
</VirtualHost>
<VirtualHost *:*>
    ServerName any2.example
</VirtualHost>
<VirtualHost 172.20.30.40:*>
    ServerName ipany.example
</VirtualHost>
<VirtualHost 172.20.30.40:8080>
    ServerName ip8080.example
</VirtualHost>
<VirtualHost 172.20.30.40:*>
    ServerName ipany2.example
    ServerAlias *
</VirtualHost>
'''
HOSTS = ['a.example', 'b.example', 'c.example', 'd.example', 'e.example', 'f.example', 'any.example', 'eighty.example',
         'any2.example', 'ipany.example', 'ip8080.example', 'ipany2.example', None, 'www.example.com', 'www.example.org', 'www.example.net', 'foo.example.net', 'www.example.edu',
         'www.example.gov', 'server', 'server.example.com', 'hostname.example.com', 'unknown.example',
         'foo.example.com', 'ip.example', 'a.example', 'b.example', '127.0.10.60', '127.0.10.40', 'main.example',
         'dflt.example', 'star.example']
def rewrite(body):
    body = body.replace('172.20.30.', '127.0.10.').replace('192.168.1.1', '127.0.10.1')
    body = re.sub(r':8080\b', ':%d' % P8080, body)
    body = re.sub(r':80\b', ':%d' % P80, body)
    out, n = [], 0
    for line in body.strip('\n').split('\n'):
        out.append(line)
        if line.startswith('<VirtualHost'):
            n += 1
            out.append('    DocumentRoot %s/docs/d%d' % (BASE, n))
            os.makedirs('%s/docs/d%d' % (BASE, n), exist_ok=True)
            open('%s/docs/d%d/id.txt' % (BASE, n), 'w').write('d%d\n' % n)
    return '\n'.join(out) + '\n'
os.makedirs(BASE + '/docs/main', exist_ok=True)
open(BASE + '/docs/main/id.txt', 'w').write('main\n')
def get(addr, port, host, ver):
    s = socket.create_connection((addr, port), timeout=3)
    req = 'GET /id.txt HTTP/%s\r\n' % ver + ('' if host is None else 'Host: %s\r\n' % host) + 'Connection: close\r\n\r\n'
    s.sendall(req.encode())
    data = b''
    while True:
        d = s.recv(65536)
        if not d: break
        data += d
    s.close()
    head, _, body = data.partition(b'\r\n\r\n')
    st = head.split(b' ')[1].decode()
    return st, body.decode().strip() if st == '200' else ''
names = sys.argv[1:] or list(EX)
for name in names:
    conf = HEAD + 'DocumentRoot %s/docs/main\n' % BASE
    for a in ADDRS:
        conf += 'Listen %s:%d\nListen %s:%d\n' % (a, P80, a, P8080)
    conf += rewrite(EX[name])
    os.makedirs(BASE + '/conf', exist_ok=True)
    path = '%s/conf/%s.conf' % (BASE, name)
    open(path, 'w').write(conf)
    os.system('chmod -R a+rX ' + BASE)
    S = subprocess.run(['apache2', '-f', path, '-S'], capture_output=True, text=True)
    open('%s/conf/%s.S' % (BASE, name), 'w').write(S.stdout.replace(path, '@CONF@'))
    p = subprocess.Popen(['apache2', '-f', path, '-D', 'FOREGROUND'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        try:
            socket.create_connection(('127.0.10.99', P8080), timeout=1).close(); break
        except OSError:
            time.sleep(0.1)
    for a in ADDRS:
        for port in (P80, P8080):
            for h in HOSTS:
                st, body = get(a, port, h, '1.1' if h else '1.0')
                print(json.dumps({'ex': name, 'local': '%s:%d' % (a, port), 'host': h, 'status': st, 'body': body}))
    p.send_signal(signal.SIGTERM)
    p.wait()
    time.sleep(0.3)
