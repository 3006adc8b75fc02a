package conf

import "errors"

// MethodMask is a set of Apache method numbers (AP_METHOD_BIT <<
// M_xxx), as <Limit> and "Require method" use them.
type MethodMask uint64

// AllMethods is every method: what a directive outside <Limit> applies to.
const AllMethods = ^MethodMask(0)

// MethodInvalid is M_INVALID, the number of a method Apache does not know.
const MethodInvalid = 26

// methodNumbers are Apache 2.4's built-in methods (httpd.h M_GET ...
// M_MERGE). HEAD is M_GET: Apache's access control treats them alike.
var methodNumbers = map[string]int{
	"GET": 0, "HEAD": 0, "PUT": 1, "POST": 2, "DELETE": 3, "CONNECT": 4,
	"OPTIONS": 5, "TRACE": 6, "PATCH": 7, "PROPFIND": 8, "PROPPATCH": 9,
	"MKCOL": 10, "COPY": 11, "MOVE": 12, "LOCK": 13, "UNLOCK": 14,
	"VERSION-CONTROL": 15, "CHECKOUT": 16, "UNCHECKOUT": 17, "CHECKIN": 18,
	"UPDATE": 19, "LABEL": 20, "REPORT": 21, "MKWORKSPACE": 22,
	"MKACTIVITY": 23, "BASELINE-CONTROL": 24, "MERGE": 25,
}

// MethodNumber is ap_method_number_of: the method's number, or
// MethodInvalid for one Apache does not know (the match is
// case-sensitive, as Apache's). It does not allocate.
func MethodNumber(method string) int {
	// A switch on the common methods first keeps the hot path off the map.
	switch method {
	case "GET", "HEAD":
		return 0
	case "POST":
		return 2
	}
	if n, ok := methodNumbers[method]; ok {
		return n
	}
	return MethodInvalid
}

// MethodBytesNumber is MethodNumber for a []byte (fasthttp's Method()),
// without allocating.
func MethodBytesNumber(method []byte) int {
	switch string(method) {
	case "GET", "HEAD":
		return 0
	case "POST":
		return 2
	}
	if n, ok := methodNumbers[string(method)]; ok {
		return n
	}
	return MethodInvalid
}

// Has reports whether method number n is in the set.
func (m MethodMask) Has(n int) bool { return n >= 0 && n < 64 && m&(1<<uint(n)) != 0 }

// MethodMaskOf is the set of the given method names (for <Limit> and
// <LimitExcept>; unknown names are left out here, since Apache registers
// them as extension methods).
func MethodMaskOf(names ...string) MethodMask {
	var m MethodMask
	for _, n := range names {
		if k, ok := methodNumbers[n]; ok {
			m |= 1 << uint(k)
		}
	}
	return m
}

// LimitMask is core's ap_limit_section for <Limit> (except false) and
// <LimitExcept> (except true): the method set for the directives inside,
// given outer, the set of an enclosing <Limit> (AllMethods at the top).
// Set AuthBuilder.Limited to the result while walking the section.
// Methods Apache does not know share the number MethodInvalid here
// (Apache registers each with a number of its own).
func LimitMask(except bool, methods []string, outer MethodMask) (MethodMask, error) {
	name := "<Limit"
	if except {
		name = "<LimitExcept"
	}
	if len(methods) == 0 {
		return 0, errors.New(name + "> directive requires additional arguments")
	}
	var limited MethodMask
	for _, m := range methods {
		n := MethodNumber(m)
		if n == methodNumbers["TRACE"] && !except {
			return 0, errors.New("TRACE cannot be controlled by <Limit>, see TraceEnable")
		}
		limited |= 1 << uint(n)
	}
	if except {
		limited = ^limited
	}
	if outer&limited == 0 {
		return 0, errors.New(name + "> directive excludes all methods")
	}
	if outer&limited == outer {
		return 0, errors.New(name + "> directive specifies methods already excluded")
	}
	return outer & limited, nil
}
