package conf

import (
	"errors"
	"strings"
)

// AccessOrder is mod_access_compat's Order.
type AccessOrder uint8

const (
	// DenyAllow is "Order Deny,Allow" (the default): allowed unless a
	// Deny matches and no Allow does.
	DenyAllow AccessOrder = iota
	// AllowDeny is "Order Allow,Deny": denied unless an Allow matches and
	// no Deny does.
	AllowDeny
	// MutualFailure is "Order Mutual-failure": allowed only when an Allow
	// matches and no Deny does.
	MutualFailure
)

// Satisfy is mod_access_compat's Satisfy.
type Satisfy uint8

const (
	// SatisfyNoSpec: not set; behaves as All.
	SatisfyNoSpec Satisfy = iota
	// SatisfyAll: the host checks (Order/Allow/Deny) and the Require
	// checks must both pass.
	SatisfyAll
	// SatisfyAny: passing the host checks is enough; otherwise the
	// Require checks (with authentication) decide.
	SatisfyAny
)

// AccessRuleKind is what an Allow or Deny entry matches.
type AccessRuleKind uint8

const (
	AccessEnv    AccessRuleKind = iota // from env=NAME: the variable is set
	AccessNotEnv                       // from env=!NAME: the variable is unset
	AccessAll                          // from all
	AccessIP                           // an address pattern
	AccessHost                         // a host name or domain (double reverse lookup)
)

// AccessRule is one "Allow from X" or "Deny from X" entry.
type AccessRule struct {
	Kind AccessRuleKind
	// Value is the variable name (AccessEnv, AccessNotEnv) or the host
	// or domain (AccessHost), as written.
	Value string
	// IP is the pattern of an AccessIP entry.
	IP IPMatch
	// Limited is the <Limit> method set the entry was written in.
	Limited MethodMask
}

// AccessCompat is one section's Order, Allow, Deny and Satisfy. Order and
// Satisfy are kept per method number, as <Limit> may set them for some
// methods only.
type AccessCompat struct {
	Order   [64]AccessOrder
	Satisfy [64]Satisfy
	Allow   []AccessRule
	Deny    []AccessRule
}

// OrderFor is the Order for method number n.
func (a *AccessCompat) OrderFor(n int) AccessOrder { return a.Order[n&63] }

// SatisfyFor is the Satisfy for method number n.
func (a *AccessCompat) SatisfyFor(n int) Satisfy { return a.Satisfy[n&63] }

func newAccessCompat() *AccessCompat { return &AccessCompat{} }

// apply is mod_access_compat's order, allow_cmd and satisfy.
func (a *AccessCompat) apply(key string, args []string, limited MethodMask) error {
	switch key {
	case "order", "satisfy":
		if len(args) != 1 || args[0] == "" {
			return errors.New(map[string]string{"order": "order", "satisfy": "Satisfy"}[key] + " takes one argument")
		}
		arg := strings.ToLower(args[0])
		if key == "order" {
			var o AccessOrder
			switch arg {
			case "allow,deny":
				o = AllowDeny
			case "deny,allow":
				o = DenyAllow
			case "mutual-failure":
				o = MutualFailure
			default:
				return errors.New("unknown order")
			}
			for i := range a.Order {
				if limited.Has(i) {
					a.Order[i] = o
				}
			}
			return nil
		}
		var s Satisfy
		switch arg {
		case "all":
			s = SatisfyAll
		case "any":
			s = SatisfyAny
		default:
			return errors.New("Satisfy either 'any' or 'all'.")
		}
		for i := range a.Satisfy {
			if limited.Has(i) {
				a.Satisfy[i] = s
			}
		}
		return nil
	}
	// allow, deny: ITERATE2, "from" then one entry per argument.
	if len(args) < 2 || args[0] == "" {
		return errors.New(key + " requires at least two arguments")
	}
	if !strings.EqualFold(args[0], "from") {
		return errors.New("allow and deny must be followed by 'from'")
	}
	for _, where := range args[1:] {
		r, err := parseAccessRule(where, limited)
		if err != nil {
			return err
		}
		if key == "allow" {
			a.Allow = append(a.Allow, r)
		} else {
			a.Deny = append(a.Deny, r)
		}
	}
	return nil
}

// parseAccessRule is allow_cmd for one argument.
func parseAccessRule(where string, limited MethodMask) (AccessRule, error) {
	r := AccessRule{Limited: limited, Value: where}
	lw := strings.ToLower(where)
	switch {
	case strings.HasPrefix(lw, "env=!"):
		r.Kind, r.Value = AccessNotEnv, where[5:]
		return r, nil
	case strings.HasPrefix(lw, "env="):
		r.Kind, r.Value = AccessEnv, where[4:]
		return r, nil
	case lw == "all":
		r.Kind = AccessAll
		return r, nil
	}
	if ip, mask, ok := strings.Cut(where, "/"); ok {
		m, err := parseIPMatch(ip, mask, true)
		if errors.Is(err, errNotIP) {
			return r, errors.New("An IP address was expected")
		}
		if err != nil {
			return r, err
		}
		r.Kind, r.IP = AccessIP, m
		return r, nil
	}
	m, err := parseIPMatch(where, "", false)
	switch {
	case err == nil:
		r.Kind, r.IP = AccessIP, m
		return r, nil
	case !errors.Is(err, errNotIP):
		return r, err
	case strings.IndexByte(where, '#') >= 0:
		return r, errors.New("No comments are allowed here")
	}
	r.Kind = AccessHost
	return r, nil
}
