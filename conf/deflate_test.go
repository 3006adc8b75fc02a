package conf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func buildCompress(t testing.TB, lines ...string) (*CompressDir, *CompressServer, error) {
	t.Helper()
	b := CompressBuilder{ServerRoot: "/srv"}
	for _, l := range lines {
		f := strings.Fields(l)
		if err := b.Directive(f[0], f[1:]); err != nil {
			return nil, nil, err
		}
	}
	d, s := b.Finish()
	return d, s, nil
}

// TestCompressDirectiveErrors checks the texts against Apache 2.4.71's
// (apache2 -t on a configuration holding the line; see
// site/compress/testdata/apache/run.sh).
func TestCompressDirectiveErrors(t *testing.T) {
	for _, tc := range []struct{ line, err string }{
		{"DeflateCompressionLevel", "DeflateCompressionLevel takes one argument, Set the Deflate Compression Level (1-9)"},
		{"DeflateCompressionLevel 1 2", "DeflateCompressionLevel takes one argument, Set the Deflate Compression Level (1-9)"},
		{"DeflateCompressionLevel 0", "Compression Level must be between 1 and 9"},
		{"DeflateCompressionLevel 10", "Compression Level must be between 1 and 9"},
		{"DeflateCompressionLevel 9x", ""}, // atoi
		{"DeflateCompressionLevel abc", "Compression Level must be between 1 and 9"},
		{"AddOutputFilter DEFLATE", "AddOutputFilter requires at least two arguments, output filter name (or ; delimited names) followed by one or more file extensions"},
		{"AddOutputFilterByType DEFLATE", "AddOutputFilterByType requires at least two arguments"},
		{"SetOutputFilter", "SetOutputFilter takes one argument, filter (or ; delimited list of filters) to be run on the request content"},
		{"RemoveOutputFilter", "RemoveOutputFilter requires at least one argument, one or more file extensions"},
		{"AddOutputFilterByType FOO text/html", "Unknown filter provider FOO"},
		{"AddOutputFilterByType INCLUDES text/html", `AddOutputFilterByType: output filter "INCLUDES" is not supported by gohttpd (DEFLATE or BROTLI_COMPRESS)`},
		{"SetOutputFilter DEFLATE;SED", `SetOutputFilter: output filter "SED" is not supported by gohttpd (DEFLATE or BROTLI_COMPRESS)`},
		{"DeflateAlterETag x", "DeflateAlterETAG accepts only 'NoChange', 'AddSuffix', and 'Remove'"},
		{"BrotliAlterETag x", "BrotliAlterETag accepts only 'AddSuffix', 'NoChange' and 'Remove'"},
		{"BrotliCompressionWindow 9", "BrotliCompressionWindow must be between 10 and 24"},
		{"BrotliCompressionWindow 25", "BrotliCompressionWindow must be between 10 and 24"},
		{"BrotliCompressionQuality 12", "BrotliCompressionQuality must be between 0 and 11"},
		{"BrotliCompressionQuality 0", ""},
		{"BrotliCompressionMaxInputBlock 15", "BrotliCompressionMaxInputBlock must be between 16 and 24"},
		{"DeflateBufferSize 0", "DeflateBufferSize should be positive"},
		{"DeflateMemLevel 10", "DeflateMemLevel must be between 1 and 9"},
		{"DeflateWindowSize 16", "DeflateWindowSize must be between 1 and 15"},
		{"PrecompressedSidecars maybe", "PrecompressedSidecars must be On or Off"},
		{"CompressCacheMaxBytes 12X", "CompressCacheMaxBytes must be a number of bytes (suffix K, M or G allowed)"},
		{"CompressCacheMaxBytes 64M", ""},
	} {
		_, _, err := buildCompress(t, tc.line)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("%q: error %q, want %q", tc.line, got, tc.err)
		}
	}
}

