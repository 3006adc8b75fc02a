package load

import (
	"errors"
	"golang.org/x/sys/unix"
	"io"
	"net"
	"os"
)

// ErrKind is a class of failed request.
type ErrKind int

// The kinds of failure, in the order reports print them.
const (
	// KindRefused: the connect was refused (nothing listening, or the
	// server reset it during the handshake).
	KindRefused ErrKind = iota
	// KindReset: the connection was reset (ECONNRESET, EPIPE).
	KindReset
	// KindTimeout: no connection or no whole response within the timeout.
	KindTimeout
	// KindClosed: the server closed the connection before a whole response.
	KindClosed
	// KindStatus: a whole response with an unexpected status code.
	KindStatus
	// KindOther: anything else (malformed response, local errors).
	KindOther
	numKinds
)

var kindNames = [numKinds]string{"refused", "reset", "timeout", "closed", "status", "other"}

// String names the kind as reports print it ("refused", "reset", ...).
func (k ErrKind) String() string {
	if k < 0 || k >= numKinds {
		return "unknown"
	}
	return kindNames[k]
}

// Errors counts failed requests by kind.
type Errors struct {
	Refused int64 `json:"refused"`
	Reset   int64 `json:"reset"`
	Timeout int64 `json:"timeout"`
	Closed  int64 `json:"closed"`
	Status  int64 `json:"status"`
	Other   int64 `json:"other"`
}

// Total is the number of failed requests of every kind.
func (e Errors) Total() int64 {
	return e.Refused + e.Reset + e.Timeout + e.Closed + e.Status + e.Other
}

// add counts n failures of kind k.
func (e *Errors) add(k ErrKind, n int64) {
	switch k {
	case KindRefused:
		e.Refused += n
	case KindReset:
		e.Reset += n
	case KindTimeout:
		e.Timeout += n
	case KindClosed:
		e.Closed += n
	case KindStatus:
		e.Status += n
	default:
		e.Other += n
	}
}

// Merge adds o's counts to e.
func (e *Errors) Merge(o Errors) {
	e.Refused += o.Refused
	e.Reset += o.Reset
	e.Timeout += o.Timeout
	e.Closed += o.Closed
	e.Status += o.Status
	e.Other += o.Other
}

// String lists the non-zero counts ("reset=3 timeout=1"), or "0".
func (e Errors) String() string {
	var b []byte
	for i, n := range []int64{e.Refused, e.Reset, e.Timeout, e.Closed, e.Status, e.Other} {
		if n == 0 {
			continue
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, kindNames[i]...)
		b = append(b, '=')
		b = appendInt(b, n)
	}
	if len(b) == 0 {
		return "0"
	}
	return string(b)
}

func appendInt(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, d[i:]...)
}

// Classify tells what kind of failure err is.
func Classify(err error) ErrKind {
	var ne net.Error
	switch {
	case errors.Is(err, unix.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, unix.ECONNRESET), errors.Is(err, unix.EPIPE), errors.Is(err, unix.ECONNABORTED):
		return KindReset
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, unix.ETIMEDOUT),
		errors.As(err, &ne) && ne.Timeout():
		return KindTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return KindClosed
	case errors.Is(err, errStatus):
		return KindStatus
	}
	return KindOther
}

// errStatus marks a response with an unexpected status code.
var errStatus = errors.New("load: unexpected status")
