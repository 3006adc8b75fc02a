import socket, threading, time, sys, json
# tiny raw backend on 127.0.0.1:18081: /echo -> JSON of request line+headers,
# /slow -> sleeps 5s, /garbage -> junk, /close -> closes, /redir -> Location+Set-Cookie
def handle(c):
    data=b''
    c.settimeout(10)
    try:
        while b'\r\n\r\n' not in data:
            d=c.recv(65536)
            if not d: return
            data+=d
        head=data.split(b'\r\n\r\n')[0].decode('latin1')
        line=head.split('\r\n')[0]
        path=line.split(' ')[1]
        if path.startswith('/b/slow'):
            time.sleep(5); body=b'late'
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n'+body); return
        if path.startswith('/b/garbage'):
            c.sendall(b'this is not http\r\n\r\n'); return
        if path.startswith('/b/badstatus'):
            c.sendall(b'HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nhi'); return
        if path.startswith('/b/close'):
            return
        if path.startswith('/b/redir'):
            c.sendall(b'HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:18081/b/next?q=1\r\nContent-Location: /b/cl\r\nSet-Cookie: s=1; Path=/b/sub; Domain=backend.internal\r\nSet-Cookie: t=2; path=/other\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nProxy-Authenticate: Basic\r\nTrailer: X-T\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n'); return
        body=json.dumps({'line':line,'headers':head.split('\r\n')[1:]}).encode()
        c.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n'%len(body)+body)
    except Exception as e:
        pass
    finally:
        c.close()
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR,1)
s.bind(('127.0.0.1',18081)); s.listen(64)
while True:
    c,_=s.accept(); threading.Thread(target=handle,args=(c,),daemon=True).start()
