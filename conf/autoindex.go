package conf

import (
	"errors"
	"strings"
)

// Index options: mod_autoindex's IndexOptions bits, with Apache's values
// (mod_autoindex.c), so a config keeps Apache's merge arithmetic.
const (
	IndexNoOptions       int32 = 1 << 0
	IndexIconsAreLinks   int32 = 1 << 1
	IndexScanHTMLTitles  int32 = 1 << 2
	IndexSuppressIcon    int32 = 1 << 3
	IndexSuppressLastMod int32 = 1 << 4
	IndexSuppressSize    int32 = 1 << 5
	IndexSuppressDesc    int32 = 1 << 6
	IndexSuppressPreamb  int32 = 1 << 7
	IndexSuppressColSort int32 = 1 << 8
	IndexSuppressRules   int32 = 1 << 9
	IndexFoldersFirst    int32 = 1 << 10
	IndexVersionSort     int32 = 1 << 11
	IndexTrackModified   int32 = 1 << 12
	IndexFancy           int32 = 1 << 13
	IndexTable           int32 = 1 << 14
	IndexIgnoreClient    int32 = 1 << 15
	IndexIgnoreCase      int32 = 1 << 16
	IndexXHTML           int32 = 1 << 17
	IndexShowForbidden   int32 = 1 << 18
	IndexAddAltClass     int32 = 1 << 19
	indexOptionUnset     int32 = 1 << 20
)

// Width adjustment states of NameWidth and DescriptionWidth (K_UNSET,
// K_NOADJUST, K_ADJUST); the zero value is unset.
const (
	IndexWidthUnset  int8 = 0
	IndexWidthFixed  int8 = 1
	IndexWidthAdjust int8 = 2
)

// Default widths and icon dimensions (mod_autoindex.c).
const (
	IndexDefaultNameWidth  = 23
	IndexDefaultDescWidth  = 23
	IndexDefaultIconWidth  = 20
	IndexDefaultIconHeight = 22
)

// IndexBy says what an icon, alt text or ignore item matches.
type IndexBy uint8

// What items match: a file name pattern, a MIME type, a content encoding.
const (
	IndexByPath IndexBy = iota
	IndexByType
	IndexByEncoding
)

// IndexItem is one AddIcon*, AddAlt* or IndexIgnore entry (struct item).
// To and Path are ap_strcmp_match patterns ('*' and '?'): To is the
// pattern for the name, type or encoding (a path pattern without wildcards
// gets a leading '*': a suffix rule), Path is the section's path followed
// by '*' (cmd->path), which the entry's file name must match too.
type IndexItem struct {
	By   IndexBy `json:"by,omitempty"`
	To   string  `json:"to"`
	Path string  `json:"path"`
	Data string  `json:"data,omitempty"`
}

// IndexDesc is one AddDescription pattern (ai_desc_t).
type IndexDesc struct {
	Pattern     string `json:"pattern"`
	Description string `json:"description"`
	FullPath    bool   `json:"full_path,omitempty"`
	Wildcards   bool   `json:"wildcards,omitempty"`
}

