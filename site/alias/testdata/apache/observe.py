#!/usr/bin/env python3
"""Record Apache's answers for the site/alias tests.

Run with the two instances of README up (httpd.conf on 127.0.0.1:18480,
httpd2.conf on 127.0.0.1:18482):  python3 observe.py
Writes observed/<conf>.txt: one block per request, "=== METHOD target",
then status, Location, Content-Type and the body (a final "\\ no newline"
line when the body does not end with one)."""
import http.client, os

REQUESTS = {
    "httpd": (18480, """GET /icons/a.txt
GET /icons
GET /icons/
GET /out/o.txt
GET /outx
GET /img/a.png
GET /img/b.png
GET /perm/x?a=1
GET /perm
GET /temp/y
GET /see
GET /s303?z=1
GET /gone
GET /gone/x
GET /q/r?orig=1
GET /sp/a%20b%22c
GET /sp/a?b
GET /rm/abc
GET /rm/a%20b?x=1
GET /rz/k
GET /rp/1
GET /rt/2
GET /both/a.txt
GET /loc?x=1
GET /loc/deep
GET /locgone
GET /ed/missing
GET /ed/missing?q=1
GET /ed/sub/missing
GET /edtext/missing
HEAD /edtext/missing
GET /edext/missing
GET /forbid/x
GET /edmissing/x
GET /multi/
GET /multi2/
GET /multi/sub/
GET /multi
GET /noslash/d
GET /noslash/d/
GET /slash/d
GET /slash/d?x=1
GET /fb/nothing
GET /fb/exists.html
GET /fb/a/b?q=2
GET /fb/dir
GET /fb/dir/
GET /relidx/
GET /disabled/
POST /ed/missing"""),
    "httpd2": (18482, """GET /main-redir/a.txt
GET /main-alias/a.txt
GET /vx/a.txt
GET /vx/b.txt
GET /sp/a'b(c)$d~e
GET /sp/%C3%BC%3F%23
GET /frag/x
GET /port/y
GET /rel/z?q=1
GET /bad/1
GET /esc/w
GET /sq/1?orig=2
GET /rd/x
GET /rd/other
GET /lrel/k?a=b
GET /lfoo
GET /l404
GET /lalias
GET /lalias/zz
GET /edq/missing
GET /edword/m
GET /edbs/m
GET /edslash/m
GET /edbad/m
GET /ed500
GET /fbd/nothing
GET /fbd/off/nothing
GET /edforbid/m
GET /edredir/m
GET /rr/x/y?k=v
GET /app/a.txt
GET /app/b.txt
GET /app
GET /dirslash/q
GET /crlf/a%0d%0aSet-Cookie:%20x=1
GET /crlf/a%09b
GET /crlf/a%7fb"""),
}

here = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(here, "observed"), exist_ok=True)
for name, (port, reqs) in REQUESTS.items():
    out = []
    for line in reqs.splitlines():
        method, target = line.split(" ", 1)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        body = b"a=1" if method == "POST" else None
        hdrs = {"Host": "127.0.0.1:%d" % port}
        if body:
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, target, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read().decode("latin-1")
        out.append("=== %s %s" % (method, target))
        out.append("status: %d" % r.status)
        out.append("location: %s" % (r.getheader("Location") or ""))
        out.append("content-type: %s" % (r.getheader("Content-Type") or ""))
        out.append("")
        out.append(data if data.endswith("\n") or not data else data + "\n\\ no newline")
        c.close()
    with open(os.path.join(here, "observed", name + ".txt"), "w", encoding="latin-1") as f:
        f.write("\n".join(out).rstrip("\n") + "\n")
