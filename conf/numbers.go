package conf

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// atoi is C's atoi as Apache's MPM directives use it: leading blanks are
// skipped, an optional sign and the digits up to the first other byte are
// converted, anything else gives 0 and is never an error. Out-of-range
// values (undefined in C) saturate at the int32 limits.
func atoi(s string) int {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
		if n > math.MaxInt32+1 {
			n = math.MaxInt32 + 1
		}
	}
	if neg {
		n = -n
	}
	return int(max(min(n, math.MaxInt32), math.MinInt32))
}

// errParseValue is Apache's strtod failure text (set_worker_factor).
var errParseValue = errors.New("error parsing value")

// strtod parses a whole argument as C's strtod with Apache's "*endptr"
// check: leading blanks are allowed, trailing bytes are an error, an empty
// or blank string is 0. NaN and infinities are refused.
func strtod(s string) (float64, error) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, errParseValue
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errParseValue
	}
	return f, nil
}

// parseTimeout is ap_timeout_parameter_parse: a base-10 integer followed by
// an optional unit whose first letters decide it ("ms", "s", "mi"(nutes),
// "h"); with no unit defaultUnit applies. As in Apache only the leading
// letters are looked at ("5sec" is 5 s) and a missing number counts as 0.
func parseTimeout(s, defaultUnit string) (time.Duration, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	k := j
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	var n int64
	if k > j {
		v, err := strconv.ParseInt(s[i:k], 10, 64)
		if err != nil {
			return 0, false
		}
		n = v
	} else {
		k = i // no digits: strtol leaves endptr at the start
	}
	unit := s[k:]
	if unit == "" {
		unit = defaultUnit
	}
	var scale time.Duration
	switch {
	case unit[0] == 's':
		scale = time.Second
	case unit[0] == 'h':
		scale = time.Hour
	case unit[0] == 'm' && len(unit) > 1 && unit[1] == 's':
		scale = time.Millisecond
	case unit[0] == 'm' && len(unit) > 1 && unit[1] == 'i':
		scale = time.Minute
	default:
		return 0, false
	}
	if n > int64(math.MaxInt64/scale) || n < int64(math.MinInt64/scale) {
		return 0, false
	}
	return time.Duration(n) * scale, true
}

// strictInt parses a whole argument as a base-10 integer, for the
// directives gohttpd does not parse with atoi.
func strictInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