// AutoindexConfig is one section's mod_autoindex configuration
// (autoindex_config_rec), immutable once built. Build it with
// AutoindexBuilder; merge a chain of sections with MergeAutoindex, starting
// from the server's (or NewAutoindexConfig() when the server has none).
type AutoindexConfig struct {
	DefaultIcon *string `json:"default_icon,omitempty"`
	StyleSheet  *string `json:"style_sheet,omitempty"`
	HeadInsert  *string `json:"head_insert,omitempty"`
	Header      *string `json:"header,omitempty"`
	Readme      *string `json:"readme,omitempty"`
	ContentType *string `json:"ctype,omitempty"`
	Charset     *string `json:"charset,omitempty"`
	DateFormat  *string `json:"datetime_format,omitempty"`

	// Opts are the IndexOptions bits (Index* constants); Incremented and
	// Decremented the '+' and '-' ones still to apply to inheriting sections.
	Opts        int32 `json:"opts"`
	Incremented int32 `json:"incremented,omitempty"`
	Decremented int32 `json:"decremented,omitempty"`

	NameWidth  int  `json:"name_width"`
	NameAdjust int8 `json:"name_adjust,omitempty"`
	DescWidth  int  `json:"desc_width"`
	DescAdjust int8 `json:"desc_adjust,omitempty"`
	IconWidth  int  `json:"icon_width,omitempty"`
	IconHeight int  `json:"icon_height,omitempty"`

	// DefaultKey is 'N', 'M', 'S', 'D' or 0; DefaultDirection 'A', 'D' or 0
	// (IndexOrderDefault).
	DefaultKey       byte `json:"default_key,omitempty"`
	DefaultDirection byte `json:"default_direction,omitempty"`

	Icons        []IndexItem `json:"icons,omitempty"`
	Alts         []IndexItem `json:"alts,omitempty"`
	Descs        []IndexDesc `json:"descs,omitempty"`
	Ignore       []IndexItem `json:"ignore,omitempty"`
	IgnoreNoInit bool        `json:"ignore_noinherit,omitempty"` // IndexIgnoreReset On
}

// NewAutoindexConfig is an empty section (create_autoindex_config).
func NewAutoindexConfig() *AutoindexConfig {
	return &AutoindexConfig{
		NameWidth: IndexDefaultNameWidth,
		DescWidth: IndexDefaultDescWidth,
		Opts:      indexOptionUnset,
	}
}

// Has reports whether the IndexOptions bit opt is on.
func (c *AutoindexConfig) Has(opt int32) bool { return c.Opts&opt != 0 }

// MergeAutoindex merges a child section over its parent
// (merge_autoindex_configs). A nil side is a section without
// mod_autoindex directives, and as in ap_merge_per_dir_configs the other
// side is then returned as it is, without a merge. This matters: pending
// '+'/'-' IndexOptions of a section whose own options are absolute only
// take effect when a later non-nil section is merged over it (Apache
// 2.4.71 lists /B/ with sizes and /B/sub/ without them for
// "<Directory B> IndexOptions FancyIndexing\nIndexOptions +SuppressSize",
// "<Directory B/sub> IndexIgnore zzz"). Merge in Apache's order: each walk
// (Directory with .htaccess, Files, Location) merges its sections among
// themselves from nil, and each walk's result is merged over the
// configuration so far, starting from the server's; the site/autoindex
// package doc spells it out. Neither argument is changed.
func MergeAutoindex(base, add *AutoindexConfig) *AutoindexConfig {
	switch {
	case base == nil && add == nil:
		return NewAutoindexConfig()
	case base == nil:
		return add
	case add == nil:
		return base
	}
	n := &AutoindexConfig{}
	pick := func(a, b *string) *string {
		if a != nil {
			return a
		}
		return b
	}
	n.DefaultIcon = pick(add.DefaultIcon, base.DefaultIcon)
	n.StyleSheet = pick(add.StyleSheet, base.StyleSheet)
	n.HeadInsert = pick(add.HeadInsert, base.HeadInsert)
	n.Header = pick(add.Header, base.Header)
	n.Readme = pick(add.Readme, base.Readme)
	n.ContentType = pick(add.ContentType, base.ContentType)
	n.Charset = pick(add.Charset, base.Charset)
	n.DateFormat = pick(add.DateFormat, base.DateFormat)
	n.IconHeight = base.IconHeight
	if add.IconHeight != 0 {
		n.IconHeight = add.IconHeight
	}
	n.IconWidth = base.IconWidth
	if add.IconWidth != 0 {
		n.IconWidth = add.IconWidth
	}
	// apr_array_append(add, base): the child's entries first.
	n.Alts = appendItems(add.Alts, base.Alts)
	n.Icons = appendItems(add.Icons, base.Icons)
	n.Descs = append(append([]IndexDesc(nil), add.Descs...), base.Descs...)
	if add.IgnoreNoInit {
		n.Ignore = add.Ignore
	} else {
		n.Ignore = appendItems(add.Ignore, base.Ignore)
	}
	if add.Opts == IndexNoOptions {
		n.Opts = IndexNoOptions
	} else {
		if add.Opts == indexOptionUnset {
			n.Incremented = (base.Incremented | add.Incremented) &^ add.Decremented
			n.Decremented = base.Decremented | add.Decremented
			n.Opts = base.Opts &^ IndexNoOptions
		} else {
			n.Opts = add.Opts
		}
		n.Opts |= n.Incremented
		n.Opts &^= n.Decremented
	}
	if add.NameAdjust == IndexWidthUnset {
		n.NameWidth, n.NameAdjust = base.NameWidth, base.NameAdjust
	} else {
		n.NameWidth, n.NameAdjust = add.NameWidth, add.NameAdjust
	}
	if add.DescAdjust == IndexWidthUnset {
		n.DescWidth, n.DescAdjust = base.DescWidth, base.DescAdjust
	} else {
		n.DescWidth, n.DescAdjust = add.DescWidth, add.DescAdjust
	}
	n.DefaultKey = add.DefaultKey
	if n.DefaultKey == 0 {
		n.DefaultKey = base.DefaultKey
	}
	n.DefaultDirection = add.DefaultDirection
	if n.DefaultDirection == 0 {
		n.DefaultDirection = base.DefaultDirection
	}
	return n
}

