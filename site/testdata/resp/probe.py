#!/usr/bin/env python3
"""Send probes.txt to a server and print the normalized answers (the
format TestRespLikeApache compares): python3 probe.py PORT > apache.txt"""
import socket, sys, gzip, email.utils

KEEP = ["Content-Type", "Content-Encoding", "Content-Language", "Vary", "ETag",
        "Cache-Control", "Expires", "Content-Range", "Connection", "X-Site", "X-Always",
        "X-Env", "X-Echo-1", "X-Echo-2", "X-Cond", "X-Nocond", "TCN", "Content-Location", "Alternates"]

def probe(port, line):
    parts = [p.strip() for p in line.split("|")]
    reqline, hdrs = parts[0], parts[1:]
    raw = reqline + "\r\nHost: test\r\n" + "".join(h + "\r\n" for h in hdrs) + "\r\n"
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(raw.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0]
    h = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        h.setdefault(k.strip().lower(), []).append(v.strip())
    n = int(h.get("content-length", ["0"])[0])
    if not reqline.startswith("HEAD"):
        while len(body) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
    s.close()
    out = ["> " + line, "< " + status.split(" ", 1)[0] + " " + status.split(" ")[1]]
    date = email.utils.parsedate_to_datetime(h["date"][0]) if "date" in h else None
    for k in KEEP:
        for v in h.get(k.lower(), []):
            if k == "Expires" and date:
                v = "Date+%d" % int((email.utils.parsedate_to_datetime(v) - date).total_seconds())
            if k == "Content-Range" and h.get("content-encoding", [""])[0] in ("gzip", "br"):
                v = v.rsplit("/", 1)[0] + "/coded"
            out.append(k + ": " + v)
    enc = h.get("content-encoding", [""])[0]
    if enc == "gzip" and n > 0 and "content-range" not in h and not reqline.startswith("HEAD"):
        out.append("Decoded-Length: %d" % len(gzip.decompress(body)))
    elif enc in ("gzip", "br"):
        out.append("Content-Length: coded")
    else:
        out.append("Content-Length: %s" % h.get("content-length", ["-"])[0])
    return out

port = int(sys.argv[1])
for line in open(sys.argv[2] if len(sys.argv) > 2 else "probes.txt"):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    print("\n".join(probe(port, line)))
    print()
