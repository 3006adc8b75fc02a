package autoindex

import (
	"bufio"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

const (
	doctypeHTML  = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
	doctypeXHTML = "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
)

// write writes the document: index_directory after the entries are read.
func (l *lister) write(w *bufio.Writer) {
	title := string(appendHTML(nil, l.req.URI))
	for len(title) > 1 && title[len(title)-1] == '/' {
		title = title[:len(title)-1]
	}
	xhtml := l.opts&conf.IndexXHTML != 0
	suppress := l.opts&conf.IndexSuppressPreamb != 0
	l.head(w, title, suppress, xhtml)
	l.directories(w)
	l.tail(w, suppress)
}

func (l *lister) preamble(w *bufio.Writer, xhtml bool, title string) {
	if xhtml {
		w.WriteString(doctypeXHTML + "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n <head>\n  <title>Index of ")
	} else {
		w.WriteString(doctypeHTML + "<html>\n <head>\n  <title>Index of ")
	}
	w.WriteString(title)
	w.WriteString("</title>\n")
	if s := l.cfg.StyleSheet; s != nil {
		w.WriteString("  <link rel=\"stylesheet\" href=\"")
		w.WriteString(*s)
		if xhtml {
			w.WriteString("\" type=\"text/css\" />\n")
		} else {
			w.WriteString("\" type=\"text/css\">\n")
		}
	}
	if h := l.cfg.HeadInsert; h != nil {
		w.WriteString(*h)
	}
	w.WriteString(" </head>\n <body>\n")
}

// include finds a HeaderName or ReadmeName file the way the subrequest
// would: a regular file in the listed directory that the client may read,
// typed by Types. Names with a '/' (other directories, absolute paths)
// go to Request.Include.
func (l *lister) include(name string) (f fs.File, ctype string, ok bool) {
	if strings.ContainsRune(name, '/') {
		if l.req.Include == nil {
			return nil, "", false
		}
		if f, ctype, ok = l.req.Include(name); !ok || ctype == "" {
			if f != nil {
				f.Close()
			}
			return nil, "", false
		}
		return f, noParam(ctype), true
	}
	if name == "" || name == "." || name == ".." {
		return nil, "", false
	}
	fi, err := fs.Stat(l.req.FS, name)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, "", false
	}
	if l.req.Access != nil {
		if s := l.req.Access(name, false); s != 0 && s != StatusOK {
			return nil, "", false
		}
	}
	if l.req.Types != nil {
		ctype, _ = l.req.Types(name)
	}
	if ctype == "" {
		return nil, "", false
	}
	f, err = l.req.FS.Open(name)
	if err != nil {
		return nil, "", false
	}
	return f, noParam(ctype), true
}

func isText(ctype string) bool {
	return len(ctype) >= 5 && strings.EqualFold(ctype[:5], "text/")
}

// included is an opened HeaderName or ReadmeName file.
type included struct {
	f     fs.File
	ctype string
}

// open opens the header and readme files before Serve returns, so that a
// streamed body does not need the caller's FS (an *os.Root may be closed
// by then; files opened from it stay readable).
func (l *lister) open() {
	if l.cfg.Header != nil {
		if f, ctype, ok := l.include(*l.cfg.Header); ok {
			l.header = &included{f, ctype}
		}
	}
	if l.cfg.Readme != nil {
		if f, ctype, ok := l.include(*l.cfg.Readme); ok {
			l.readme = &included{f, ctype}
		}
	}
}