func appendItems(a, b []IndexItem) []IndexItem {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	return append(append(make([]IndexItem, 0, len(a)+len(b)), a...), b...)
}

// AutoindexDirectives are the directives AutoindexBuilder.Directive takes,
// by lower-case name. All belong to the Indexes override class
// (AllowOverride Indexes), except FancyIndexing (OR_ALL, always an error).
var AutoindexDirectives = []string{
	"addicon", "addiconbytype", "addiconbyencoding", "addalt", "addaltbytype",
	"addaltbyencoding", "indexoptions", "indexorderdefault", "indexignore",
	"indexignorereset", "adddescription", "headername", "readmename",
	"fancyindexing", "defaulticon", "indexstylesheet", "indexheadinsert",
}

// AutoindexBuilder builds one section's AutoindexConfig from its
// directives, in the order they appear:
//
//	b := conf.NewAutoindexBuilder(sectionPath)
//	err := b.Directive(name, args) // for each mod_autoindex directive
//	cfg := b.Finish()
//
// sectionPath is Apache's cmd->path: "" for the server level, the
// <Directory> path for a section, the directory with a trailing '/' for an
// .htaccess file. It limits AddIcon, AddAlt and IndexIgnore entries to file
// names under it (so, as in Apache, those directives in a <Location> match
// nothing unless the URL path is also the file path).
type AutoindexBuilder struct {
	path string
	cfg  *AutoindexConfig
	used bool
}

// NewAutoindexBuilder starts a section (see AutoindexBuilder).
func NewAutoindexBuilder(sectionPath string) *AutoindexBuilder {
	return &AutoindexBuilder{path: sectionPath, cfg: NewAutoindexConfig()}
}

// Finish returns the section's configuration, nil when the section had
// none of these directives (Apache then has no mod_autoindex config for
// the section, and the merge skips it: see MergeAutoindex). The builder
// must not be used afterwards.
func (b *AutoindexBuilder) Finish() *AutoindexConfig {
	c := b.cfg
	b.cfg = nil
	if !b.used {
		return nil
	}
	return c
}

