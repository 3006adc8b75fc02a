package accesslog

import (
	"strconv"
	"time"
)

var (
	shortMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	longMonths  = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	shortDays   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	longDays    = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// appendTime appends t in the item's %t form.
func appendTime(dst []byte, it *item, t time.Time) []byte {
	switch it.form {
	case timeSec:
		return strconv.AppendInt(dst, t.Unix(), 10)
	case timeMsec:
		return strconv.AppendInt(dst, t.UnixMilli(), 10)
	case timeUsec:
		return strconv.AppendInt(dst, t.UnixMicro(), 10)
	case timeMsecFrac:
		return appendPadded(dst, t.Nanosecond()/1e6, 3, '0')
	case timeUsecFrac:
		return appendPadded(dst, t.Nanosecond()/1e3, 6, '0')
	case timeCustom:
		return appendStrftime(dst, it.arg, t)
	}
	return appendCLFTime(dst, t)
}

// appendCLFTime appends t as "[10/Oct/2000:13:55:36 -0700]", in t's own
// location.
func appendCLFTime(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	dst = append(dst, '[')
	dst = appendPadded(dst, day, 2, '0')
	dst = append(dst, '/')
	dst = append(dst, shortMonths[month-1]...)
	dst = append(dst, '/')
	dst = strconv.AppendInt(dst, int64(year), 10)
	dst = append(dst, ':')
	dst = appendPadded(dst, hour, 2, '0')
	dst = append(dst, ':')
	dst = appendPadded(dst, minute, 2, '0')
	dst = append(dst, ':')
	dst = appendPadded(dst, sec, 2, '0')
	dst = append(dst, ' ')
	dst = appendZone(dst, t)
	return append(dst, ']')
}

// appendZone appends t's UTC offset as +hhmm or -hhmm.
func appendZone(dst []byte, t time.Time) []byte {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	dst = append(dst, sign)
	dst = appendPadded(dst, off/3600, 2, '0')
	return appendPadded(dst, off%3600/60, 2, '0')
}

// appendPadded appends n (>= 0) padded on the left with pad to width.
func appendPadded(dst []byte, n, width int, pad byte) []byte {
	var buf [20]byte
	b := strconv.AppendInt(buf[:0], int64(n), 10)
	for i := len(b); i < width; i++ {
		dst = append(dst, pad)
	}
	return append(dst, b...)
}

// appendStrftime appends t formatted by a C-locale strftime(3) layout.
// Supported: %a %A %b %h %B %c %C %d %D %e %F %g %G %H %I %j %k %l %m %M
// %n %p %P %r %R %s %S %t %T %u %U %V %w %W %x %X %y %Y %z %Z %%; the E
// and O modifiers are skipped; anything else is copied as is, as glibc does.
func appendStrftime(dst []byte, layout string, t time.Time) []byte {
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' || i+1 == len(layout) {
			dst = append(dst, c)
			continue
		}
		i++
		if (layout[i] == 'E' || layout[i] == 'O') && i+1 < len(layout) {
			i++
		}
		dst = appendConversion(dst, layout[i], t)
	}
	return dst
}

func appendConversion(dst []byte, c byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	wday := int(t.Weekday())
	yday := t.YearDay() - 1
	switch c {
	case 'a':
		return append(dst, shortDays[wday]...)
	case 'A':
		return append(dst, longDays[wday]...)
	case 'b', 'h':
		return append(dst, shortMonths[month-1]...)
	case 'B':
		return append(dst, longMonths[month-1]...)
	case 'c':
		return appendStrftime(dst, "%a %b %e %H:%M:%S %Y", t)
	case 'C':
		return appendPadded(dst, year/100, 2, '0')
	case 'd':
		return appendPadded(dst, day, 2, '0')
	case 'D', 'x':
		return appendStrftime(dst, "%m/%d/%y", t)
	case 'e':
		return appendPadded(dst, day, 2, ' ')
	case 'F':
		return appendStrftime(dst, "%Y-%m-%d", t)
	case 'g':
		y, _ := t.ISOWeek()
		return appendPadded(dst, y%100, 2, '0')
	case 'G':
		y, _ := t.ISOWeek()
		return strconv.AppendInt(dst, int64(y), 10)
	case 'H':
		return appendPadded(dst, hour, 2, '0')
	case 'I':
		return appendPadded(dst, hour12(hour), 2, '0')
	case 'j':
		return appendPadded(dst, yday+1, 3, '0')
	case 'k':
		return appendPadded(dst, hour, 2, ' ')
	case 'l':
		return appendPadded(dst, hour12(hour), 2, ' ')
	case 'm':
		return appendPadded(dst, int(month), 2, '0')
	case 'M':
		return appendPadded(dst, minute, 2, '0')
	case 'n':
		return append(dst, '\n')
	case 'p':
		if hour < 12 {
			return append(dst, "AM"...)
		}
		return append(dst, "PM"...)
	case 'P':
		if hour < 12 {
			return append(dst, "am"...)
		}
		return append(dst, "pm"...)
	case 'r':
		return appendStrftime(dst, "%I:%M:%S %p", t)
	case 'R':
		return appendStrftime(dst, "%H:%M", t)
	case 's':
		return strconv.AppendInt(dst, t.Unix(), 10)
	case 'S':
		return appendPadded(dst, sec, 2, '0')
	case 't':
		return append(dst, '\t')
	case 'T', 'X':
		return appendStrftime(dst, "%H:%M:%S", t)
	case 'u':
		return strconv.AppendInt(dst, int64((wday+6)%7+1), 10)
	case 'U':
		return appendPadded(dst, (yday+7-wday)/7, 2, '0')
	case 'V':
		_, w := t.ISOWeek()
		return appendPadded(dst, w, 2, '0')
	case 'w':
		return strconv.AppendInt(dst, int64(wday), 10)
	case 'W':
		return appendPadded(dst, (yday+7-(wday+6)%7)/7, 2, '0')
	case 'y':
		return appendPadded(dst, year%100, 2, '0')
	case 'Y':
		return strconv.AppendInt(dst, int64(year), 10)
	case 'z':
		return appendZone(dst, t)
	case 'Z':
		name, _ := t.Zone()
		return append(dst, name...)
	case '%':
		return append(dst, '%')
	}
	return append(dst, '%', c)
}

func hour12(h int) int {
	if h %= 12; h == 0 {
		return 12
	}
	return h
}
