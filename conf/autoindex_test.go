package conf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestAutoindexErrors: Apache 2.4.71's texts, each checked with
//
//	printf 'ServerRoot /tmp/x\nLoadModule mpm_event_module .../mod_mpm_event.so\n
//	LoadModule autoindex_module .../mod_autoindex.so\nListen 127.0.0.1:18472\n<directive>\n' > t.conf
//	apache2 -t -f t.conf
func TestAutoindexErrors(t *testing.T) {
	for _, tc := range []struct{ line, err string }{
		{"IndexOptions Foo", "Invalid directory indexing option"},
		{"IndexOptions +None", "Cannot combine '+' or '-' with 'None' keyword"},
		{"IndexOptions None FancyIndexing", "Cannot combine other IndexOptions keywords with 'None'"},
		{"IndexOptions -IconWidth=3", "Cannot combine '-' with IconWidth=n"},
		{"IndexOptions -IconHeight=2", "Cannot combine '-' with IconHeight=n"},
		{"IndexOptions NameWidth", "NameWidth with no value may only appear as '-NameWidth'"},
		{"IndexOptions NameWidth=3", "NameWidth value must be greater than 5"},
		{"IndexOptions -NameWidth=4", "Cannot combine '-' with NameWidth=n"},
		{"IndexOptions DescriptionWidth=5", "DescriptionWidth value must be greater than 12"},
		{"IndexOptions -DescriptionWidth=5", "Cannot combine '-' with DescriptionWidth=n"},
		{"IndexOptions DescriptionWidth", "DescriptionWidth with no value may only appear as '-DescriptionWidth'"},
		{"IndexOrderDefault Up Name", "First keyword must be 'Ascending' or 'Descending'"},
		{"IndexOrderDefault Ascending Foo", "Second keyword must be 'Name', 'Date', 'Size', or 'Description'"},
		{"IndexOrderDefault Ascending", "IndexOrderDefault takes two arguments, {Ascending,Descending} {Name,Size,Description,Date}"},
		{"AddIcon x", "AddIcon requires at least two arguments, an icon URL followed by one or more filenames"},
		{"AddIcon (ALT,/x.gif x", "missing closing paren"},
		{"IndexIgnore", "IndexIgnore requires at least one argument, one or more file extensions"},
		{"IndexIgnoreReset maybe", "IndexIgnoreReset must be On or Off"},
		{"HeaderName", "HeaderName takes one argument, a filename"},
		{"HeaderName a b", "HeaderName takes one argument, a filename"},
		{"FancyIndexing on", "The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing."},
		{"AddDescription x", "AddDescription requires at least two arguments, Descriptive text followed by one or more filenames"},
		{"AddAltByType", "AddAltByType requires at least two arguments, alternate descriptive text followed by one or more MIME types"},
		{"IndexOptions", ""},
		{"indexoptions +fancyindexing -VersionSort IconWidth=16 NameWidth=* Charset=UTF-8 Type=text/plain UseOldDateFormat", ""},
	} {
		f := strings.Fields(tc.line)
		err := NewAutoindexBuilder("").Directive(f[0], f[1:])
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("%s: error %q, Apache %q", tc.line, got, tc.err)
		}
	}
}