// autoindexUsage are the directives' cmd->errmsg texts, appended to
// Apache's arity errors.
var autoindexUsage = map[string][2]string{
	"addicon":           {"AddIcon", "an icon URL followed by one or more filenames"},
	"addiconbytype":     {"AddIconByType", "an icon URL followed by one or more MIME types"},
	"addiconbyencoding": {"AddIconByEncoding", "an icon URL followed by one or more content encodings"},
	"addalt":            {"AddAlt", "alternate descriptive text followed by one or more filenames"},
	"addaltbytype":      {"AddAltByType", "alternate descriptive text followed by one or more MIME types"},
	"addaltbyencoding":  {"AddAltByEncoding", "alternate descriptive text followed by one or more content encodings"},
	"indexoptions":      {"IndexOptions", "one or more index options [+|-][]"},
	"indexorderdefault": {"IndexOrderDefault", "{Ascending,Descending} {Name,Size,Description,Date}"},
	"indexignore":       {"IndexIgnore", "one or more file extensions"},
	"indexignorereset":  {"IndexIgnoreReset", "Reset the inherited list of IndexIgnore filenames"},
	"adddescription":    {"AddDescription", "Descriptive text followed by one or more filenames"},
	"headername":        {"HeaderName", "a filename"},
	"readmename":        {"ReadmeName", "a filename"},
	"defaulticon":       {"DefaultIcon", "an icon URL"},
	"indexstylesheet":   {"IndexStyleSheet", "URL to style sheet"},
	"indexheadinsert":   {"IndexHeadInsert", "String to insert in HTML HEAD section"},
}

// Directive applies one directive of AutoindexDirectives (name in any
// case) with its arguments as the lexer split them (quotes removed). The
// errors are Apache's texts.
func (b *AutoindexBuilder) Directive(name string, args []string) error {
	key := strings.ToLower(name)
	if key == "fancyindexing" {
		return errors.New("The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing.")
	}
	u, ok := autoindexUsage[key]
	b.used = b.used || ok
	if !ok {
		return errors.New("Invalid command '" + name + "', perhaps misspelled or defined by a module not included in the server configuration")
	}
	arity := func(msg string) error { return errors.New(u[0] + msg + ", " + u[1]) }
	first := len(args) > 0 && args[0] != ""
	c := b.cfg
	switch key {
	case "addicon", "addiconbytype", "addiconbyencoding", "addalt", "addaltbytype", "addaltbyencoding", "adddescription":
		if !first || len(args) < 2 {
			return arity(" requires at least two arguments")
		}
		for _, to := range args[1:] {
			if to == "" {
				break // ap_getword_conf's end of the list
			}
			var err error
			switch key {
			case "addicon":
				err = b.addIcon(IndexByPath, args[0], to)
			case "addiconbytype":
				err = b.addIcon(IndexByType, args[0], to)
			case "addiconbyencoding":
				err = b.addIcon(IndexByEncoding, args[0], to)
			case "addalt":
				b.addAlt(IndexByPath, args[0], to)
			case "addaltbytype":
				b.addAlt(IndexByType, args[0], to)
			case "addaltbyencoding":
				b.addAlt(IndexByEncoding, args[0], to)
			case "adddescription":
				b.addDesc(args[0], to)
			}
			if err != nil {
				return err
			}
		}
	case "indexignore":
		if !first {
			return arity(" requires at least one argument")
		}
		for _, to := range args {
			if to == "" {
				break
			}
			c.Ignore = append(c.Ignore, b.item(IndexByEncoding+1, to, ""))
		}
	case "indexignorereset":
		if len(args) != 1 || (!strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off")) {
			return errors.New("IndexIgnoreReset must be On or Off") // FLAG: no usage text
		}
		c.IgnoreNoInit = strings.EqualFold(args[0], "on")
	case "indexorderdefault":
		if !first || len(args) != 2 || args[1] == "" {
			return arity(" takes two arguments")
		}
		return b.order(args[0], args[1])
	case "indexoptions":
		return b.options(args)
	default: // TAKE1 string slots
		if !first || len(args) != 1 {
			return arity(" takes one argument")
		}
		v := args[0]
		switch key {
		case "headername":
			c.Header = &v
		case "readmename":
			c.Readme = &v
		case "defaulticon":
			c.DefaultIcon = &v
		case "indexstylesheet":
			c.StyleSheet = &v
		case "indexheadinsert":
			c.HeadInsert = &v
		}
	}
	return nil
}

// item is push_item. by beyond IndexByEncoding marks IndexIgnore's type 0,
// stored as IndexByPath without the suffix rule.
func (b *AutoindexBuilder) item(by IndexBy, to, data string) IndexItem {
	it := IndexItem{By: by, Path: b.path + "*", Data: data, To: to}
	if by == IndexByPath && !strings.ContainsAny(to, "*?") {
		it.To = "*" + to
	}
	if by > IndexByEncoding {
		it.By = IndexByPath
	}
	return it
}

