package acme

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

// md-status: mod_md's status handler ("<Location /md-status> SetHandler
// md-status"). The answer is mod_md's JSON: {"version", "managed-domains":
// [...]} for all domains, or one domain's object when the request path's
// last segment names one of its names (mod_md looks at path_info's last
// segment the same way). Field names and order are mod_md 2.6's
// (Apache 2.4.71 on Debian); the "renewal" object of a running or failed
// renewal job is left out (certmagic keeps that state to itself), and so
// are "profile-mandatory" and "ari-renewals".

// StatusVersion is the mod_md version the JSON's "version" claims (the
// format it follows).
const StatusVersion = "2.6.10"

type statusCA struct {
	Proto     string   `json:"proto"`
	URLs      []string `json:"urls"`
	Agreement string   `json:"agreement,omitempty"`
}

type statusValid struct {
	From  string `json:"from"`
	Until string `json:"until"`
}

type statusCert struct {
	Valid       statusValid `json:"valid"`
	Serial      string      `json:"serial"`
	Fingerprint string      `json:"sha256-fingerprint"`
}

type statusDomain struct {
	Name       string                `json:"name"`
	Domains    []string              `json:"domains"`
	Contacts   []string              `json:"contacts"`
	Transitive int                   `json:"transitive"`
	CA         statusCA              `json:"ca"`
	State      int                   `json:"state"`
	StateDescr string                `json:"state-descr,omitempty"`
	RenewMode  int                   `json:"renew-mode"`
	Window     string                `json:"renew-window"`
	Warn       string                `json:"warn-window"`
	MustStaple bool                  `json:"must-staple"`
	Proto      map[string][]string   `json:"proto"`
	Stapling   bool                  `json:"stapling"`
	Cert       map[string]statusCert `json:"cert"`
	RenewAt    string                `json:"renew-at,omitempty"`
	Watched    bool                  `json:"watched"`
	Renew      bool                  `json:"renew"`
}

// mod_md's md_state_t and md_renew_mode_t values.
const (
	mdStateIncomplete = 1
	mdStateComplete   = 2
	mdStateExpired    = 3
	mdRenewManual     = 0
	mdRenewAuto       = 1
)

// keySpecName is mod_md's name of the key type gohttpd's certificates
// have (MDPrivateKeys' spelling of ECDSA P-256).
const keySpecName = "secp256r1"

// Status is md-status's JSON for the request path path (see above).
// certPEM returns a managed domain's certificate file contents (the
// master's copy, handed to the children: they cannot read the store).
func Status(md *conf.MDConfig, path string, certPEM func(file string) []byte, now time.Time) []byte {
	last := strings.ToLower(path[strings.LastIndexByte(path, '/')+1:])
	var all []statusDomain
	for i := range md.Domains {
		d := &md.Domains[i]
		s := domainStatus(md, d, certPEM, now)
		for _, n := range d.Names {
			if n == last {
				return marshalStatus(s)
			}
		}
		all = append(all, s)
	}
	if all == nil {
		all = []statusDomain{}
	}
	return marshalStatus(struct {
		Version string         `json:"version"`
		Domains []statusDomain `json:"managed-domains"`
	}{StatusVersion, all})
}

func marshalStatus(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func domainStatus(md *conf.MDConfig, d *conf.MDomain, certPEM func(string) []byte, now time.Time) statusDomain {
	s := statusDomain{
		Name: d.Names[0], Domains: d.Names, Contacts: []string{}, Transitive: 1,
		CA:        statusCA{Proto: "ACME", URLs: []string{md.CA}},
		RenewMode: mdRenewAuto, Window: fmt.Sprintf("%d%%", md.RenewPercent), Warn: "10%",
		Proto: map[string][]string{"acme-tls/1": {}}, Cert: map[string]statusCert{}, Watched: true,
	}
	if md.RenewDays > 0 {
		s.Window = fmt.Sprintf("%dd", md.RenewDays)
	}
	if md.Contact != "" {
		s.Contacts = []string{"mailto:" + md.Contact}
	}
	if md.Agreed {
		s.CA.Agreement = "accepted"
	}
	if d.Manual {
		s.RenewMode, s.Watched = mdRenewManual, false
	}
	if md.Allows(conf.ChallengeTLSALPN01) {
		s.Proto["acme-tls/1"] = d.Names
	}
	file, _ := storedPaths(md, d.Names[0])
	leaf := parseLeaf(certPEM(file))
	if leaf == nil || d.Pending {
		s.State, s.StateDescr = mdStateIncomplete, "certificate("+keySpecName+") is missing"
		s.Renew = !d.Manual
		s.RenewAt = now.UTC().Format(http.TimeFormat)
		return s
	}
	fp := sha256.Sum256(leaf.Raw)
	s.Cert[keySpecName] = statusCert{
		Valid:       statusValid{From: leaf.NotBefore.UTC().Format(http.TimeFormat), Until: leaf.NotAfter.UTC().Format(http.TimeFormat)},
		Serial:      strings.ToUpper(leaf.SerialNumber.Text(16)),
		Fingerprint: hex.EncodeToString(fp[:]),
	}
	renewAt := leaf.NotAfter.Add(-md.RenewWindow(leaf.NotAfter.Sub(leaf.NotBefore)))
	s.RenewAt = renewAt.UTC().Format(http.TimeFormat)
	s.State = mdStateComplete
	switch {
	case now.After(leaf.NotAfter):
		s.State, s.StateDescr = mdStateExpired, "certificate("+keySpecName+") has expired"
		s.Renew = !d.Manual
	case !now.Before(renewAt):
		s.Renew = !d.Manual
	}
	return s
}

// parseLeaf is the first certificate of a PEM file, or nil.
func parseLeaf(b []byte) *x509.Certificate {
	for len(b) > 0 {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			return nil
		}
		if blk.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil
			}
			return c
		}
	}
	return nil
}
