package proxyproto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Sizes from mod_remoteip.c.
const (
	// MaxV1 is sizeof(proxy_v1): the longest v1 line Apache reads, CRLF
	// included (the specification's limit is 107).
	MaxV1 = 108
	// MaxV2 is sizeof(proxy_v2): the 16-byte fixed part and at most 216
	// bytes of addresses and TLVs (the AF_UNIX block's size).
	MaxV2 = 16 + 216
	// minV2 is the fixed part of a v2 header.
	minV2 = 16
)

var v2sig = [12]byte{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A}

var v1sig = [6]byte{'P', 'R', 'O', 'X', 'Y', ' '}

// ErrNeedMore is Feed's answer while the header is incomplete: every byte
// given was consumed; feed more.
var ErrNeedMore = errors.New("proxyproto: header incomplete")

// Error is a refused header: the connection is to be closed, and the error
// logged at level error with the AH number, as mod_remoteip does. Code ""
// is a refusal Apache logs nothing for (bytes that are no PROXY header).
type Error struct {
	Code string // "AH03499"
	Msg  string // the text after "AHnnnnn: "
}

func (e *Error) Error() string {
	if e.Code == "" {
		return e.Msg
	}
	return e.Code + ": " + e.Msg
}

func errf(code, format string, a ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, a...)}
}

// errNotProxy: remoteip_determine_version returned -1; Apache aborts the
// connection without a log line.
var errNotProxy = &Error{Msg: "RemoteIPProxyProtocol: no PROXY header"}

// Header is a parsed PROXY header.
type Header struct {
	// Version is 1 or 2.
	Version uint8
	// Local is v1 "PROXY UNKNOWN" or the v2 LOCAL command: the
	// connection's own peer is the client, Source and Dest are unset.
	Local bool
	// Source is the client and Dest the address it connected to. For v1,
	// Dest is unset when the line's destination does not parse (Apache
	// does not check it) and its port is 0 when absent.
	Source, Dest netip.AddrPort
	// TLV is the v2 header's bytes after the address block (type, 16-bit
	// length, value ...), unparsed; nil for v1 and when there are none.
	// It aliases the Parser's buffer: copy it to keep it past Reset.
	TLV []byte
	// Len is the header's length on the wire.
	Len int
}

// Client is the address mod_remoteip uses for the connection: Source, or
// peer for a Local header.
func (h *Header) Client(peer netip.AddrPort) netip.AddrPort {
	if h.Local || !h.Source.IsValid() {
		return peer
	}
	return h.Source
}

// Parser reads one header incrementally. The zero value is ready; it is a
// fixed 352-byte value (keep a pointer to a pooled one in a connection
// record, not the value), and allocates only a v1 line's string (48 B for
// a TCP4 line) and errors.
type Parser struct {
	buf  [MaxV2]byte
	n    int   // bytes in buf
	ver  uint8 // 0 undecided, 1, 2
	done bool
	hdr  Header
}

// Reset makes p ready for a new connection.
func (p *Parser) Reset() { p.n, p.ver, p.done, p.hdr = 0, 0, false, Header{} }

// Header is the parsed header once Feed returned nil.
func (p *Parser) Header() Header { return p.hdr }

// Want is how many bytes the next read should ask for: never past the end
// of a v2 header; a v1 line's end is unknown, so up to MaxV1 (the bytes
// past the CRLF are returned by Feed as not consumed).
func (p *Parser) Want() int {
	switch {
	case p.done:
		return 0
	case p.ver == 2:
		if p.n < minV2 {
			return minV2 - p.n
		}
		return minV2 + int(binary.BigEndian.Uint16(p.buf[14:16])) - p.n
	case p.ver == 1:
		return MaxV1 - p.n
	}
	return minV2 - p.n
}