func fixTo(by IndexBy, to string) string {
	if by == IndexByPath && to == "**DIRECTORY**" {
		return "^^DIRECTORY^^"
	}
	if by == IndexByEncoding {
		return strings.ToLower(to)
	}
	return to
}

func (b *AutoindexBuilder) addAlt(by IndexBy, alt, to string) {
	b.cfg.Alts = append(b.cfg.Alts, b.item(by, fixTo(by, to), alt))
}

func (b *AutoindexBuilder) addIcon(by IndexBy, icon, to string) error {
	if strings.HasPrefix(icon, "(") {
		cl := strings.IndexByte(icon, ')')
		if cl < 0 {
			return errors.New("missing closing paren")
		}
		// ap_getword_nc(',') then the ')' cut: alt is "(ALT" up to ',' or
		// ')'; the icon is what follows the ',' up to ')'.
		inner := icon[:cl]
		alt, rest, found := strings.Cut(inner, ",")
		if !found {
			rest = ""
		}
		b.addAlt(by, alt[1:], to)
		icon = rest
	}
	b.cfg.Icons = append(b.cfg.Icons, b.item(by, fixTo(by, to), icon))
	return nil
}

func (b *AutoindexBuilder) addDesc(desc, to string) {
	d := IndexDesc{Description: desc, FullPath: strings.Contains(to, "/")}
	d.Wildcards = d.FullPath || fnmatchTest(to)
	switch {
	case d.Wildcards && d.FullPath:
		d.Pattern = "*/" + to + "*"
	case d.Wildcards:
		d.Pattern = "*" + to + "*"
	default:
		d.Pattern = to
	}
	b.cfg.Descs = append(b.cfg.Descs, d)
}

// fnmatchTest is apr_fnmatch_test: whether s has '?', '*', or a '['
// closed by a ']' (a '\' escapes the next byte).
func fnmatchTest(s string) bool {
	nesting := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '?', '*':
			return true
		case '\\':
			if i+1 < len(s) {
				i++
			}
		case '[':
			nesting++
		case ']':
			if nesting > 0 {
				return true
			}
		}
	}
	return false
}

func (b *AutoindexBuilder) order(direction, key string) error {
	c := b.cfg
	switch {
	case strings.EqualFold(direction, "Ascending"):
		c.DefaultDirection = 'A'
	case strings.EqualFold(direction, "Descending"):
		c.DefaultDirection = 'D'
	default:
		return errors.New("First keyword must be 'Ascending' or 'Descending'")
	}
	switch strings.ToLower(key) {
	case "name":
		c.DefaultKey = 'N'
	case "date":
		c.DefaultKey = 'M'
	case "size":
		c.DefaultKey = 'S'
	case "description":
		c.DefaultKey = 'D'
	default:
		return errors.New("Second keyword must be 'Name', 'Date', 'Size', or 'Description'")
	}
	return nil
}

var indexOptionNames = map[string]int32{
	"fancyindexing":         IndexFancy,
	"foldersfirst":          IndexFoldersFirst,
	"htmltable":             IndexTable,
	"iconsarelinks":         IndexIconsAreLinks,
	"ignorecase":            IndexIgnoreCase,
	"ignoreclient":          IndexIgnoreClient,
	"scanhtmltitles":        IndexScanHTMLTitles,
	"suppresscolumnsorting": IndexSuppressColSort,
	"suppressdescription":   IndexSuppressDesc,
	"suppresshtmlpreamble":  IndexSuppressPreamb,
	"suppressicon":          IndexSuppressIcon,
	"suppresslastmodified":  IndexSuppressLastMod,
	"suppresssize":          IndexSuppressSize,
	"suppressrules":         IndexSuppressRules,
	"trackmodified":         IndexTrackModified,
	"versionsort":           IndexVersionSort,
	"xhtml":                 IndexXHTML,
	"showforbidden":         IndexShowForbidden,
	"addaltclass":           IndexAddAltClass,
}