// head is emit_head.
func (l *lister) head(w *bufio.Writer, title string, suppress, xhtml bool) {
	emitAmble, emitH1 := true, true
	if h := l.header; h != nil {
		f, ctype := h.f, h.ctype
		switch {
		case isHTML(ctype):
			emitAmble, emitH1 = false, false
			if !suppress {
				l.preamble(w, xhtml, title)
			}
			if _, err := io.Copy(w, f); err != nil {
				emitAmble, emitH1 = suppress, true
			}
		case isText(ctype):
			l.preamble(w, xhtml, title)
			emitAmble = false
			emitPlain(w, f)
			emitH1 = false
		}
		f.Close()
	}
	if emitAmble {
		l.preamble(w, xhtml, title)
	}
	if emitH1 {
		if l.cfg.StyleSheet != nil {
			w.WriteString("  <h1 id=\"indextitle\">Index of ")
		} else {
			w.WriteString("<h1>Index of ")
		}
		w.WriteString(title)
		w.WriteString("</h1>\n")
	}
}

// tail is emit_tail.
func (l *lister) tail(w *bufio.Writer, suppress bool) {
	suppressSig, suppressPost := false, false
	if r := l.readme; r != nil {
		f, ctype := r.f, r.ctype
		switch {
		case isHTML(ctype):
			if _, err := io.Copy(w, f); err == nil {
				suppressSig, suppressPost = true, suppress
			}
		case isText(ctype):
			emitPlain(w, f)
			suppressSig = true
		}
		f.Close()
	}
	if !suppressSig {
		w.WriteString(l.req.Signature)
	}
	if !suppressPost {
		w.WriteString("</body></html>\n")
	}
}

// emitPlain is do_emit_plain: the file in <pre>, with <, > and & escaped.
func emitPlain(w *bufio.Writer, f io.Reader) {
	w.WriteString("<pre>\n")
	buf := make([]byte, 8192)
	for {
		n, err := f.Read(buf)
		for _, c := range buf[:n] {
			switch c {
			case '<':
				w.WriteString("&lt;")
			case '>':
				w.WriteString("&gt;")
			case '&':
				w.WriteString("&amp;")
			case 0:
				// ap_rputs stops at the NUL; Apache then skips the byte.
			default:
				w.WriteByte(c)
			}
		}
		if err != nil || n == 0 {
			break
		}
	}
	w.WriteString("</pre>\n")
}

// link is emit_link.
func (l *lister) link(w *bufio.Writer, anchor string, column byte, nosort bool) {
	if nosort {
		w.WriteString(anchor)
		return
	}
	w.WriteString("<a href=\"?C=")
	w.WriteByte(column)
	w.WriteString(";O=")
	if l.key == column && l.dirn == 'A' {
		w.WriteByte('D')
	} else {
		w.WriteByte('A')
	}
	w.WriteString(l.colargs)
	w.WriteString("\">")
	w.WriteString(anchor)
	w.WriteString("</a>")
}

func (l *lister) iconSize(w *bufio.Writer) {
	if l.cfg.IconWidth != 0 {
		w.WriteString(" width=\"")
		w.WriteString(itoa(l.cfg.IconWidth))
		w.WriteByte('"')
	}
	if l.cfg.IconHeight != 0 {
		w.WriteString(" height=\"")
		w.WriteString(itoa(l.cfg.IconHeight))
		w.WriteByte('"')
	}
}

// attr writes s with its ap_escape_html.
func (l *lister) html(w *bufio.Writer, s string) {
	l.scratch = appendHTML(l.scratch[:0], s)
	w.Write(l.scratch)
}