func TestCompressBuild(t *testing.T) {
	d, s, err := buildCompress(t,
		"AddOutputFilterByType DEFLATE text/html text/css",
		"AddOutputFilterByType brotli_compress;DEFLATE text/html",
		"AddOutputFilter DEFLATE .TXT md",
		"RemoveOutputFilter .md",
		"SetOutputFilter DEFLATE;",
		"PrecompressedSidecars On",
		"DeflateCompressionLevel 9",
		"BrotliCompressionQuality 4",
		"CompressCacheDir run/cc",
		"CompressCacheMaxBytes 1K",
	)
	if err != nil {
		t.Fatal(err)
	}
	want := &CompressDir{
		ByType: []ByTypeFilter{
			{FilterDeflate, []string{"text/html", "text/css", "text/html"}},
			{FilterBrotli, []string{"text/html"}},
		},
		Set: []Filter{FilterDeflate}, SetSet: true,
		ByExt:    map[string][]Filter{"txt": {FilterDeflate}, "md": {}},
		Sidecars: true, SidecarsSet: true,
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("dir = %+v\nwant %+v", d, want)
	}
	if s.DeflateLevel != 9 || s.BrotliQuality != 4 || s.CacheDir != "/srv/run/cc" || s.CacheMaxBytes != 1024 {
		t.Errorf("server = %+v", s)
	}
	m := MergeCompressServer(nil, s)
	if m.DeflateLevel != 9 || m.BrotliWindow != 18 || m.DeflateBufferSize != 8096 {
		t.Errorf("merged server = %+v", m)
	}
	// JSON round trip (the snapshot children receive).
	for _, v := range []any{d, m} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		back := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if err := json.Unmarshal(b, back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, v) {
			t.Errorf("JSON round trip: %+v, want %+v", back, v)
		}
	}
	if got := d.FiltersForExt("/a/b.Txt.md", nil); !reflect.DeepEqual(got, []Filter{FilterDeflate}) {
		t.Errorf("FiltersForExt = %v", got)
	}
	if got := d.FiltersForExt("/a.b/noext", nil); got != nil {
		t.Errorf("FiltersForExt(noext) = %v", got)
	}
}

func TestMergeCompressDir(t *testing.T) {
	parent, _, _ := buildCompress(t,
		"AddOutputFilterByType DEFLATE text/html text/css",
		"AddOutputFilter DEFLATE txt",
		"SetOutputFilter DEFLATE",
	)
	child, _, _ := buildCompress(t,
		"AddOutputFilterByType BROTLI_COMPRESS text/html",
		"AddOutputFilterByType DEFLATE text/plain",
		"RemoveOutputFilter txt",
		"PrecompressedSidecars On",
	)
	m := MergeCompressDir(parent, child)
	want := []ByTypeFilter{
		{FilterDeflate, []string{"text/plain"}}, // position from the parent, types from the child
		{FilterBrotli, []string{"text/html"}},
	}
	if !reflect.DeepEqual(m.ByType, want) {
		t.Errorf("ByType = %+v, want %+v", m.ByType, want)
	}
	if !m.SetSet || len(m.Set) != 1 || !m.Sidecars {
		t.Errorf("merged = %+v", m)
	}
	if got := m.FiltersForExt("a.txt", nil); len(got) != 0 {
		t.Errorf("removed extension still filtered: %v", got)
	}
	if (&CompressDir{}).Empty() != true || m.Empty() || MergeCompressDir(nil, nil).Empty() != true {
		t.Error("Empty")
	}
	// The inputs are not modified.
	if len(parent.ByType) != 1 || len(parent.ByType[0].Types) != 2 || len(parent.ByExt["txt"]) != 1 {
		t.Errorf("parent modified: %+v", parent)
	}
}

func FuzzCompressDirective(f *testing.F) {
	for _, s := range []string{"AddOutputFilterByType DEFLATE;BROTLI_COMPRESS text/html", "DeflateCompressionLevel 9x",
		"AddOutputFilter DEFLATE .txt", "CompressCacheMaxBytes 10G", "BrotliCompressionWindow -3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			return
		}
		var b CompressBuilder
		if err := b.Directive(fields[0], fields[1:]); err != nil {
			return
		}
		d, s := b.Finish()
		if s != nil {
			if s.DeflateLevel != 0 && (s.DeflateLevel < 1 || s.DeflateLevel > 9) {
				t.Fatalf("level %d accepted", s.DeflateLevel)
			}
			if s.CacheMaxBytes < 0 {
				t.Fatalf("negative size %d", s.CacheMaxBytes)
			}
		}
		_ = d.FiltersForExt("a."+line, nil)
	})
}