// Feed gives p the next bytes of the connection. It returns how many of
// them belong to the header and nil once the header is complete (b[used:]
// are the first bytes of the HTTP stream), ErrNeedMore (all consumed), or
// an *Error (close the connection). Feeding any split of the same bytes
// gives the same result.
func (p *Parser) Feed(b []byte) (used int, err error) {
	if p.done {
		return 0, nil
	}
	for len(b) > 0 {
		take := 0
		switch p.ver {
		case 0:
			take = min(len(b), minV2-p.n)
		case 1:
			take = min(len(b), MaxV1-p.n)
		case 2:
			take = min(len(b), p.Want())
		}
		copy(p.buf[p.n:], b[:take])
		before := p.n
		p.n += take
		b = b[take:]
		used += take
		if p.ver == 0 {
			if err := p.decide(before); err != nil {
				return used, err
			}
		}
		switch p.ver {
		case 1:
			// Apache looks for the first CR only, and needs LF after it.
			end := bytes.IndexByte(p.buf[:p.n], '\r')
			if end >= 0 && end+1 < p.n && p.buf[end+1] != '\n' {
				// Apache waits for a CRLF it will never see, then gives up.
				return used, errf("AH10185", "RemoteIPProxyProtocol header too long, got %d expected %d", MaxV1, MaxV1)
			}
			if end < 0 || end+1 >= p.n {
				if p.n >= MaxV1 {
					return used, errf("AH10185", "RemoteIPProxyProtocol header too long, got %d expected %d", p.n, MaxV1)
				}
				continue
			}
			// Bytes fed past the CRLF are not the header's.
			used -= p.n - (end + 2)
			p.n = end + 2
			if err := p.v1(end); err != nil {
				return used, err
			}
			p.done = true
			return used, nil
		case 2:
			if p.n < minV2 {
				continue
			}
			need := minV2 + int(binary.BigEndian.Uint16(p.buf[14:16]))
			if need > MaxV2 {
				return used, errf("AH10186", "RemoteIPProxyProtocol protocol header length too long")
			}
			if p.n < need {
				continue
			}
			if err := p.v2(); err != nil {
				return used, err
			}
			p.done = true
			return used, nil
		}
	}
	return used, ErrNeedMore
}

// decide is remoteip_determine_version, answered as soon as the bytes so
// far can only be one version or neither (Apache waits for 15 bytes; the
// answer is the same). from is where the new bytes start.
func (p *Parser) decide(from int) error {
	// The signatures differ in their first byte, so it picks the one the
	// bytes must follow; bytes before from were checked already.
	sig := v1sig[:]
	if p.buf[0] == v2sig[0] {
		sig = v2sig[:]
	}
	for i := from; i < p.n; i++ {
		c := p.buf[i]
		switch {
		case i < len(sig) && c != sig[i]:
			return errNotProxy
		case len(sig) == len(v1sig) && i == len(v1sig)-1:
			p.ver = 1
			return nil
		case i == len(v2sig):
			if c&0xF0 != 0x20 {
				return errNotProxy
			}
			p.ver = 2
			return nil
		}
	}
	return nil
}

