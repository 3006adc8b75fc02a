package conf

import (
	"context"
	"maps"
	"os"
	"slices"
)

// perVHost are the directives with a spec that a <VirtualHost> may set
// for itself. Any other server-level directive inside one is refused:
// gohttpd applies it to the whole server only, so ignoring it would change
// what the vhost's clients get.
var perVHost = map[string]bool{
	"servername": true, "serveradmin": true, "documentroot": true,
	"directoryindex": true, "addtype": true, "accessfilename": true,
	"errorlog": true, "loglevel": true, "logformat": true,
	"customlog": true, "transferlog": true, "sethandler": true,
	"stricthostcheck": true,
}

// virtualHost walks a <VirtualHost> section: its identity goes to the
// VHostBuilder, its directives, per-directory settings and sections to a
// vhostRaw of their own.
func (w *walker) virtualHost(n *node, raw string) error {
	p := n.pos()
	c := sectionCtx(ctxVHost, n, raw)
	if w.detect != nil {
		return w.walk(n.children, c)
	}
	if err := w.vb.Open(context.Background(), p.file, p.line, tokenize(raw)); err != nil {
		return w.soft(err)
	}
	v := &vhostRaw{pos: p}
	top, sections := w.top, w.sections
	w.top, w.sections, w.cur = nil, nil, v
	err := w.walk(n.children, c)
	v.top, v.sections = w.top, w.sections
	w.top, w.sections, w.cur = top, sections, nil
	w.vb.Close()
	if err != nil {
		return err
	}
	w.vhosts = append(w.vhosts, v)
	return nil
}

// vhostDirective is ServerAlias and ServerPath: identity directives of a
// <VirtualHost>, read by the VHostBuilder.
func (w *walker) vhostDirective(n *node, key string, ctx *walkCtx) error {
	if ctx.skipped() || w.detect != nil {
		return nil
	}
	p := n.pos()
	name := "ServerAlias"
	if key == "serverpath" {
		name = "ServerPath"
	}
	if !ctx.server() {
		return w.soft(errAt(p, name, name+" not allowed here"))
	}
	return w.soft(w.vb.Directive(p.file, p.line, name, w.args(n)))
}

// finishVHosts completes the virtual hosts once the main server is
// finished: their identities (VHostBuilder.Finish: names, Listen check)
// and their settings on the main server's, as ap_fixup_virtual_hosts.
func (b *builder) finishVHosts(w *walker, skipDocRoot bool) {
	if len(w.vhosts) == 0 {
		return
	}
	vh, warnings, err := w.vb.Finish(context.Background(), b.cfg.Listen)
	b.cfg.Notices = append(b.cfg.Notices, warnings...)
	if err != nil {
		b.errs = append(b.errs, err)
		return
	}
	main := b.cfg
	for i, raw := range w.vhosts {
		vb := newBuilder(b.engine, main.ServerRoot, b.file)
		vb.cfg.Site = SiteConfig{}
		vb.cfg.Log = LogConfig{Formats: maps.Clone(main.Log.Formats)}
		vb.defaultFormat, vb.defaultFormatSet = b.defaultFormat, b.defaultFormatSet
		for _, o := range raw.out {
			vb.apply(o)
		}
		b.errs = append(b.errs, vb.errs...)
		for _, n := range vb.notices {
			b.cfg.Notices = append(b.cfg.Notices, n.text)
		}
		srv := Server{Site: vb.cfg.Site}
		s := &srv.Site
		s.ServerName = vh.Hosts[i].Name.Host
		s.ExtendedStatus = main.Site.ExtendedStatus
		if !slices.ContainsFunc(raw.out, func(o occurrence) bool { return o.key == "stricthostcheck" }) {
			s.StrictHostCheck = main.Site.StrictHostCheck
		}
		s.Locations = main.Site.Locations
		if s.ServerAdmin == "" {
			s.ServerAdmin = main.Site.ServerAdmin
		}
		if s.DocumentRoot == "" {
			s.DocumentRoot = main.Site.DocumentRoot
		} else {
			s.DocumentRoot = absPath(s.DocumentRoot, main.ServerRoot)
			if !skipDocRoot {
				if fi, err := os.Stat(s.DocumentRoot); err != nil || !fi.IsDir() {
					b.errs = append(b.errs, errAtf(vb.docRootPos, "DocumentRoot",
						"DocumentRoot '%s' is not a directory, or is not readable", s.DocumentRoot))
				}
			}
		}
		if vb.dirIndexSet {
			s.DirectoryIndex = vb.dirIndex
			if s.DirectoryIndex == nil {
				s.DirectoryIndex = []string{}
			}
		} else {
			s.DirectoryIndex = main.Site.DirectoryIndex
		}
		if len(s.AccessFileName) == 0 {
			s.AccessFileName = main.Site.AccessFileName
		}
		var own *DirConfig
		if raw.top != nil {
			d, err := raw.top.finish()
			if err != nil {
				b.errs = append(b.errs, errAt(raw.pos, "<VirtualHost>", err.Error()))
			}
			own = d
		}
		var rest []*Section
		for _, sec := range raw.sections {
			if sec.Kind == SectionFiles {
				if own == nil {
					own = &DirConfig{}
				}
				own.Files = append(own.Files, sec)
				continue
			}
			rest = append(rest, sec)
		}
		var mapErr error
		if s.Map, mapErr = w.mapVHost(raw, main.Site.Map); mapErr != nil {
			b.errs = append(b.errs, errAt(raw.pos, "<VirtualHost>", mapErr.Error()))
		}
		if own, err = raw.proxyVHost(&srv, &main.Site, own); err != nil {
			b.errs = append(b.errs, err)
		}
		srv.OwnDir, srv.OwnSections = own, Tree(rest)
		b.remoteIPVHost(raw, &srv, vh.Hosts[i].Addrs)
		srv.HTTP2 = MergeHTTP2(main.HTTP2, vb.h2.Finish())
		srv.merge(&main.Site)

		l := &srv.Log
		if vb.errorLogSet {
			l.ErrorLog = vb.resolveLog(vb.cfg.Log.ErrorLog)
			srv.OwnErrorLog = true
		} else {
			l.ErrorLog = main.Log.ErrorLog
		}
		if vb.logLevelSet {
			l.LogLevel = vb.cfg.Log.LogLevel
		} else {
			l.LogLevel = main.Log.LogLevel
		}
		l.Formats = nil
		if len(vb.logs) > 0 {
			l.Access = vb.resolveAccessLogs()
			srv.OwnAccess = true
		} else {
			l.Access = main.Log.Access
		}
		b.cfg.Servers = append(b.cfg.Servers, srv)
	}
	b.cfg.VHosts = vh
	b.errs = slices.DeleteFunc(b.errs, func(e error) bool { return e == nil })
}
