package conf

import (
	"context"
	"errors"
	"os"
	"strings"
)

// VHosts is the virtual-host part of a configuration snapshot: the main
// server's name and the <VirtualHost> sections in configuration order,
// names resolved and defaults applied. It is plain data (JSON-friendly):
// children receive it and never resolve names again.
type VHosts struct {
	// Main is the main server's ServerName; when the configuration has
	// none, Host is Apache's ap_get_local_host (see LocalHostName).
	Main ServerName `json:"main"`
	// Hosts are the <VirtualHost> sections; site/vhost gives Hosts[i]
	// the ID i+1 (0 is the main server).
	Hosts []*VirtualHost `json:"hosts,omitempty"`
}

// VHostBuilder collects the directives that make the identity of the
// main server and of every <VirtualHost>, in the order the walk meets
// them, with Apache's rules: the main server's port at the time a
// <VirtualHost> line is read is the default port of its addresses, names
// in <VirtualHost> are resolved when the line is read, and ServerAlias is
// only allowed inside a <VirtualHost>.
//
//	var b conf.VHostBuilder
//	b.Directive(file, line, "ServerName", args) // main server
//	b.Open(ctx, file, line, args)               // <VirtualHost args>
//	b.Directive(file, line, "ServerName", args) // this vhost
//	b.Directive(file, line, "ServerAlias", args)
//	b.Directive(file, line, "ServerPath", args)
//	b.Close()                                   // </VirtualHost>
//	vh, warnings, err := b.Finish(ctx, cfg.Listen)
//
// Errors are *Error values naming file, line and directive, with
// Apache's texts. Warnings are Apache's AH00547, AH00549 and AH00558
// lines, each with the place it is about.
type VHostBuilder struct {
	// Resolver resolves names (nil: net.DefaultResolver).
	Resolver Resolver
	// Hostname is the machine's name for a main server without
	// ServerName (nil: os.Hostname).
	Hostname func() (string, error)

	main     ServerName
	mainSet  bool
	hosts    []*VirtualHost
	cur      *VirtualHost
	warnings []string
}

// VHostDirectives are the directives VHostBuilder.Directive takes.
var VHostDirectives = []string{"ServerName", "ServerAlias", "ServerPath"}

// Open starts a <VirtualHost> section at file:line with the words of its
// line.
func (b *VHostBuilder) Open(ctx context.Context, file string, line int, args []string) error {
	if b.cur != nil {
		return &Error{File: file, Line: line, Directive: "<VirtualHost>",
			Err: errors.New("<VirtualHost> cannot occur within <VirtualHost> section")}
	}
	v, warns, err := NewVirtualHost(ctx, file, line, args, b.main.Port, b.Resolver)
	if err != nil {
		return err
	}
	b.warnings = append(b.warnings, warns...)
	b.hosts = append(b.hosts, v)
	b.cur = v
	return nil
}

// Close ends the open <VirtualHost>.
func (b *VHostBuilder) Close() { b.cur = nil }

// Directive applies ServerName, ServerAlias or ServerPath (name in any
// case) to the open <VirtualHost>, or to the main server outside one.
func (b *VHostBuilder) Directive(file string, line int, name string, args []string) error {
	fail := func(directive string, err error) error {
		return &Error{File: file, Line: line, Directive: directive, Err: err}
	}
	switch strings.ToLower(name) {
	case "servername":
		if len(args) != 1 || args[0] == "" {
			return fail("ServerName", errors.New("ServerName takes one argument, The hostname and port of the server"))
		}
		sn, err := ParseServerName(args[0])
		if err != nil {
			return fail("ServerName", err)
		}
		if b.cur != nil {
			b.cur.SetServerName(sn)
		} else {
			b.main, b.mainSet = sn, true
		}
	case "serveralias":
		if b.cur == nil {
			return fail("ServerAlias", ErrServerAliasOutsideVHost)
		}
		b.cur.AddServerAlias(args...)
	case "serverpath":
		if len(args) != 1 || args[0] == "" {
			return fail("ServerPath", errors.New("ServerPath takes one argument, The pathname the server can be reached at"))
		}
		if b.cur != nil {
			b.cur.ServerPath = args[0]
		} // in the main server it is accepted and does nothing, as in Apache
	default:
		return fail(name, errors.New("not a virtual-host directive"))
	}
	return nil
}

// Finish gives the main server its default name when it has none
// (LocalHostName, with the AH00558 alert), names the vhosts without
// ServerName (FinishVirtualHosts) and checks every vhost address against
// listen (CheckVHostListen).
func (b *VHostBuilder) Finish(ctx context.Context, listen []Listen) (*VHosts, []string, error) {
	if b.cur != nil {
		return nil, nil, &Error{File: b.cur.File, Line: b.cur.Line, Directive: "<VirtualHost>",
			Err: errors.New("<VirtualHost> was not closed.")}
	}
	main := b.main
	warnings := b.warnings
	if !b.mainSet || main.Host == "" {
		hostname := b.Hostname
		if hostname == nil {
			hostname = os.Hostname
		}
		h, _ := hostname()
		name, alert := LocalHostName(ctx, h, "gohttpd", b.Resolver)
		main.Host = name
		if alert != "" {
			warnings = append(warnings, alert)
		}
	}
	warnings = append(warnings, FinishVirtualHosts(ctx, b.hosts, main.Host, b.Resolver)...)
	if err := CheckVHostListen(ctx, b.hosts, listen, b.Resolver); err != nil {
		return nil, warnings, err
	}
	return &VHosts{Main: main, Hosts: b.hosts}, warnings, nil
}