// v1 is remoteip_process_v1_header on the line buf[:end] (CRLF at end).
func (p *Parser) v1(end int) error {
	line := string(p.buf[:end]) // only on this once-per-connection path
	rest := line
	word := func() (string, bool) { // apr_strtok(NULL, " ")
		for len(rest) > 0 && rest[0] == ' ' {
			rest = rest[1:]
		}
		if rest == "" {
			return "", false
		}
		i := 0
		for i < len(rest) && rest[i] != ' ' {
			i++
		}
		w := rest[:i]
		rest = rest[i:]
		return w, true
	}
	missing := func(field string) error {
		return errf("AH03497", "RemoteIPProxyProtocol: no %s found in header '%s'", field, line)
	}
	word() // "PROXY"
	fam, ok := word()
	if !ok {
		return missing("family")
	}
	var chars string
	switch fam {
	case "UNKNOWN":
		p.hdr = Header{Version: 1, Local: true, Len: p.n}
		return nil
	case "TCP4":
		chars = "0123456789."
	case "TCP6":
		chars = "0123456789abcdefABCDEF:"
	default:
		return errf("AH03499", "RemoteIPProxyProtocol: unknown family '%s' in header '%s'", fam, line)
	}
	host, ok := word()
	if !ok {
		return missing("client-address")
	}
	for i := 0; i < len(host); i++ {
		if !containsByte(chars, host[i]) {
			return errf("AH03500", "RemoteIPProxyProtocol: invalid client-address '%s' found in header '%s'", host, line)
		}
	}
	dst, ok := word()
	if !ok {
		return missing("destination-address")
	}
	ps, ok := word()
	if !ok {
		return missing("client-port")
	}
	port, ok := scanHU(ps)
	if !ok {
		return errf("AH03501", "RemoteIPProxyProtocol: error parsing port '%s' in header '%s'", ps, line)
	}
	family := 2 // APR_INET
	if fam == "TCP6" {
		family = 10 // APR_INET6
	}
	src, err := netip.ParseAddr(host)
	if err != nil || (family == 2) != src.Is4() {
		return errf("AH03502", "RemoteIPProxyProtocol: error converting family '%d', host '%s', and port '%d' to sockaddr; header was '%s'", family, host, port, line)
	}
	h := Header{Version: 1, Source: netip.AddrPortFrom(src, port), Len: p.n}
	if d, err := netip.ParseAddr(dst); err == nil {
		dp := uint16(0)
		if w, ok := word(); ok {
			dp, _ = scanHU(w)
		}
		h.Dest = netip.AddrPortFrom(d, dp)
	}
	p.hdr = h
	return nil
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// scanHU is sscanf(s, "%hu"): optional blanks and sign, then at least one
// decimal digit, the rest ignored; the value is truncated to 16 bits as
// glibc does (strtoul, then a cast; "-1" is 65535).
func scanHU(s string) (uint16, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v uint64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if v < 1<<60 {
			v = v*10 + uint64(s[i]-'0')
		}
		i++
	}
	if i == start {
		return 0, false
	}
	if neg {
		v = -v
	}
	return uint16(v), true
}

// v2 is remoteip_process_v2_header on the complete header in buf[:n].
func (p *Parser) v2() error {
	vc, fam := p.buf[12], p.buf[13]
	body := p.buf[minV2:p.n]
	h := Header{Version: 2, Len: p.n}
	switch vc & 0x0F {
	case 0x0: // LOCAL: the specification says use the real endpoints
		h.Local = true
		if len(body) > 0 {
			h.TLV = tlvAfter(body, fam)
		}
	case 0x1:
		switch fam {
		case 0x11:
			if len(body) < 12 {
				return errf("AH03504", "RemoteIPPProxyProtocol: error creating sockaddr")
			}
			h.Source = netip.AddrPortFrom(netip.AddrFrom4([4]byte(body[0:4])), binary.BigEndian.Uint16(body[8:10]))
			h.Dest = netip.AddrPortFrom(netip.AddrFrom4([4]byte(body[4:8])), binary.BigEndian.Uint16(body[10:12]))
			body = body[12:]
		case 0x21:
			if len(body) < 36 {
				return errf("AH03505", "RemoteIPProxyProtocol: error creating sockaddr")
			}
			h.Source = netip.AddrPortFrom(netip.AddrFrom16([16]byte(body[0:16])), binary.BigEndian.Uint16(body[32:34]))
			h.Dest = netip.AddrPortFrom(netip.AddrFrom16([16]byte(body[16:32])), binary.BigEndian.Uint16(body[34:36]))
			body = body[36:]
		default:
			return errf("AH10183", "RemoteIPProxyProtocol: unsupported protocol %02x", fam)
		}
		if len(body) > 0 {
			h.TLV = body
		}
	default:
		return errf("AH03507", "RemoteIPProxyProtocol: unsupported command %02x", vc)
	}
	p.hdr = h
	return nil
}

// tlvAfter skips a LOCAL header's address block (its size follows the
// family byte) and returns the TLVs.
func tlvAfter(body []byte, fam byte) []byte {
	skip := 0
	switch fam >> 4 {
	case 1:
		skip = 12
	case 2:
		skip = 36
	case 3:
		skip = 216
	}
	if skip >= len(body) {
		return nil
	}
	return body[skip:]
}
