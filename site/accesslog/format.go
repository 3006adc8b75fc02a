package accesslog

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// A Format is a compiled LogFormat string. It is safe for concurrent use
// once ServerName is set.
type Format struct {
	// ServerName is what %v prints, and %V when the request has no Host
	// header: Apache's ServerName of the server or virtual host the log
	// belongs to. Empty prints "-". Set it before the Format is shared.
	ServerName string

	items []item
	pid   []byte           // %P, formatted once
	now   func() time.Time // the end of the request (%D, %T, end:); time.Now outside tests
}

// kind says what an item prints.
type kind uint8

const (
	kLiteral       kind = iota // arg, as is
	kDash                      // "-": %l %u %f %R %L %{tid}P
	kRemoteIP                  // %a %h: ctx.RemoteAddr (the user agent)
	kPeerIP                    // %{c}a %{c}h: the connection's peer
	kLocalIP                   // %A
	kBytesCLF                  // %b
	kBytes                     // %B
	kBytesIn                   // %I (mod_logio)
	kBytesOut                  // %O (mod_logio)
	kBytesAll                  // %S (mod_logio)
	kMicros                    // %D %{us}T
	kMillis                    // %{ms}T
	kSeconds                   // %T %{s}T
	kProtocol                  // %H
	kKeepAlives                // %k
	kMethod                    // %m
	kLocalPort                 // %{local}p, and %p %{canonical}p without a ServerInfo
	kCanonicalPort             // %p %{canonical}p
	kRemotePort                // %{remote}p
	kPID                       // %P %{pid}P
	kQuery                     // %q
	kRequestLine               // %r
	kStatus                    // %s %>s
	kTime                      // %t %{...}t
	kPath                      // %U
	kServerName                // %v
	kHostName                  // %V
	kConnStatus                // %X
	kReqHeader                 // %{name}i
	kRespHeader                // %{name}o
	kCookie                    // %{name}C
	kNote                      // %{name}n: a string-like ctx.UserValue
	kUser                      // %u: the string ctx.UserValue(UserKey)
	kEnv                       // %{name}e: ctx.UserValue(EnvKey)'s Lookup
	kSSLVar                    // %{name}x: mod_ssl's variables (ssl.go)
)

// timeForm is the shape of a %t item.
type timeForm uint8

const (
	timeCLF      timeForm = iota // [10/Oct/2000:13:55:36 -0700]
	timeCustom                   // strftime(arg)
	timeSec                      // seconds since the epoch
	timeMsec                     // milliseconds since the epoch
	timeUsec                     // microseconds since the epoch
	timeMsecFrac                 // the millisecond part, 3 digits
	timeUsecFrac                 // the microsecond part, 6 digits
)

// An item is one literal or one directive.
type item struct {
	kind   kind
	arg    string // literal text, header, cookie or note name, strftime layout
	conds  []int  // %400,501{...}x: print only for these statuses
	negate bool   // %!400,501{...}x: print only for other statuses
	end    bool   // %{end:...}t: the time the line is made, not the start
	form   timeForm
}

// Compile parses a mod_log_config format string. Text outside directives
// is copied with Apache's escapes \n, \r, \t and \\ (any other backslash
// stays as is). A directive is '%', optional modifiers (a status list like
// "400,501", '!' to negate it, '<' or '>' which are accepted and ignored
// because gohttpd has no internal redirects), an optional {argument} and a
// letter. Errors name the directive letter.
func Compile(format string) (*Format, error) {
	f := &Format{
		pid: strconv.AppendInt(nil, int64(os.Getpid()), 10),
		now: time.Now,
	}
	for s := format; len(s) > 0; {
		if s[0] != '%' {
			var lit string
			lit, s = parseLiteral(s)
			f.addLiteral(lit)
			continue
		}
		it, rest, err := parseDirective(s[1:])
		if err != nil {
			return nil, fmt.Errorf("accesslog: %w", err)
		}
		s = rest
		if it.kind == kLiteral {
			f.addLiteral(it.arg)
			continue
		}
		f.items = append(f.items, it)
	}
	return f, nil
}

// addLiteral appends literal text, merging it with a literal before it.
func (f *Format) addLiteral(s string) {
	if s == "" {
		return
	}
	if n := len(f.items); n > 0 && f.items[n-1].kind == kLiteral {
		f.items[n-1].arg += s
		return
	}
	f.items = append(f.items, item{kind: kLiteral, arg: s})
}

// parseLiteral returns the text of s up to the next '%', with Apache's
// backslash escapes applied (parse_log_misc_string), and the rest of s.
func parseLiteral(s string) (lit, rest string) {
	end := strings.IndexByte(s, '%')
	if end < 0 {
		end = len(s)
	}
	raw := s[:end]
	if strings.IndexByte(raw, '\\') < 0 {
		return raw, s[end:]
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 == len(raw) {
			b.WriteByte(c)
			continue
		}
		switch raw[i+1] {
		case '\\':
			b.WriteByte('\\')
			i++
		case 'r':
			b.WriteByte('\r')
			i++
		case 'n':
			b.WriteByte('\n')
			i++
		case 't':
			b.WriteByte('\t')
			i++
		default:
			b.WriteByte('\\') // copied verbatim; the next byte follows normally
		}
	}
	return b.String(), s[end:]
}

var errRanOff = errors.New("format ends inside a % directive")

