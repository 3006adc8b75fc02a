// Package threshold parses and checks the bench's pass/fail thresholds
// (gohttpd bench --threshold), which set its exit code so that a CI job
// can fail on a regression.
//
// The grammar, in the spirit of k6's thresholds:
//
//	threshold := subject op rhs
//	subject   := target "." scenario "." case "." metric
//	op        := ">=" | "<=" | ">" | "<" | "==" | "!="
//	rhs       := number | [number "*"] ref
//	ref       := subject | target
//
// target is an engine (prefork, worker, event) or another server's name
// (apache-event, nginx, a --target-name); case is a case's name as the
// table prints it ("1k", "server-close", "closed 128c"); metric a figure's
// name ("rps", "p99", "errors", "TIME_WAIT server", "p99.9"). Names match
// without regard to case or spaces. A bare target as ref stands for the
// left subject's scenario, case and metric on that target, so
// "event.keepalive.1k.rps>=0.9*nginx" asks event for at least 90% of
// nginx's throughput on the 1 KB file.
package threshold

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Subject names one figure of one case on one target.
type Subject struct {
	Target, Scenario, Case, Metric string
}

// String prints the subject as the grammar writes it.
func (s Subject) String() string {
	return s.Target + "." + s.Scenario + "." + s.Case + "." + s.Metric
}

// Threshold is one parsed threshold.
type Threshold struct {
	Left Subject
	// Op is the comparator: >=, <=, >, <, == or !=.
	Op string
	// Factor times the figure named by Right, or Number when Right is nil.
	Number float64
	Factor float64
	Right  *Subject
}

// ops are the comparators, longest first so that ">=" is not read as ">".
var ops = []string{">=", "<=", "==", "!=", ">", "<"}

// ErrSyntax is wrapped by every parse error.
var ErrSyntax = errors.New("threshold syntax")

// Parse parses a threshold such as "event.keepalive.1k.rps>=1.0*nginx".
func Parse(s string) (Threshold, error) {
	i := strings.IndexAny(s, "<>=!")
	if i < 0 {
		return Threshold{}, fmt.Errorf("%w: %q has no comparator (>=, <=, >, <, ==, !=)", ErrSyntax, s)
	}
	var t Threshold
	for _, op := range ops {
		if strings.HasPrefix(s[i:], op) {
			t.Op = op
			break
		}
	}
	if t.Op == "" {
		return Threshold{}, fmt.Errorf("%w: %q: %q is not a comparator", ErrSyntax, s, s[i:min(i+2, len(s))])
	}
	left, err := parseSubject(s[:i])
	if err != nil {
		return Threshold{}, fmt.Errorf("%w (in %q)", err, s)
	}
	t.Left = left
	if err := t.parseRight(strings.TrimSpace(s[i+len(t.Op):])); err != nil {
		return Threshold{}, fmt.Errorf("%w (in %q)", err, s)
	}
	return t, nil
}

// parseRight parses rhs into t.
func (t *Threshold) parseRight(rhs string) error {
	if rhs == "" {
		return fmt.Errorf("%w: nothing after %s", ErrSyntax, t.Op)
	}
	if _, err := strconv.ParseFloat(rhs, 64); err == nil {
		n, err := parseNumber(rhs) // refuses NaN and Inf
		t.Number = n
		return err
	}
	t.Factor = 1
	ref := rhs
	if f, r, ok := strings.Cut(rhs, "*"); ok {
		n, err := parseNumber(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("%w: factor %q is not a number", ErrSyntax, f)
		}
		t.Factor, ref = n, strings.TrimSpace(r)
	}
	if strings.Contains(ref, ".") {
		s, err := parseSubject(ref)
		if err != nil {
			return err
		}
		t.Right = &s
		return nil
	}
	if !validName(ref) {
		return fmt.Errorf("%w: %q is neither a number nor a target", ErrSyntax, ref)
	}
	t.Right = &Subject{Target: ref, Scenario: t.Left.Scenario, Case: t.Left.Case, Metric: t.Left.Metric}
	return nil
}

// parseNumber parses a finite number.
func parseNumber(s string) (float64, error) {
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrSyntax, err)
	}
	if math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, fmt.Errorf("%w: %q is not a finite number", ErrSyntax, s)
	}
	return n, nil
}

// parseSubject parses target.scenario.case.metric; the metric takes the
// rest (it may hold dots: "p99.9").
func parseSubject(s string) (Subject, error) {
	p := strings.SplitN(strings.TrimSpace(s), ".", 4)
	if len(p) != 4 {
		return Subject{}, fmt.Errorf("%w: %q is not target.scenario.case.metric", ErrSyntax, s)
	}
	for i := range p {
		p[i] = strings.TrimSpace(p[i])
		if !validName(p[i]) {
			return Subject{}, fmt.Errorf("%w: %q: empty or invalid part %q", ErrSyntax, s, p[i])
		}
	}
	return Subject{Target: p[0], Scenario: p[1], Case: p[2], Metric: p[3]}, nil
}

// validName reports whether a name part is usable: not empty, and free of
// the grammar's operators and of control characters.
func validName(s string) bool {
	if s == "" || strings.ContainsAny(s, "<>=!*") {
		return false
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// String prints the threshold in the grammar (Parse reads it back).
func (t Threshold) String() string {
	rhs := strconv.FormatFloat(t.Number, 'g', -1, 64)
	if t.Right != nil {
		rhs = strconv.FormatFloat(t.Factor, 'g', -1, 64) + "*" + t.Right.String()
	}
	return t.Left.String() + t.Op + rhs
}

// Lookup returns a subject's value, or an error when the run has no such
// figure or could not measure it.
type Lookup func(Subject) (float64, error)

// Result is a threshold's outcome.
type Result struct {
	// Threshold is the threshold as given.
	Threshold string `json:"threshold"`
	Pass      bool   `json:"pass"`
	// Left and Right are the compared values (Right after the factor);
	// nil when unknown.
	Left  *float64 `json:"left"`
	Right *float64 `json:"right"`
	// Message explains the outcome in words.
	Message string `json:"message"`
}

// Check evaluates t. A figure that is missing or unknown fails it: a CI
// job must not pass on a figure that was not measured.
func (t Threshold) Check(raw string, look Lookup) Result {
	r := Result{Threshold: raw}
	left, err := look(t.Left)
	if err != nil {
		r.Message = fmt.Sprintf("FAIL %s: %s: %v", raw, t.Left, err)
		return r
	}
	r.Left = &left
	right, desc := t.Number, strconv.FormatFloat(t.Number, 'g', 6, 64)
	if t.Right != nil {
		v, err := look(*t.Right)
		if err != nil {
			r.Message = fmt.Sprintf("FAIL %s: %s: %v", raw, t.Right, err)
			return r
		}
		right = t.Factor * v
		desc = fmt.Sprintf("%g × %s %s = %s", t.Factor, t.Right, fmtNum(v), fmtNum(right))
	}
	r.Right = &right
	r.Pass = compare(left, t.Op, right)
	verdict := "PASS"
	if !r.Pass {
		verdict = "FAIL"
	}
	r.Message = fmt.Sprintf("%s %s: %s %s %s", verdict, raw, fmtNum(left), t.Op, desc)
	return r
}

// fmtNum prints a figure compactly.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// compare applies op.
func compare(a float64, op string, b float64) bool {
	switch op {
	case ">=":
		return a >= b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case "<":
		return a < b
	case "==":
		return a == b
	case "!=":
		return a != b
	}
	return false
}

// Norm is how names are compared: lower case, without spaces.
func Norm(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, " ", ""))
}