// directories is output_directories.
func (l *lister) directories(w *bufio.Writer) {
	opts, d := l.opts, l.cfg
	static := opts&conf.IndexSuppressColSort != 0
	xhtml := opts&conf.IndexXHTML != 0
	sheet := d.StyleSheet != nil
	pick := func(withSheet, without string) string {
		if sheet {
			return withSheet
		}
		return without
	}
	nameWidth, descWidth := d.NameWidth, d.DescWidth
	if opts&(conf.IndexFancy|conf.IndexTable) == conf.IndexFancy {
		if d.NameAdjust == conf.IndexWidthAdjust {
			for i := range l.ents {
				nameWidth = max(nameWidth, len(l.ents[i].name))
			}
		}
		if d.DescAdjust == conf.IndexWidthAdjust {
			for i := range l.ents {
				if l.ents[i].desc != nil {
					descWidth = max(descWidth, len(*l.ents[i].desc))
				}
			}
		}
	}
	nameWidth = max(nameWidth, 0)
	pad := strings.Repeat(" ", nameWidth)
	oldDate := d.DateFormat != nil
	breakrow := ""
	switch {
	case opts&conf.IndexTable != 0:
		cols := 1
		w.WriteString(pick("  <table id=\"indexlist\">\n   <tr class=\"indexhead\">", "  <table>\n   <tr>"))
		if opts&conf.IndexSuppressIcon == 0 {
			w.WriteString("<th")
			w.WriteString(pick(" class=\"indexcolicon\">", " valign=\"top\">"))
			if tp := findItem("", "", "^^BLANKICON^^", d.Icons, true); tp != nil {
				w.WriteString("<img src=\"")
				l.html(w, *tp)
				w.WriteString("\" alt=\"[ICO]\"")
				l.iconSize(w)
				if xhtml {
					w.WriteString(" /")
				}
				w.WriteString("></th>")
			} else {
				w.WriteString("&nbsp;</th>")
			}
			cols++
		}
		w.WriteString("<th")
		w.WriteString(pick(" class=\"indexcolname\">", ">"))
		l.link(w, "Name", 'N', static)
		if opts&conf.IndexSuppressLastMod == 0 {
			w.WriteString("</th><th")
			w.WriteString(pick(" class=\"indexcollastmod\">", ">"))
			l.link(w, "Last modified", 'M', static)
			cols++
		}
		if opts&conf.IndexSuppressSize == 0 {
			w.WriteString("</th><th")
			w.WriteString(pick(" class=\"indexcolsize\">", ">"))
			l.link(w, "Size", 'S', static)
			cols++
		}
		if opts&conf.IndexSuppressDesc == 0 {
			w.WriteString("</th><th")
			w.WriteString(pick(" class=\"indexcoldesc\">", ">"))
			l.link(w, "Description", 'D', static)
			cols++
		}
		if opts&conf.IndexSuppressRules == 0 {
			hr := "<hr>"
			if xhtml {
				hr = "<hr />"
			}
			breakrow = "   <tr" + pick(" class=\"indexbreakrow\"", "") + "><th colspan=\"" + itoa(cols) + "\">" + hr + "</th></tr>\n"
		}
		w.WriteString("</th></tr>\n")
		w.WriteString(breakrow)
	case opts&conf.IndexFancy != 0:
		w.WriteString("<pre>")
		if opts&conf.IndexSuppressIcon == 0 {
			if tp := findItem("", "", "^^BLANKICON^^", d.Icons, true); tp != nil {
				w.WriteString("<img src=\"")
				l.html(w, *tp)
				w.WriteString("\" alt=\"Icon \"")
				l.iconSize(w)
				if xhtml {
					w.WriteString(" /")
				}
				w.WriteString("> ")
			} else {
				w.WriteString("      ")
			}
		}
		l.link(w, "Name", 'N', static)
		if len(pad) >= 4 {
			w.WriteString(pad[4:])
		}
		w.WriteString(" ")
		if opts&conf.IndexSuppressLastMod == 0 {
			l.link(w, "Last modified", 'M', static)
			w.WriteString("      ")
		}
		if opts&conf.IndexSuppressSize == 0 {
			l.link(w, "Size", 'S', static)
			w.WriteString("  ")
		}
		if opts&conf.IndexSuppressDesc == 0 {
			l.link(w, "Description", 'D', static)
		}
		if opts&conf.IndexSuppressRules == 0 {
			if xhtml {
				w.WriteString("<hr />")
			} else {
				w.WriteString("<hr>")
			}
		} else {
			w.WriteByte('\n')
		}
	default:
		w.WriteString("<ul>")
	}

	var anchor, buf []byte
	for x := range l.ents {
		e := &l.ents[x]
		buf = appendOSPath(buf[:0], e.name, false)
		anchor = appendHTMLBytes(anchor[:0], buf)
		t2 := e.name
		if x == 0 && t2[0] == '/' {
			t2 = "Parent Directory"
		}
		switch {
		case opts&conf.IndexTable != 0:
			if sheet {
				w.WriteString("   <tr class=\"")
				if x&1 != 0 {
					w.WriteString("odd")
				} else {
					w.WriteString("even")
				}
				if e.alt != nil && opts&conf.IndexAddAltClass != 0 {
					w.WriteByte('-')
					w.WriteString(strings.ToLower(*e.alt))
				}
				w.WriteString("\">")
			} else {
				w.WriteString("<tr>")
			}
			if opts&conf.IndexSuppressIcon == 0 {
				w.WriteString("<td")
				w.WriteString(pick(" class=\"indexcolicon\">", " valign=\"top\">"))
				l.icon(w, e, anchor, xhtml, "&nbsp;", "</a></td>", "</td>")
			}
			w.WriteString("<td")
			w.WriteString(pick(" class=\"indexcolname\">", ">"))
			w.WriteString("<a href=\"")
			w.Write(anchor)
			w.WriteString("\">")
			if d.NameAdjust == conf.IndexWidthAdjust {
				l.html(w, t2)
				w.WriteString("</a>")
			} else {
				n := l.truncHTML(w, t2, nameWidth)
				w.WriteString("</a>")
				w.WriteString(pad[min(n, len(pad)):])
			}
			if opts&conf.IndexSuppressLastMod == 0 {
				if e.lm != -1 {
					w.WriteString("</td><td")
					w.WriteString(pick(" class=\"indexcollastmod\">", " align=\"right\">"))
					l.scratch = appendTime(l.scratch[:0], time.UnixMicro(e.lm).In(l.loc), oldDate)
					w.Write(l.scratch)
					w.WriteString("  ")
				} else {
					w.WriteString("</td><td")
					w.WriteString(pick(" class=\"indexcollastmod\">&nbsp;", ">&nbsp;"))
				}
			}
			if opts&conf.IndexSuppressSize == 0 {
				w.WriteString("</td><td")
				w.WriteString(pick(" class=\"indexcolsize\">", " align=\"right\">"))
				l.scratch = appendSize(l.scratch[:0], e.size)
				w.Write(l.scratch)
			}
			if opts&conf.IndexSuppressDesc == 0 {
				w.WriteString("</td><td")
				w.WriteString(pick(" class=\"indexcoldesc\">", ">"))
				switch {
				case e.desc == nil:
					w.WriteString("&nbsp;")
				case d.DescAdjust == conf.IndexWidthAdjust:
					w.WriteString(*e.desc)
				default:
					w.WriteString(terminateDescription(d, *e.desc, opts, descWidth))
				}
			}
			w.WriteString("</td></tr>\n")
		case opts&conf.IndexFancy != 0:
			if opts&conf.IndexSuppressIcon == 0 {
				l.icon(w, e, anchor, xhtml, "     ", "</a> ", " ")
			}
			w.WriteString("<a href=\"")
			w.Write(anchor)
			w.WriteString("\">")
			n := l.truncHTML(w, t2, nameWidth)
			w.WriteString("</a>")
			w.WriteString(pad[min(n, len(pad)):])
			w.WriteByte(' ')
			if opts&conf.IndexSuppressLastMod == 0 {
				if e.lm != -1 {
					l.scratch = appendTime(l.scratch[:0], time.UnixMicro(e.lm).In(l.loc), oldDate)
					w.Write(l.scratch)
					w.WriteString("  ")
				} else {
					w.WriteString("                   ")
				}
			}
			if opts&conf.IndexSuppressSize == 0 {
				l.scratch = appendSize(l.scratch[:0], e.size)
				w.Write(l.scratch)
				w.WriteString("  ")
			}
			if opts&conf.IndexSuppressDesc == 0 && e.desc != nil {
				w.WriteString(terminateDescription(d, *e.desc, opts, descWidth))
			}
			w.WriteByte('\n')
		default:
			w.WriteString("<li><a href=\"")
			w.Write(anchor)
			w.WriteString("\"> ")
			l.html(w, t2)
			w.WriteString("</a></li>\n")
		}
	}
	switch {
	case opts&conf.IndexTable != 0:
		w.WriteString(breakrow)
		w.WriteString("</table>\n")
	case opts&conf.IndexFancy != 0:
		if opts&conf.IndexSuppressRules == 0 {
			if xhtml {
				w.WriteString("<hr /></pre>\n")
			} else {
				w.WriteString("<hr></pre>\n")
			}
		} else {
			w.WriteString("</pre>\n")
		}
	default:
		w.WriteString("</ul>\n")
	}
}