// parseDirective parses one directive; s follows the '%'.
func parseDirective(s string) (item, string, error) {
	var it item
	if strings.HasPrefix(s, "%") {
		return item{kind: kLiteral, arg: "%"}, s[1:], nil
	}
	var arg string
	for len(s) > 0 {
		c := s[0]
		switch {
		case c == '!':
			it.negate = !it.negate
			s = s[1:]
		case c == '<' || c == '>' || c == ',':
			s = s[1:]
		case c == '{':
			end := strings.IndexByte(s, '}')
			if end < 0 {
				return it, "", errRanOff
			}
			arg, s = s[1:end], s[end+1:]
		case c >= '0' && c <= '9':
			n := 0
			for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
				if n < 1e6 { // no status is this large; stop growing
					n = n*10 + int(s[0]-'0')
				}
				s = s[1:]
			}
			it.conds = append(it.conds, n)
		default:
			if c == '^' {
				d := s
				if len(d) > 3 {
					d = d[:3]
				}
				return it, "", fmt.Errorf("unsupported LogFormat directive %%%s (trailers are not logged)", d)
			}
			err := it.setLetter(c, arg)
			return it, s[1:], err
		}
	}
	return it, "", errRanOff
}

// setLetter fills it for directive letter c with argument arg.
func (it *item) setLetter(c byte, arg string) error {
	bad := func(want string) error {
		return fmt.Errorf("%%%c: unknown argument %q (want %s)", c, arg, want)
	}
	noArg := func(k kind) error {
		if arg != "" {
			return fmt.Errorf("%%%c takes no argument, got {%s}", c, arg)
		}
		it.kind = k
		return nil
	}
	needArg := func(k kind) error {
		if arg == "" {
			return fmt.Errorf("%%%c needs a name, as in %%{Name}%c", c, c)
		}
		it.kind, it.arg = k, arg
		return nil
	}
	switch c {
	case 'a', 'h':
		switch arg {
		case "":
			it.kind = kRemoteIP
		case "c":
			it.kind = kPeerIP
		default:
			return bad("c")
		}
		return nil
	case 'A':
		return noArg(kLocalIP)
	case 'b':
		return noArg(kBytesCLF)
	case 'B':
		return noArg(kBytes)
	case 'I':
		return noArg(kBytesIn)
	case 'O':
		return noArg(kBytesOut)
	case 'S':
		return noArg(kBytesAll)
	case 'D':
		return noArg(kMicros)
	case 'u':
		return noArg(kUser)
	case 'f', 'R', 'l':
		return noArg(kDash)
	case 'H':
		return noArg(kProtocol)
	case 'k':
		return noArg(kKeepAlives)
	case 'L':
		if arg != "" && arg != "c" {
			return bad("c")
		}
		it.kind = kDash
		return nil
	case 'm':
		return noArg(kMethod)
	case 'q':
		return noArg(kQuery)
	case 'r':
		return noArg(kRequestLine)
	case 's':
		return noArg(kStatus)
	case 'U':
		return noArg(kPath)
	case 'v':
		return noArg(kServerName)
	case 'V':
		return noArg(kHostName)
	case 'X':
		return noArg(kConnStatus)
	case 'p':
		switch strings.ToLower(arg) {
		case "", "canonical":
			it.kind = kCanonicalPort
		case "local":
			it.kind = kLocalPort
		case "remote":
			it.kind = kRemotePort
		default:
			return bad("canonical, local or remote")
		}
		return nil
	case 'P':
		switch strings.ToLower(arg) {
		case "", "pid":
			it.kind = kPID
		case "tid", "hextid":
			it.kind = kDash
		default:
			return bad("pid, tid or hextid")
		}
		return nil
	case 'T':
		switch strings.ToLower(arg) {
		case "", "s":
			it.kind = kSeconds
		case "ms":
			it.kind = kMillis
		case "us":
			it.kind = kMicros
		default:
			return bad("s, ms or us")
		}
		return nil
	case 't':
		it.kind = kTime
		it.parseTimeArg(arg)
		return nil
	case 'i':
		return needArg(kReqHeader)
	case 'o':
		return needArg(kRespHeader)
	case 'C':
		return needArg(kCookie)
	case 'n':
		return needArg(kNote)
	case 'e':
		return needArg(kEnv)
	case 'x':
		return needArg(kSSLVar)
	}
	return fmt.Errorf("unrecognized LogFormat directive %%%c", c)
}

// parseTimeArg reads a %{...}t argument the way log_request_time does: an
// optional "begin" or "end" prefix (with ':' before a format), then "sec",
// "msec", "usec", "msec_frac", "usec_frac", nothing (the CLF form) or a
// strftime layout.
func (it *item) parseTimeArg(arg string) {
	it.form = timeCLF
	if arg == "" {
		return
	}
	layout, rest := arg, arg
	for _, p := range []struct {
		prefix string
		end    bool
	}{{"begin", false}, {"end", true}} {
		if after, ok := strings.CutPrefix(rest, p.prefix); ok {
			switch {
			case after == "":
				it.end = p.end
				return
			case after[0] == ':':
				it.end = p.end
				after = after[1:]
				layout = after
			}
			rest = after
			break
		}
	}
	switch rest {
	case "":
		it.form = timeCLF
	case "sec":
		it.form = timeSec
	case "msec":
		it.form = timeMsec
	case "usec":
		it.form = timeUsec
	case "msec_frac":
		it.form = timeMsecFrac
	case "usec_frac":
		it.form = timeUsecFrac
	default:
		it.form = timeCustom
		it.arg = layout
	}
}