func build(t *testing.T, path string, lines ...string) *AutoindexConfig {
	t.Helper()
	b := NewAutoindexBuilder(path)
	for _, l := range lines {
		f := strings.Fields(l)
		if err := b.Directive(f[0], f[1:]); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	return b.Finish()
}

// TestAutoindexMerge follows the manual's "Incremental IndexOptions"
// examples and merge_autoindex_configs.
func TestAutoindexMerge(t *testing.T) {
	base := build(t, "", "IndexOptions FancyIndexing VersionSort HTMLTable NameWidth=* Charset=UTF-8", "IndexIgnore .??* *~", "AddIcon /icons/a.gif .a")
	for _, tc := range []struct {
		name  string
		lines []string
		has   []int32
		not   []int32
	}{
		{"incremental", []string{"IndexOptions +FoldersFirst -VersionSort"}, []int32{IndexFancy, IndexTable, IndexFoldersFirst}, []int32{IndexVersionSort}},
		{"replace", []string{"IndexOptions FoldersFirst"}, []int32{IndexFoldersFirst}, []int32{IndexFancy, IndexTable, IndexVersionSort}},
		{"none", []string{"IndexOptions None"}, []int32{IndexNoOptions}, []int32{IndexFancy}},
	} {
		m := MergeAutoindex(base, build(t, "/d", tc.lines...))
		for _, o := range tc.has {
			if !m.Has(o) {
				t.Errorf("%s: option %#x missing (opts %#x)", tc.name, o, m.Opts)
			}
		}
		for _, o := range tc.not {
			if m.Has(o) {
				t.Errorf("%s: option %#x set (opts %#x)", tc.name, o, m.Opts)
			}
		}
	}
	// The manual: "IndexOptions +ScanHTMLTitles -IconsAreLinks FancyIndexing"
	// then "IndexOptions +SuppressSize" is "FancyIndexing +SuppressSize". As
	// Apache 2.4.71 shows (<Directory B> with these lines, <Directory B/sub>
	// with "IndexIgnore zzz": /B/ has sizes, /B/sub/ has none), the
	// increments after a plain keyword only apply below the section, when a
	// non-nil section is merged over it.
	sec := build(t, "/d", "IndexOptions +ScanHTMLTitles -IconsAreLinks FancyIndexing", "IndexOptions +SuppressSize")
	here := MergeAutoindex(base, MergeAutoindex(nil, sec))
	below := MergeAutoindex(base, MergeAutoindex(sec, build(t, "/d/sub", "IndexIgnore zzz")))
	same := MergeAutoindex(base, MergeAutoindex(sec, nil))
	if !here.Has(IndexFancy) || here.Has(IndexSuppressSize) || here.Has(IndexScanHTMLTitles) || same.Opts != here.Opts {
		t.Errorf("manual example, same directory: opts %#x, %#x", here.Opts, same.Opts)
	}
	if !below.Has(IndexFancy) || !below.Has(IndexSuppressSize) || below.Has(IndexScanHTMLTitles) {
		t.Errorf("manual example, below: opts %#x", below.Opts)
	}
	if NewAutoindexBuilder("/x").Finish() != nil {
		t.Error("a section without directives must be nil")
	}
	child := build(t, "/d", "IndexIgnore *.bak", "AddIcon /icons/b.gif .b")
	m := MergeAutoindex(base, child)
	if len(m.Ignore) != 3 || m.Ignore[0].To != "*.bak" || m.Ignore[0].Path != "/d*" {
		t.Errorf("IndexIgnore merge: %+v", m.Ignore)
	}
	if m.Icons[0].Data != "/icons/b.gif" || m.Icons[0].To != "*.b" || m.Icons[1].To != "*.a" {
		t.Errorf("AddIcon merge (child first): %+v", m.Icons)
	}
	if m.NameAdjust != IndexWidthAdjust || *m.Charset != "UTF-8" {
		t.Errorf("inherited NameWidth/Charset: %+v", m)
	}
	reset := MergeAutoindex(base, build(t, "/d", "IndexIgnoreReset on", "IndexIgnore x"))
	if len(reset.Ignore) != 1 {
		t.Errorf("IndexIgnoreReset: %+v", reset.Ignore)
	}
	if base.Ignore[0].To != ".??*" || len(base.Ignore) != 2 {
		t.Errorf("base changed by merge: %+v", base.Ignore)
	}
}

func TestAutoindexItems(t *testing.T) {
	c := build(t, "", "AddIcon (SND,/icons/sound2.gif) .ogg", "AddIcon /icons/folder.gif ^^DIRECTORY^^",
		"AddIconByEncoding (CMP,/icons/c.gif) X-GZIP", "AddAlt Dir **DIRECTORY**", "AddDescription Text *.txt", "AddDescription Sub a/b", "AddDescription Plain readme")
	want := []IndexItem{
		{By: IndexByPath, To: "*.ogg", Path: "*", Data: "/icons/sound2.gif"},
		{By: IndexByPath, To: "*^^DIRECTORY^^", Path: "*", Data: "/icons/folder.gif"},
		{By: IndexByEncoding, To: "x-gzip", Path: "*", Data: "/icons/c.gif"},
	}
	if !reflect.DeepEqual(c.Icons, want) {
		t.Errorf("icons %+v", c.Icons)
	}
	if c.Alts[0].Data != "SND" || c.Alts[1].Data != "CMP" || c.Alts[2].To != "*^^DIRECTORY^^" {
		t.Errorf("alts %+v", c.Alts)
	}
	if d := c.Descs; d[0].Pattern != "**.txt*" || !d[0].Wildcards || d[1].Pattern != "*/a/b*" || !d[1].FullPath || d[2].Pattern != "readme" || d[2].Wildcards {
		t.Errorf("descs %+v", d)
	}
}

// TestAutoindexJSON: a config survives the master-to-child snapshot.
func TestAutoindexJSON(t *testing.T) {
	c := MergeAutoindex(build(t, "", "IndexOptions FancyIndexing NameWidth=* Charset=UTF-8 IconWidth", "HeaderName HEADER.html",
		"IndexIgnore .??*", "AddIcon (TXT,/icons/t.gif) .txt", "AddDescription d *.c", "IndexOrderDefault Descending Date"),
		build(t, "/srv", "IndexOptions +FoldersFirst", "IndexStyleSheet /s.css", "IndexIgnoreReset On"))
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back AutoindexConfig
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, &back) {
		t.Errorf("round trip:\n%+v\n%+v", c, &back)
	}
}

func FuzzAutoindexDirective(f *testing.F) {
	f.Add("IndexOptions", "+FancyIndexing NameWidth=* -IconWidth IconHeight=3 Charset=x")
	f.Add("AddIcon", "(A,/x) .txt")
	f.Add("IndexOrderDefault", "Ascending Name")
	f.Add("AddDescription", "x a/b*")
	f.Fuzz(func(t *testing.T, name, args string) {
		b := NewAutoindexBuilder("/x")
		_ = b.Directive(name, strings.Fields(args))
		c := b.Finish()
		m := MergeAutoindex(NewAutoindexConfig(), c)
		if _, err := json.Marshal(m); err != nil {
			t.Fatal(err)
		}
	})
}