// icon writes an entry's icon cell content: the <img> or none, in a link
// with IconsAreLinks, then closeLink or closePlain.
func (l *lister) icon(w *bufio.Writer, e *entry, anchor []byte, xhtml bool, none, closeLink, closePlain string) {
	links := l.opts&conf.IndexIconsAreLinks != 0
	if links {
		w.WriteString("<a href=\"")
		w.Write(anchor)
		w.WriteString("\">")
	}
	icon := e.icon
	if icon == nil {
		icon = l.cfg.DefaultIcon
	}
	if icon != nil {
		w.WriteString("<img src=\"")
		l.html(w, *icon)
		w.WriteString("\" alt=\"[")
		if e.alt != nil {
			w.WriteString(*e.alt)
		} else {
			w.WriteString("   ")
		}
		w.WriteString("]\"")
		l.iconSize(w)
		if xhtml {
			w.WriteString(" /")
		}
		w.WriteString(">")
	} else {
		w.WriteString(none)
	}
	if links {
		w.WriteString(closeLink)
	} else {
		w.WriteString(closePlain)
	}
}

// truncHTML writes name escaped, truncated as truncName does, and
// returns the width it took.
func (l *lister) truncHTML(w *bufio.Writer, name string, width int) int {
	if len(name) <= width {
		l.html(w, name)
		return len(name)
	}
	t, n := truncName(name, width)
	l.html(w, t)
	return n
}

