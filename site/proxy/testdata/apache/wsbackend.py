import socket, threading, hashlib, base64
def handle(c):
    data=b''
    while b'\r\n\r\n' not in data:
        d=c.recv(4096)
        if not d: return
        data+=d
    head,rest=data.split(b'\r\n\r\n',1)
    open('/tmp/proxy-ap/ws-head.txt','ab').write(head+b'\n----\n')
    key=[l.split(b':',1)[1].strip() for l in head.split(b'\r\n') if l.lower().startswith(b'sec-websocket-key')][0]
    acc=base64.b64encode(hashlib.sha1(key+b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest())
    c.sendall(b'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: '+acc+b'\r\n\r\n')
    # raw byte echo
    if rest: c.sendall(rest)
    while True:
        d=c.recv(4096)
        if not d: break
        c.sendall(d)
    c.close()
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR,1)
s.bind(('127.0.0.1',18082)); s.listen(16)
while True:
    c,_=s.accept(); threading.Thread(target=handle,args=(c,),daemon=True).start()