// hasPrefixFold is strncasecmp(w, prefix, len(prefix)) == 0.
func hasPrefixFold(w, prefix string) bool {
	return len(w) >= len(prefix) && strings.EqualFold(w[:len(prefix)], prefix)
}

// options is add_opts.
func (b *AutoindexBuilder) options(argv []string) error {
	d := b.cfg
	opts, add, remove := d.Opts, d.Incremented, d.Decremented
	for _, w := range argv {
		var option int32
		var action byte
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action, w = w[0], w[1:]
		}
		if o, ok := indexOptionNames[strings.ToLower(w)]; ok {
			option = o
		} else {
			switch {
			case strings.EqualFold(w, "None"):
				if action != 0 {
					return errors.New("Cannot combine '+' or '-' with 'None' keyword")
				}
				opts, add, remove = IndexNoOptions, 0, 0
			case strings.EqualFold(w, "IconWidth"):
				d.IconWidth = IndexDefaultIconWidth
				if action == '-' {
					d.IconWidth = 0
				}
			case hasPrefixFold(w, "IconWidth="):
				if action == '-' {
					return errors.New("Cannot combine '-' with IconWidth=n")
				}
				d.IconWidth = atoi(w[10:])
			case strings.EqualFold(w, "IconHeight"):
				d.IconHeight = IndexDefaultIconHeight
				if action == '-' {
					d.IconHeight = 0
				}
			case hasPrefixFold(w, "IconHeight="):
				if action == '-' {
					return errors.New("Cannot combine '-' with IconHeight=n")
				}
				d.IconHeight = atoi(w[11:])
			case strings.EqualFold(w, "NameWidth"):
				if action != '-' {
					return errors.New("NameWidth with no value may only appear as '-NameWidth'")
				}
				d.NameWidth, d.NameAdjust = IndexDefaultNameWidth, IndexWidthFixed
			case hasPrefixFold(w, "NameWidth="):
				if action == '-' {
					return errors.New("Cannot combine '-' with NameWidth=n")
				}
				if strings.HasPrefix(w[10:], "*") {
					d.NameAdjust = IndexWidthAdjust
				} else {
					width := atoi(w[10:])
					if width != 0 && width < 5 {
						return errors.New("NameWidth value must be greater than 5")
					}
					d.NameWidth, d.NameAdjust = width, IndexWidthFixed
				}
			case strings.EqualFold(w, "DescriptionWidth"):
				if action != '-' {
					return errors.New("DescriptionWidth with no value may only appear as '-DescriptionWidth'")
				}
				d.DescWidth, d.DescAdjust = IndexDefaultDescWidth, IndexWidthFixed
			case hasPrefixFold(w, "DescriptionWidth="):
				if action == '-' {
					return errors.New("Cannot combine '-' with DescriptionWidth=n")
				}
				if strings.HasPrefix(w[17:], "*") {
					d.DescAdjust = IndexWidthAdjust
				} else {
					width := atoi(w[17:])
					if width != 0 && width < 12 {
						return errors.New("DescriptionWidth value must be greater than 12")
					}
					d.DescWidth, d.DescAdjust = width, IndexWidthFixed
				}
			case hasPrefixFold(w, "Type="):
				v := w[5:]
				d.ContentType = &v
			case hasPrefixFold(w, "Charset="):
				v := w[8:]
				d.Charset = &v
			case strings.EqualFold(w, "UseOldDateFormat"):
				v := "%d-%b-%Y %H:%M"
				d.DateFormat = &v
			default:
				return errors.New("Invalid directory indexing option")
			}
		}
		switch action {
		case 0:
			opts |= option
			add, remove = 0, 0
		case '+':
			add |= option
			remove &^= option
		default:
			remove |= option
			add &^= option
		}
	}
	if opts&IndexNoOptions != 0 && opts&^IndexNoOptions != 0 {
		return errors.New("Cannot combine other IndexOptions keywords with 'None'")
	}
	d.Incremented, d.Decremented, d.Opts = add, remove, opts
	return nil
}
