package proxy

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A minimal RFC 6455 frame exchange, so the test needs no WebSocket
// dependency: the client masks, the server does not.

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

func wsAccept(key string) string {
	h := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

func writeFrame(w io.Writer, op byte, payload []byte, mask bool) error {
	hdr := []byte{0x80 | op}
	mbit := byte(0)
	if mask {
		mbit = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, mbit|byte(n))
	case n < 1<<16:
		hdr = append(hdr, mbit|126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, mbit|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	p := payload
	if mask {
		var key [4]byte
		_, _ = rand.Read(key[:])
		hdr = append(hdr, key[:]...)
		p = make([]byte, len(payload))
		for i := range payload {
			p[i] = payload[i] ^ key[i%4]
		}
	}
	_, err := w.Write(append(hdr, p...))
	return err
}

func readFrame(r *bufio.Reader) (op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	op = h[0] & 0x0f
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(r, b[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(r, b[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 1<<20 {
		return 0, nil, errors.New("frame too large")
	}
	var key [4]byte
	masked := h[1]&0x80 != 0
	if masked {
		if _, err = io.ReadFull(r, key[:]); err != nil {
			return
		}
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	if masked {
		for i := range payload {
			payload[i] ^= key[i%4]
		}
	}
	return op, payload, nil
}

// wsEcho is a WebSocket echo backend; it records the upgrade request.
func wsEcho(t *testing.T, heads chan<- string) string {
	return rawBackend(t, func(c net.Conn, head string) {
		heads <- head
		key := ""
		for _, l := range strings.Split(head, "\r\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, "Sec-WebSocket-Key") {
				key = strings.TrimSpace(v)
			}
		}
		_, _ = io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Accept: "+wsAccept(key)+"\r\n\r\n")
		br := bufio.NewReader(c)
		for {
			op, p, err := readFrame(br)
			if err != nil {
				return
			}
			if err := writeFrame(c, op, p, false); err != nil || op == 8 {
				return
			}
		}
	})
}

func wsDial(t *testing.T, addr, path string) (net.Conn, *bufio.Reader, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	_, _ = io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: front\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: "+key+"\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != wsAccept(key) ||
		!strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") {
		t.Fatalf("handshake: %d %v", resp.StatusCode, resp.Header)
	}
	return c, br, key
}

func TestWebSocket(t *testing.T) {
	for _, form := range []string{"ws://", "upgrade=websocket"} {
		heads := make(chan string, 4)
		be := wsEcho(t, heads)
		line := []string{"ProxyPass", "/ws/", "ws://" + be + "/echo/"}
		if form == "upgrade=websocket" {
			line = []string{"ProxyPass", "/ws/", "http://" + be + "/echo/", "upgrade=websocket"}
		}
		srv, _ := build(t, line)
		f := newFront(t, srv, nil, Options{})
		c, br, _ := wsDial(t, f.addr, "/ws/chat")
		head := <-heads
		if !strings.HasPrefix(head, "GET /echo/chat HTTP/1.1\r\n") || !strings.Contains(head, "\r\nUpgrade: websocket\r\n") ||
			!strings.Contains(head, "\r\nConnection: Upgrade\r\n") || !strings.Contains(head, "\r\nX-Forwarded-For: 127.0.0.1\r\n") {
			t.Errorf("%s: backend got\n%s", form, head)
		}
		big := bytes.Repeat([]byte("0123456789"), 7000)
		for _, msg := range [][]byte{[]byte("hello"), big} {
			if err := writeFrame(c, 1, msg, true); err != nil {
				t.Fatal(err)
			}
			op, p, err := readFrame(br)
			if err != nil || op != 1 || !bytes.Equal(p, msg) {
				t.Fatalf("%s: echo of %d bytes: op %d, %d bytes, %v", form, len(msg), op, len(p), err)
			}
		}
		_ = writeFrame(c, 8, []byte{3, 232}, true)
		if op, _, err := readFrame(br); err != nil || op != 8 {
			t.Fatalf("%s: close: op %d %v", form, op, err)
		}
		// The backend closed: the proxy closes the client side too.
		if _, err := br.ReadByte(); err != io.EOF {
			t.Errorf("%s: after close: %v", form, err)
		}
		c.Close()
	}
}

// An idle tunnel is closed after the worker's timeout.
func TestWebSocketIdleTimeout(t *testing.T) {
	heads := make(chan string, 1)
	be := wsEcho(t, heads)
	srv, _ := build(t, []string{"ProxyPass", "/ws/", "ws://" + be + "/", "timeout=1"})
	f := newFront(t, srv, nil, Options{})
	c, br, _ := wsDial(t, f.addr, "/ws/")
	defer c.Close()
	start := time.Now()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle tunnel: %v", err)
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > 4*time.Second {
		t.Fatalf("closed after %v, want ~1s", d)
	}
}

// Without upgrade= an Upgrade request is an ordinary request: the Upgrade
// header is dropped as hop-by-hop.
func TestUpgradeNotAllowed(t *testing.T) {
	be := backend(t, echo)
	srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/"})
	f := newFront(t, srv, nil, Options{})
	head, body := rawGet(t, f.addr, "GET /x HTTP/1.1\r\nHost: front\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 200") || strings.Contains(body, "Upgrade") {
		t.Fatalf("%q\n%s", head, body)
	}
}

// Options.NoUpgrade (engines without Hijack): an ordinary request.
func TestNoUpgradeOption(t *testing.T) {
	be := backend(t, echo)
	srv, _ := build(t, []string{"ProxyPass", "/", "http://" + be + "/", "upgrade=websocket"})
	f := newFront(t, srv, nil, Options{NoUpgrade: true})
	head, body := rawGet(t, f.addr, "GET /x HTTP/1.1\r\nHost: front\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 200") || strings.Contains(body, "Upgrade") {
		t.Fatalf("%q\n%s", head, body)
	}
}

// ws:// balancer members and upgrade=ANY tunnel too.
func TestWebSocketBalancerAndAny(t *testing.T) {
	heads := make(chan string, 4)
	be := wsEcho(t, heads)
	srv, _ := build(t,
		[]string{"ProxyPass", "/lb/", "balancer://ws/"},
		[]string{"BalancerMember", "balancer://ws", "ws://" + be},
		[]string{"ProxyPass", "/any/", "http://" + be + "/", "upgrade=ANY"},
	)
	f := newFront(t, srv, nil, Options{})
	for _, path := range []string{"/lb/a", "/any/b"} {
		c, br, _ := wsDial(t, f.addr, path)
		<-heads
		if err := writeFrame(c, 2, []byte{1, 2, 3}, true); err != nil {
			t.Fatal(err)
		}
		if op, p, err := readFrame(br); err != nil || op != 2 || !bytes.Equal(p, []byte{1, 2, 3}) {
			t.Fatalf("%s: op %d %v %v", path, op, p, err)
		}
		c.Close()
	}
}
