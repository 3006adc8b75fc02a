package conf

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Dump returns a deterministic, normalised listing of the configuration,
// one "Directive: value" line each, in a fixed order with map entries
// sorted: the form of golden files, of -S and of -t -D DUMP_RUN_CFG.
// Strings that may hold blanks are Go-quoted; durations use
// time.Duration's notation.
func (c *Config) Dump() string {
	var b strings.Builder
	line := func(name string, format string, args ...any) {
		b.WriteString(name)
		b.WriteString(": ")
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	q := strconv.Quote
	onOff := func(v bool) string {
		if v {
			return "On"
		}
		return "Off"
	}

	line("File", "%s", q(c.File))
	line("ServerRoot", "%s", q(c.ServerRoot))
	for _, d := range c.Defines {
		line("Define", "%s", d)
	}

	e := c.Engine
	line("MPM", "%s", c.MPM)
	line("ListenBuckets", "%d", c.ListenBuckets)
	line("StartServers", "%d", e.StartServers)
	if c.MPM == Prefork {
		line("MinSpareServers", "%d", e.MinSpareServers)
		line("MaxSpareServers", "%d", e.MaxSpareServers)
	} else {
		line("MinSpareThreads", "%d", e.MinSpareThreads)
		line("MaxSpareThreads", "%d", e.MaxSpareThreads)
	}
	line("ThreadsPerChild", "%d", e.ThreadsPerChild)
	line("ThreadLimit", "%d", e.ThreadLimit)
	line("ServerLimit", "%d", e.ServerLimit)
	line("MaxRequestWorkers", "%d", e.MaxRequestWorkers)
	line("MaxConnectionsPerChild", "%d", e.MaxConnectionsPerChild)
	if c.MPM == Event {
		line("AsyncRequestWorkerFactor", "%s", strconv.FormatFloat(e.AsyncRequestWorkerFactor, 'f', -1, 64))
		line("EpollTrigger", "%s", e.EpollTrigger)
	}
	line("GracefulShutdownTimeout", "%s", c.GracefulShutdownTimeout)
	if c.GracefulStopDrainDelay > 0 {
		line("GracefulStopDrainDelay", "%s", c.GracefulStopDrainDelay)
	}

	for _, l := range c.Listen {
		host := l.Host
		if host == "" {
			host = "*"
		}
		line("Listen", "%s %s", net.JoinHostPort(host, strconv.Itoa(l.Port)), l.Proto)
	}
	line("ListenBacklog", "%d", c.ListenBacklog)
	for _, proto := range sortedKeys(c.AcceptFilter) {
		line("AcceptFilter", "%s %s", proto, c.AcceptFilter[proto])
	}
	line("ListenCoresBucketsRatio", "%d", c.ListenCoresBucketsRatio)
	line("SendBufferSize", "%d", c.SendBufferSize)
	line("ReceiveBufferSize", "%d", c.ReceiveBufferSize)

	h := c.HTTP
	line("KeepAlive", "%s", onOff(h.KeepAlive))
	line("KeepAliveTimeout", "%s", h.KeepAliveTimeout)
	line("MaxKeepAliveRequests", "%d", h.MaxKeepAliveRequests)
	line("Timeout", "%s", h.Timeout)
	line("RequestReadTimeout", "%s", h.RequestReadTimeout)
	line("LimitRequestLine", "%d", h.LimitRequestLine)
	line("LimitRequestFieldSize", "%d", h.LimitRequestFieldSize)
	line("LimitRequestFields", "%d", h.LimitRequestFields)
	line("LimitRequestBody", "%d", h.LimitRequestBody)

	s := c.Site
	line("ServerName", "%s", q(s.ServerName))
	line("ServerAdmin", "%s", q(s.ServerAdmin))
	line("DocumentRoot", "%s", q(s.DocumentRoot))
	if len(s.DirectoryIndex) == 0 {
		line("DirectoryIndex", "disabled")
	} else {
		quoted := make([]string, len(s.DirectoryIndex))
		for i, n := range s.DirectoryIndex {
			quoted[i] = q(n)
		}
		line("DirectoryIndex", "%s", strings.Join(quoted, " "))
	}
	line("ExtendedStatus", "%s", onOff(s.ExtendedStatus))
	for _, l := range s.Locations {
		line("Location", "%s %s", q(l.Path), q(l.Handler))
	}
	if len(s.AccessFileName) != 1 || s.AccessFileName[0] != ".htaccess" {
		line("AccessFileName", "%s", strings.Join(s.AccessFileName, " "))
	}
	if s.Dir != nil {
		line("ServerDir", "%s", s.Dir.summary())
		for _, f := range s.Dir.Files {
			line("Section", "%s %s", f.Tag, f.Dir.summary())
		}
	}
	for _, list := range [][]*Section{s.Sections.Directories, s.Sections.DirRegex, s.Sections.Locations} {
		for _, sec := range list {
			line("Section", "%s %s", sec.Tag, sec.Dir.summary())
			for _, f := range sec.Files {
				line("Section", "  %s %s", f.Tag, f.Dir.summary())
			}
		}
	}

	g := c.Log
	line("ErrorLog", "%s", q(g.ErrorLog))
	line("LogLevel", "%s", g.LogLevel)
	for _, nick := range sortedKeys(g.Formats) {
		line("LogFormat", "%s %s", q(g.Formats[nick]), nick)
	}
	for _, a := range g.Access {
		line("CustomLog", "%s %s", q(a.Path), q(a.Format))
	}
	line("PidFile", "%s", q(c.PidFile))
	// User and Group only when given: defaults depend on the machine.
	if c.User.Set {
		line("User", "name=%s id=%d", q(c.User.Name), c.User.ID)
	}
	if c.Group.Set {
		line("Group", "name=%s id=%d", q(c.Group.Name), c.Group.ID)
	}

	for _, w := range c.Warnings {
		line("Warning", "%s", w)
	}
	for _, n := range c.Notices {
		line("Notice", "%s", n)
	}
	return b.String()
}

// String formats the setting in mod_reqtimeout's syntax.
func (r RequestReadTimeout) String() string {
	return "handshake=" + r.Handshake.String() + " header=" + r.Header.String() + " body=" + r.Body.String()
}

// String formats one stage as "timeout[-maxtimeout][,MinRate=rate]" with
// whole seconds.
func (s ReadStage) String() string {
	out := strconv.FormatInt(int64(s.Timeout/time.Second), 10)
	if s.MaxTimeout > 0 {
		out += "-" + strconv.FormatInt(int64(s.MaxTimeout/time.Second), 10)
	}
	if s.MinRate > 0 {
		out += ",MinRate=" + strconv.Itoa(s.MinRate)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// summary is a one-line description of a DirConfig for Dump.
func (d *DirConfig) summary() string {
	if d == nil {
		return "{}"
	}
	var parts []string
	o := d.Options
	if o.Set || o.Opts != 0 {
		parts = append(parts, "Options="+optionNames(o.Opts))
	}
	if o.Add != 0 || o.Remove != 0 {
		parts = append(parts, "Options+="+optionNames(o.Add)+" Options-="+optionNames(o.Remove))
	}
	if d.Override.Set {
		parts = append(parts, fmt.Sprintf("AllowOverride=%#x", uint16(d.Override.Mask)))
	}
	if d.Override.ListSet {
		parts = append(parts, "AllowOverrideList="+strings.Join(d.Override.List, ","))
	}
	if d.HandlerSet {
		parts = append(parts, "SetHandler="+strconv.Quote(d.Handler))
	}
	parts = append(parts, d.Resp.summary()...)
	if a := d.Auth; a != nil {
		if a.Require != nil {
			parts = append(parts, "Require="+requireString(a.Require))
		}
		if a.AuthTypeSet {
			parts = append(parts, "AuthType="+a.AuthType)
		}
		if a.AuthNameSet {
			parts = append(parts, "AuthName="+strconv.Quote(a.AuthName))
		}
		if a.UserFile != "" {
			parts = append(parts, "AuthUserFile="+strconv.Quote(a.UserFile))
		}
		if a.Compat != nil {
			parts = append(parts, "access_compat")
		}
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// requireString writes a Require tree on one line.
func requireString(r *Require) string {
	if !r.IsContainer() {
		return strings.TrimSpace(r.String())
	}
	kids := make([]string, len(r.Children))
	for i, c := range r.Children {
		kids[i] = requireString(c)
	}
	return r.String() + "[" + strings.Join(kids, "; ") + "]"
}

// optionNames lists option bits by name.
func optionNames(b OptionBits) string {
	if b == 0 {
		return "None"
	}
	var names []string
	for _, o := range []struct {
		bit  OptionBits
		name string
	}{{OptIndexes, "Indexes"}, {OptIncludes, "Includes"}, {OptSymLinks, "FollowSymLinks"},
		{OptExecCGI, "ExecCGI"}, {OptIncWithExec, "IncludesExec"}, {OptSymOwner, "SymLinksIfOwnerMatch"},
		{OptMulti, "MultiViews"}} {
		if b&o.bit != 0 {
			names = append(names, o.name)
		}
	}
	return strings.Join(names, ",")
}