// truncName cuts a name longer than width bytes to width-3 bytes and
// "..>", as output_directories does (bytes, not characters).
func truncName(s string, width int) (string, int) {
	if len(s) <= width {
		return s, len(s)
	}
	if width < 3 {
		return "..>"[3-max(width, 0):], max(width, 0)
	}
	return s[:width-3] + "..>", width
}

// terminateDescription is terminate_description: descriptions longer
// than the column are cut, tags not counted, an entity counted as one.
func terminateDescription(d *conf.AutoindexConfig, desc string, opts int32, width int) string {
	maxsize := width
	if d.DescAdjust == conf.IndexWidthUnset {
		if opts&conf.IndexSuppressIcon != 0 {
			maxsize += 6
		}
		if opts&conf.IndexSuppressLastMod != 0 {
			maxsize += 19
		}
		if opts&conf.IndexSuppressSize != 0 {
			maxsize += 7
		}
	}
	at := func(i int) byte {
		if i >= 0 && i < len(desc) {
			return desc[i]
		}
		return 0
	}
	x := 0
	for ; at(x) != 0 && (maxsize > 0 || at(x) == '<'); x++ {
		switch at(x) {
		case '<':
			for at(x) != '>' {
				if at(x) == 0 {
					maxsize = 0
					break
				}
				x++
			}
		case '&':
			maxsize--
			for ; at(x) != ';'; x++ {
				if at(x) == 0 {
					maxsize = 0
					break
				}
			}
		default:
			maxsize--
		}
	}
	if maxsize == 0 && at(x) != 0 {
		return desc[:x-1] + ">"
	}
	return desc
}
