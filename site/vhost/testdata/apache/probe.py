#!/usr/bin/env python3
# Sends raw requests over loopback to the Apache under /tmp/vsel-ap and prints
# what answered: addr port host-header-repr version path -> status body log
import socket, sys, time, json
LOG='/tmp/vsel-ap/logs/access_log'
cases = []
def c(addr, port, host, ver='1.1', path='/id.txt', absuri=None):
    cases.append((addr, port, host, ver, path, absuri))
H=None
for addr in ['127.0.0.4','127.0.0.1']:
    for h in [None,'www.example.com','WWW.Example.COM','www.example.com:28461','www.example.com:9999',
              'www.example.com.','example.com','foo.example.com','special.example.com','other.example.org',
              'OTHER.example.org.','www.other.example.org','w1.example.net','ww.example.net','www.example.net',
              'main.example','noname.test','unknown.test','127.0.0.4','[::1]','[::1]:28461','a_b.example.com',
              '*.example.com','example.com:','example.com:0','example.com:65536','12345','foo..example.com',
              '1.example.1com','','.','example.com..','a/b','x.example.com:28461',
              '127.000.0.1','ex ample.com','example.com,other.example.org','_default_','*', 'xn--bcher-kva.example.com',
              'foo.Example.COM.:80']:
        c(addr, 28461, h)
    c(addr, 28461, None, '1.0')
    c(addr, 28461, '', '1.0')
    c(addr, 28461, 'other.example.org', '1.0')
c('127.0.0.4', 28461, 'www.example.com', absuri='http://other.example.org/id.txt')
c('127.0.0.4', 28461, 'www.example.com', absuri='http://OTHER.example.org:81/id.txt')
for h in [None,'www.example.com','ip.example.com','unknown']:
    c('127.0.0.2', 28461, h)
c('127.0.0.2', 28461, None, '1.0')
for h in [None,'x','bogus_host_without_reverse_dns']:
    c('127.0.0.2', 28462, h)
for h in [None,'a.ip3','b.ip3','c.ip3','x.ip3','X.IP3.','ip3','127.0.0.3','unknown.example']:
    c('127.0.0.3', 28461, h)
c('127.0.0.3', 28461, None, '1.0')
for h in [None,'anyport.example','www.example.com']:
    c('127.0.0.7', 28461, h)
    c('127.0.0.7', 28462, h)
for h in [None,'dflt.example','www.example.com','_default_']:
    c('127.0.0.4', 28462, h)
c('127.0.0.4', 28462, None, '1.0')
for h in ['localhost','first.v','second.v','LOCALHOST','localhost.','127.0.0.1','unknown']:
    c('127.0.0.1', 28463, h)
c('127.0.0.1', 28463, None, '1.0')
for h in ['www.example.com','x']:
    c('127.0.0.4', 28463, h)
    c('127.0.0.4', 28464, h)
c('127.0.0.4', 28464, None, '1.0')
for h in [None,'v6.example','www.example.com','[::1]','[::1]:28461','[::ffff:127.0.0.1]','[::1%25lo]','[zz::1]']:
    c('::1', 28461, h)
c('::1', 28461, None, '1.0')
for h in ['x.example.com','localhost']:
    c('127.0.0.1', 28462, h)
# redirects (mod_dir DirectorySlash): self-referential URL
for addr, port, h in [('127.0.0.4',28461,'www.example.com'),('127.0.0.4',28461,'www.example.com:8080'),
                      ('127.0.0.4',28461,'other.example.org'),('127.0.0.4',28461,'other.example.org:8080'),
                      ('127.0.0.4',28461,None),('127.0.0.1',28463,'first.v'),('127.0.0.1',28463,'first.v:81'),
                      ('::1',28461,'v6.example'),('::1',28461,'[::1]:81'),('::1',28461,None),
                      ('127.0.0.4',28464,'x:82'),('127.0.0.4',28464,None),('127.0.0.7',28462,None),
                      ('127.0.0.2',28462,None),('127.0.0.4',28461,'[::1]')]:
    c(addr, port, h, '1.1' if h is not None else '1.0', '/sub')

def loglines():
    with open(LOG) as f:
        return f.read().splitlines()
for addr, port, host, ver, path, absuri in cases:
    before = len(loglines())
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    s = socket.socket(fam); s.settimeout(3)
    s.connect((addr, port))
    req = 'GET %s HTTP/%s\r\n' % (absuri or path, ver)
    if host is not None:
        req += 'Host: %s\r\n' % host
    req += 'Connection: close\r\n\r\n'
    s.sendall(req.encode('latin-1'))
    data = b''
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if not d: break
        data += d
    s.close()
    head, _, body = data.partition(b'\r\n\r\n')
    status = head.split(b'\r\n')[0].decode()
    time.sleep(0.05)
    ll = loglines()[before:]
    b = body.decode('latin-1').strip() if status.endswith('200 OK') else ''
    print(json.dumps({'addr':addr,'port':port,'host':host,'ver':ver,'path':absuri or path,'status':status.split(' ')[1] if status else '', 'body':b, 'log': ll[-1] if ll else ''}))
